"""The owner's team inbox in headless Chromium against gunicorn on a fresh embedded store
(`flask migrate`, `flask seed-demo`), with customers writing through the JSON API: a new
dialog and a new message appear without reload, a quick reply goes into the reply box with
one click, and the reply is sent without reload and reaches the customer. Screenshots go to
test-output/screenshots/inbox-*.png; no console errors allowed."""

import pytest
import requests

from tests.live_server import SCREENSHOTS, chromium, running_server, sign_in_cabinet

OWNER = "+79990000001"  # Анна, the owner of "Кофейня на Арбате" in the demo data
CUSTOMERS = ("+79990000081", "+79990000082")
SLUG = "kofeinia-na-arbate"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("inbox-live"), ("seed-demo",)) as live:
        yield live


class Customer:
    """A customer signed in to the JSON API of the live server."""

    def __init__(self, server, phone):
        self.base = server.base
        token = server.sign_in_api(phone)["accessToken"]
        self.headers = {"Authorization": f"Bearer {token}"}
        self.dialog = None

    def start(self, business_id):
        answer = requests.post(f"{self.base}/api/businesses/{business_id}/start-dialog",
                               headers=self.headers, timeout=10)
        assert answer.status_code == 200, answer.text
        self.dialog = answer.json()["data"]["id"]

    def say(self, text):
        answer = requests.post(f"{self.base}/api/dialogs/{self.dialog}/messages",
                               json={"text": text}, headers=self.headers, timeout=10)
        assert answer.status_code == 201, answer.text

    def texts(self):
        answer = requests.get(f"{self.base}/api/dialogs/{self.dialog}/messages",
                              headers=self.headers, timeout=10)
        return [m["text"] for m in answer.json()["data"]["items"]]


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"inbox-{name}.png"), full_page=True)


def test_the_owner_answers_live_with_a_quick_reply(server):
    from playwright.sync_api import expect

    business_id = requests.get(f"{server.base}/api/businesses/slug/{SLUG}",
                               timeout=10).json()["data"]["id"]
    first = Customer(server, CUSTOMERS[0])
    first.start(business_id)
    first.say("Здравствуйте! Есть столик на двоих?")

    with chromium() as browser:
        context = browser.new_context(base_url=server.base, locale="ru-RU",
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15000)
        page = context.new_page()
        errors = []
        page.on("console", lambda message: message.type == "error" and errors.append(
            f"{message.text} ({message.location.get('url')})"))
        page.on("pageerror", lambda error: errors.append(str(error)))

        sign_in_cabinet(page, server, OWNER)

        # A quick reply first (the owner manages them).
        page.goto(f"/cabinet/b/{business_id}/quick-replies")
        page.fill("#title", "Часы работы")
        page.fill("#text", "Мы открыты с 9 до 21 каждый день.")
        page.locator("#add-quick-reply").click()
        expect(page.locator(".quick-reply-row")).to_have_count(1)
        shot(page, "00-quick-replies")

        # The inbox: the dialog with its unread badge; opening it reads it.
        page.goto(f"/cabinet/b/{business_id}/inbox")
        row = page.locator(f"#dialogs a[data-dialog='{first.dialog}']")
        expect(row.locator(".unread-badge")).to_have_text("1")
        shot(page, "01-list")
        row.click()
        expect(page.locator("#messages .message[data-kind=customer]").last).to_contain_text(
            "Есть столик на двоих?")
        expect(page.locator("#live-state")).to_have_attribute("data-state", "open")
        page.evaluate("window.notReloaded = true")

        # The customer writes again: it appears as text, without reload, and stays read.
        first.say("<b>И ещё</b>: можно с собакой?")
        last = page.locator("#messages .message").last
        expect(last.locator(".message-text")).to_have_text("<b>И ещё</b>: можно с собакой?")
        assert page.locator("#messages b").count() == 0
        expect(page.locator(f"#dialogs a[data-dialog='{first.dialog}']")).to_have_attribute(
            "data-unread", "0")

        # A second customer starts a dialog: it appears in the list.
        second = Customer(server, CUSTOMERS[1])
        second.start(business_id)
        second.say("Добрый вечер")
        expect(page.locator(f"#dialogs a[data-dialog='{second.dialog}'] .unread-badge")) \
            .to_have_text("1")
        shot(page, "02-live")

        # One click puts the quick reply into the box; Send posts it without reload.
        page.locator(".quick-reply", has_text="Часы работы").click()
        expect(page.locator("#reply-text")).to_have_value("Мы открыты с 9 до 21 каждый день.")
        page.locator("#reply-text").press("End")
        page.locator("#reply-text").type(" С собакой можно!")
        page.locator("#send-reply").click()
        reply = "Мы открыты с 9 до 21 каждый день. С собакой можно!"
        expect(page.locator("#messages .message[data-kind=team]").last
               .locator(".message-text")).to_have_text(reply)
        expect(page.locator("#reply-text")).to_have_value("")
        assert page.locator(f"#messages .message[data-kind=team]:has-text('{reply}')") \
            .count() == 1  # the answer and the stream's copy are one message
        assert page.evaluate("window.notReloaded") is True
        shot(page, "03-replied")
        context.close()

    assert first.texts()[0] == reply
    assert errors == []
