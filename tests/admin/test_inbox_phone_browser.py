"""The team answers from a phone: headless Chromium at 390×844 (touch) against gunicorn on the
demo data, with the push service played by tests/push_standin.py.

The operator goes on duty and turns on the cabinet app's notifications; a customer writes
through the JSON API; the push for the operator reaches the stand-in (signed, encrypted for
this browser); the operator opens its link, which shows the dialog as a screen of its own,
replies with the keyboard alone and goes back to the list. Then the inbox at both sizes, in
Russian and English: screenshots (test-output/screenshots/inbox-{phone,desktop}-{ru,en}-*.png),
axe-core and no sideways scroll."""

import json

import pytest
import requests
from playwright.sync_api import expect

from tests.admin.test_cabinet_inbox_browser import SLUG, Customer
from tests.live_server import Watched, chromium, running_server, sign_in_cabinet
from tests.push_standin import BROWSER_STUB, PushServiceStandIn
from tests.web.accessibility import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_horizontal_scroll,
)

OPERATOR = "+79990000002"  # Иван, the coffee shop's operator in the demo data
OWNER = "+79990000001"
CUSTOMER = "+79990000083"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("phone-inbox"), ("seed-demo",)) as live:
        yield live


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def owner_state(server, browser):
    """The owner signed in to the cabinet once (a code works once, and a phone may ask for
    one a minute): the cookies and storage each test's context starts from."""
    context = browser.new_context(base_url=server.base, locale="ru-RU")
    context.set_default_timeout(15000)
    try:
        sign_in_cabinet(context.new_page(), server, OWNER)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture(scope="module")
def asking(server):
    """A customer who asked the coffee shop something (signed in once)."""
    customer = Customer(server, "+79990000085")
    customer.start(business_id(server))
    customer.say("Здравствуйте! Есть безглютеновая выпечка?")
    return customer


def business_id(server):
    return requests.get(f"{server.base}/api/businesses/slug/{SLUG}",
                        timeout=10).json()["data"]["id"]


