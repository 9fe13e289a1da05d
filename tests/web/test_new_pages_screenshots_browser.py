"""The pages new with the business's first day (/cabinet/new, the first-steps checklist, the
cabinet's sign-in with the site's, invitations on the team page and on /my/invitations, the
profile's invitations), in Russian and in English, in headless Chromium against gunicorn: each
is checked for what a person sees and saved as test-output/screenshots/new-{ru,en}-<page>.png.
The data is set up through the API; the pages are only looked at and clicked."""

import re
from dataclasses import dataclass

import pytest
import requests
from playwright.sync_api import expect

from app.accounts.platform_roles import mask_phone
from tests.live_server import Watched, running_server

OWNER, OPERATOR, INVITEE = "+79990004001", "+79990004002", "+79990004003"
WAITING = {"ru": "+79990004011", "en": "+79990004012"}  # a code was sent a moment ago
SLUG = "zerno-coffee"
# What each language says (the English is the source text, the Russian its translation).
WORDS = {
    "ru": {"continue_as": "Вы вошли на сайте как Борис.", "create": "Создать бизнес",
           "first_steps": "Первые шаги", "invited": "Приглашён",
           "resend": r"Новый код через \d+ с", "invitations": "Приглашения в команду",
           "accept": "Принять"},
    "en": {"continue_as": "You are signed in on the site as Борис.",
           "create": "Create a business", "first_steps": "First steps", "invited": "Invited",
           "resend": r"A new code in \d+ s", "invitations": "Team invitations",
           "accept": "Accept"},
}


@dataclass
class World:
    server: object
    owner: dict
    invitee: dict
    business_id: str
    operator_member: str