def press_until_focused(page, key, selector, limit=40):
    """Press `key` until `selector` has the focus (at most `limit` times): how a keyboard
    user gets somewhere."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} never took the focus with {key}")


def in_view(page, selector):
    """`selector`'s box lies inside the viewport (nothing of it below the screen's edge)."""
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] + 1


def test_an_on_duty_operator_is_pushed_opens_the_dialog_and_answers_by_keyboard(server,
                                                                               browser):
    shop = business_id(server)
    context = browser.new_context(base_url=server.base, locale="ru-RU",
                                  permissions=["notifications"], **PHONE)
    context.set_default_timeout(15000)
    with PushServiceStandIn(server.secret("VAPID_PUBLIC_KEY")) as push_service:
        context.add_init_script(BROWSER_STUB % json.dumps(push_service.subscription("ivan")))
        watched = Watched(context.new_page(), "inbox-phone-ru-")
        page = watched.page
        try:
            sign_in_cabinet(page, server, OPERATOR)
            page.goto(f"/cabinet/b/{shop}/inbox")
            # The list screen: the tabs are one menu, the filters fold away.
            expect(page.locator("#section-menu > summary")).to_be_visible()
            expect(page.locator("#sections")).to_be_hidden()
            expect(page.locator("#inbox-filters")).to_be_hidden()
            page.locator("#inbox-tools > summary").click()
            expect(page.locator("#inbox-filters")).to_be_visible()
            page.locator("#duty-toggle").click()
            expect(page.locator("#duty-state")).to_have_attribute("data-on-duty", "1")
            page.locator("#inbox-tools > summary").click()
            page.locator("#team-push-toggle").click()
            expect(page.locator("#team-push-state")).to_have_text(
                "Уведомления на этом устройстве включены.")
            for name in ("newMessage", "mentions"):
                expect(page.locator(f"#team-push-prefs input[name={name}]")).to_be_checked()
            # The cabinet's own app: its worker, scoped to the cabinet.
            scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
            assert scope == f"{server.base}/cabinet/"
            page.locator("#inbox-tools > summary").click()
            watched.shot("01-list")

            # 1. A customer writes; 2. the push leaves for the operator's phone.
            customer = Customer(server, CUSTOMER)
            customer.start(shop)
            customer.say("Добрый день! Можно заказать торт к субботе?")
            push_service.wait_for(lambda received: any(
                "торт к субботе" in r["payload"]["body"] for r in received))
            [pushed] = [p for p in push_service.payloads("ivan") if "торт" in p["body"]]
            assert pushed["title"] == "Кофейня на Арбате"
            assert pushed["body"].endswith("Добрый день! Можно заказать торт к субботе?")
            assert pushed["url"] == f"/cabinet/b/{shop}/inbox?dialog={customer.dialog}"
            assert push_service.refused == []

            # 3. The link opens the dialog as a screen of its own.
            page.goto(pushed["url"])
            expect(page.locator("#conversation")).to_be_visible()
            expect(page.locator("#dialog-list")).to_be_hidden()
            expect(page.locator("#back-to-list")).to_be_visible()
            expect(page.locator("#messages")).to_contain_text("торт к субботе")
            expect(page.locator("#dialog-actions")).to_be_hidden()  # in the compact menu
            assert in_view(page, "#reply-dock"), "the reply box is not at the screen's bottom"
            watched.shot("02-dialog")

            # 4. The reply, from the keyboard alone.
            press_until_focused(page, "Tab", "#reply-text")
            page.keyboard.type("Да, конечно! Какой начинки?")
            page.keyboard.press("Control+Enter")
            expect(page.locator("#messages")).to_contain_text("Какой начинки?")
            expect(page.locator("#reply-text")).to_have_value("")
            assert "Да, конечно! Какой начинки?" in customer.texts()
            assert in_view(page, "#reply-dock")

            # 5. Back to the list, by keyboard too; the focus is on the dialog just answered.
            page.keyboard.press("Escape")
            expect(page.locator("#dialog-list")).to_be_visible()
            expect(page.locator("#conversation")).to_have_count(0)
            expect(page.locator(f"#dialogs a[data-dialog='{customer.dialog}']")).to_be_focused()
            watched.shot("03-back")
            # Moving through the list and opening a dialog: arrows and Enter.
            page.keyboard.press("Enter")
            expect(page.locator("#conversation")).to_be_visible()
            watched.assert_clean()

            # Offline, the cabinet app's worker shows the offline page it kept.
            context.set_offline(True)
            try:
                page.goto(f"/cabinet/b/{shop}/inbox")
                expect(page.locator("#offline-heading")).to_have_text("Нет соединения")
            finally:
                context.set_offline(False)
        finally:
            context.close()


def test_the_dialog_screen_actions_menu_and_quick_reply_chips_on_a_phone(server, browser,
                                                                        owner_state):
    shop = business_id(server)
    customer = Customer(server, "+79990000084")
    customer.start(shop)
    customer.say("Вы работаете в воскресенье?")
    context = browser.new_context(base_url=server.base, locale="ru-RU",
                                  storage_state=owner_state, **PHONE)
    context.set_default_timeout(15000)
    page = Watched(context.new_page()).page
    try:
        page.goto(f"/cabinet/b/{shop}/quick-replies")
        page.fill("#title", "Часы")
        page.fill("#text", "Мы открыты каждый день с 9 до 21.")
        page.locator("#add-quick-reply").click()
        page.goto(f"/cabinet/b/{shop}/inbox?dialog={customer.dialog}")
        chip = page.locator(".quick-reply", has_text="Часы")
        expect(chip).to_be_visible()
        assert in_view(page, ".quick-reply")
        chip.click()
        expect(page.locator("#reply-text")).to_have_value("Мы открыты каждый день с 9 до 21.")
        page.locator("#dialog-actions-menu > summary").click()
        expect(page.locator("#take")).to_be_visible()
        page.locator("#take").click()
        expect(page.locator("#assignee")).to_have_text("Назначен вам")
        # Handing it to a colleague is in the same menu; the colleague is told (by push, if
        # on duty: the API tests check that).
        page.locator("#dialog-actions-menu > summary").click()
        ivan = page.locator("#hand-over-to option", has_text="Иван Петров")
        page.select_option("#hand-over-to", ivan.get_attribute("value"))
        page.locator("#hand-over").click()
        expect(page.locator("#assignee")).to_contain_text("Иван Петров")
    finally:
        context.close()


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_inbox_at_both_sizes_in_both_languages(server, browser, owner_state, asking, size,
                                                   language):
    shop = business_id(server)
    options = PHONE if size == "phone" else DESKTOP
    # Reduced motion: axe reads colours as they are, not halfway through a button's fade.
    context = browser.new_context(base_url=server.base, locale="ru-RU" if language == "ru"
                                  else "en-US", storage_state=owner_state,
                                  reduced_motion="reduce", **options)
    context.set_default_timeout(15000)
    watched = Watched(context.new_page(), f"inbox-{size}-{language}-")
    page = watched.page
    try:
        page.goto(f"/lang/{language}?next=/cabinet/b/{shop}/inbox")
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("#dialogs a").first).to_be_visible()
        where = f"the inbox's list, {size}, {language}"
        assert_no_horizontal_scroll(page, where)
        assert_accessible(page, where)
        watched.shot("list")
        page.goto(f"/cabinet/b/{shop}/inbox?dialog={asking.dialog}")
        expect(page.locator("#messages")).to_contain_text("безглютеновая")
        if size == "desktop":  # the two columns side by side
            expect(page.locator("#dialog-list")).to_be_visible()
            expect(page.locator("#back-to-list")).to_be_hidden()
        else:
            expect(page.locator("#dialog-list")).to_be_hidden()
        where = f"a dialog in the inbox, {size}, {language}"
        assert_no_horizontal_scroll(page, where)
        assert_accessible(page, where)
        if size == "phone":  # the open menu too
            page.locator("#dialog-actions-menu > summary").click()
            assert_no_horizontal_scroll(page, where + ", actions open")
            assert_accessible(page, where + ", actions open")
        watched.shot("dialog")
        watched.assert_clean()
    finally:
        context.close()