def api(server, who, method, path, body=None):
    answer = requests.request(method, server.base + path, json=body, timeout=10,
                              headers={"Authorization": f"Bearer {who['accessToken']}"})
    assert answer.ok, (path, answer.status_code, answer.text)
    return answer.json()["data"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """An owner (Борис) with a coffee shop, an operator who accepted, and a pending invitation
    to someone signed up on the site."""
    with running_server(tmp_path_factory.mktemp("new-pages"), SMS_LIMIT_PER_IP="1000/hour") \
            as server:
        owner, operator, invitee = (server.sign_in_api(p) for p in (OWNER, OPERATOR, INVITEE))
        # Named, as the profile page keeps the person in the browser's storage.
        owner["user"] = api(server, owner, "PUT", f"/api/users/{owner['user']['id']}",
                            {"name": "Борис"})
        api(server, operator, "PUT", f"/api/users/{operator['user']['id']}", {"name": "Олег"})
        business = api(server, owner, "POST", "/api/businesses",
                       {"name": "Кофейня «Зерно»", "slug": SLUG})
        members = f"/api/businesses/{business['id']}/members"
        joined = api(server, owner, "POST", members, {"phone": OPERATOR, "role": "operator"})
        api(server, operator, "POST", f"/api/me/invitations/{joined['memberId']}/accept")
        api(server, owner, "POST", members, {"phone": INVITEE, "role": "manager"})
        yield World(server, owner, invitee, business["id"], joined["memberId"])


@pytest.fixture
def open_as(browser, world):
    """open_as(person or None, lang) → a Watched page in a fresh context in that language
    (the `lang` cookie, as the footer's switch sets it), signed in on the site as the person
    (their tokens in the page's storage, as after the sign-in page). No geolocation allowed."""
    contexts = []

    def opener(who, lang):
        context = browser.new_context(base_url=world.server.base,
                                      viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": "lang", "value": lang, "url": world.server.base}])
        context.set_default_timeout(15000)
        contexts.append(context)
        watched = Watched(context.new_page(), f"new-{lang}-")
        if who:
            watched.page.goto("/offline")
            watched.page.evaluate(
                """([access, refresh, user]) => {
                     localStorage.setItem("bank.accessToken", access);
                     localStorage.setItem("bank.refreshToken", refresh);
                     localStorage.setItem("bank.user", JSON.stringify(user));
                   }""", [who["accessToken"], who["refreshToken"], who["user"]])
        return watched

    yield opener
    for context in contexts:
        context.close()


LANGS = pytest.mark.parametrize("lang", ["ru", "en"])


@LANGS
def test_the_cabinet_pages(open_as, world, lang):
    words = WORDS[lang]
    watched = open_as(world.owner, lang)
    page = watched.page

    # Signed in on the site: the cabinet's sign-in offers to continue as that person.
    page.goto("/cabinet/login")
    expect(page.locator("#continue-as-text")).to_have_text(words["continue_as"])
    expect(page.locator("#continue")).to_be_visible()
    watched.shot("cabinet-login-continue-as")
    page.click("#continue")
    expect(page).to_have_url(f"{world.server.base}/cabinet/")

    # /cabinet/new, empty.
    page.click("#create-business")
    expect(page).to_have_url(f"{world.server.base}/cabinet/new")
    expect(page.locator("h1")).to_have_text(words["create"])
    expect(page.locator("#use-my-location")).to_be_visible()
    watched.shot("cabinet-new")

    # "Use my location" in a browser that does not share it: the page says so.
    page.click("#use-my-location")
    status = page.locator("#location-status")
    expect(status).to_have_text(page.locator("#use-my-location").get_attribute("data-refused"))
    if lang == "en":
        expect(status).to_contain_text("Your browser did not share the location.")
    expect(page.locator("#lat")).to_have_value("")
    watched.shot("cabinet-new-location-refused")

    # A taken address: said as it is typed, with free ones offered; submitted anyway, it is
    # refused, the form comes back as it was, and what is wrong is said once, by the field.
    page.fill("#name", "Кофейня на углу")
    page.fill("#slug", SLUG)
    slug_status = page.locator("#slug-status")
    expect(slug_status.locator("button")).to_have_count(3)
    taken = slug_status.inner_text().split(f"{SLUG}-2")[0].strip()
    with page.expect_response(lambda r: r.request.method == "POST"
                              and r.url.endswith("/cabinet/new")) as refused:
        page.click("#create")
    assert refused.value.status == 409
    expect(page.locator("#name")).to_have_value("Кофейня на углу")
    expect(page.locator("#slug")).to_have_value(SLUG)
    expect(page.locator("#slug")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(slug_status).to_contain_text(taken)
    expect(slug_status.locator("button").first).to_have_text(f"{SLUG}-2")
    expect(page.locator("#new-business-form .invalid-feedback")).to_have_count(0)
    expect(page.get_by_text(taken)).to_have_count(1)
    watched.shot("cabinet-new-refused")
    slug_status.locator("button").first.click()  # a free one
    expect(page.locator("#slug")).to_have_value(f"{SLUG}-2")
    expect(slug_status).to_have_text(page.locator("#new-business-form")
                                     .get_attribute("data-free"))
    expect(page.locator("#slug")).not_to_have_class(re.compile(r"\bis-invalid\b"))

    # The overview of a new business: the checklist, the invitation counted as done.
    page.goto(f"/cabinet/b/{world.business_id}/")
    checklist = page.locator("#first-steps")
    expect(checklist.locator("h2")).to_have_text(words["first_steps"])
    expect(checklist.locator("[data-step=team]")).to_have_attribute("data-done", "true")
    expect(checklist.locator("[data-step=greeting]")).to_have_attribute("data-done", "false")
    watched.shot("cabinet-overview")

    # The team: the pending invitation (the phone masked) and the operator's permissions.
    page.click("#first-steps [data-step=team] a")
    pending = page.locator(f"#team tr[data-phone='{mask_phone(INVITEE)}']")
    expect(pending).to_have_attribute("data-status", "invited")
    expect(pending).to_contain_text(words["invited"])
    permissions = page.locator(f"#permissions-{world.operator_member}")
    permissions.locator("summary").click()
    expect(permissions.locator("select")).to_have_count(4)
    expect(permissions.locator("button[type=submit]")).to_be_visible()
    watched.shot("cabinet-team")
    watched.expect_failed_request(409)  # Chromium logs the refused form's status
    watched.assert_clean()


@LANGS
def test_the_cabinet_asks_for_the_code_sent_a_moment_ago(open_as, world, lang):
    phone = WAITING[lang]
    sent = requests.post(f"{world.server.base}/api/auth/send-code", json={"phone": phone},
                         timeout=10)  # on the site, a moment ago
    assert sent.status_code == 200, sent.text
    watched = open_as(None, lang)
    page = watched.page
    page.goto("/cabinet/login")
    page.fill("#phone", phone)
    page.click("#get-code")
    resend = page.locator("#resend")
    expect(resend).to_have_attribute("data-countdown", re.compile(r"^\d+$"))
    expect(resend).to_have_text(re.compile(WORDS[lang]["resend"]))
    expect(resend).to_be_disabled()
    expect(page.locator("#code")).to_be_visible()
    watched.shot("cabinet-login-countdown")
    # The code of that SMS signs in here.
    page.fill("#code", world.server.code_for(phone))
    page.click("#sign-in")
    expect(page).to_have_url(f"{world.server.base}/cabinet/")
    watched.assert_clean()


@LANGS
def test_the_invitees_pages(open_as, world, lang):
    words = WORDS[lang]
    watched = open_as(world.invitee, lang)
    page = watched.page
    # Not named yet: the cabinet's sign-in offers to continue without saying "as ." .
    page.goto("/cabinet/login")
    continue_as = page.locator("#continue-as-text")
    expect(continue_as).to_have_text(continue_as.get_attribute("data-nameless"))
    if lang == "en":
        expect(continue_as).to_have_text("You are signed in on the site.")

    page.goto("/profile")
    stat = page.locator("#invitations-stat")
    expect(stat.locator("#count-invitations")).to_have_text("1")
    expect(stat).to_contain_text(words["invitations"])
    watched.shot("profile")
    stat.click()
    expect(page).to_have_url(f"{world.server.base}/my/invitations")
    expect(page.locator("h1")).to_have_text(words["invitations"])
    card = page.locator("#invitations-list li", has_text="Кофейня «Зерно»")
    expect(card.locator("[data-action=accept]")).to_have_text(words["accept"])
    expect(card.locator("[data-action=decline]")).to_be_visible()
    watched.shot("my-invitations")
    # Signed in on the site only: "For businesses" opens the cabinet with that sign-in.
    page.click("#nav-business")
    expect(page).to_have_url(f"{world.server.base}/cabinet/new")
    watched.assert_clean()
