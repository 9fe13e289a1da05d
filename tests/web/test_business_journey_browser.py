"""A business's first day, end to end, in headless Chromium against gunicorn on a fresh store
(tests/live_server.py), as people do it: clicks and typing only, each person in a browser
context of their own, the SMS codes read from the server's SMS log as a person reads an SMS.

An owner signs up on the site, follows "For businesses" into the cabinet (no second SMS) and
creates a business with a logo, a suggested page address, a category, coordinates from the
browser's location and a description; the first-steps checklist takes them through the bot's
greeting and inviting an operator, who signs up, accepts on /my/invitations and comes to the
cabinet by the header's "Cabinet" link. The owner copies the widget's snippet into a shop's
page on another origin; a guest writes there and the operator's answer from the inbox reaches
the widget. The owner lets readers react and comment and publishes a post; a subscriber reacts
and comments on the channel page, and the owner sees both. The pages are in English (their
words are asserted); each step's screenshot goes to test-output/screenshots/journey-NN-*.png;
no console errors or CSP violations are allowed."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from app.accounts.platform_roles import mask_phone
from tests.live_server import Watched, fill_sign_in_form, running_server
from tests.widget.browser_world import VIEWPORT, host_site, open_chat, write

OWNER, OPERATOR, SUBSCRIBER = "+79990003001", "+79990003002", "+79990003003"
NAME = "Цветочная лавка «Ромашка»"
SLUG = "tsvetochnaia-lavka-romashka"  # suggested from the name
GREETING = "Hello! We deliver bouquets within an hour."
POST = "White roses are in: 15% off until Sunday."
HERE = {"latitude": 55.7522, "longitude": 37.5990}  # near the Arbat in Moscow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A fresh store: only `flask migrate` (the categories), nobody signed up yet."""
    with running_server(tmp_path_factory.mktemp("journey")) as live:
        yield live


@pytest.fixture
def person(browser, server):
    """person(**context options) → a Watched page in a fresh browser context, in English."""
    contexts = []

    def opener(**options):
        context = browser.new_context(base_url=server.base, locale="en-US",
                                      viewport=VIEWPORT, **options)
        context.add_cookies([{"name": "lang", "value": "en", "url": server.base}])
        context.set_default_timeout(15000)
        contexts.append(context)
        return Watched(context.new_page(), "journey-")

    yield opener
    for context in contexts:
        context.close()


def sms_count(server, phone):
    """How many SMS the phone has received (the console provider's log lines)."""
    return server.log_path.read_text().count(f'"sms_to": "{phone}"')


def sign_up(page, server, phone, start="/"):
    """From `start`, the header's "Sign in", the phone and the code: back where they were."""
    page.goto(start)
    page.click("#nav-profile")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    fill_sign_in_form(page, server, phone)
    expect(page).to_have_url(server.base + start)
    expect(page.locator("#nav-profile")).to_have_text("My profile")


def to_section(page, title):
    """Click a tab of the business's cabinet (Overview, Inbox, Channel, …)."""
    page.locator("#sections a", has_text=re.compile(f"^{title}$")).click()


def create_business(owner, server, logo):
    """Steps 2 and 3: "For businesses" to /cabinet/new, the form, the overview. Its URL."""
    page = owner.page
    page.click("#nav-business")
    expect(page).to_have_url(f"{server.base}/cabinet/new")
    expect(page.locator("h1")).to_have_text("Create a business")
    expect(page.locator("#signed-in-as")).to_have_text("Vera")
    assert sms_count(server, OWNER) == 1  # the sign-up's code only
    owner.shot("02-new-business-form")

    page.set_input_files("#logo", str(logo))
    page.fill("#name", NAME)
    expect(page.locator("#slug")).to_have_value(SLUG)
    expect(page.locator("#slug-status")).to_have_text("This address is free.")
    category = page.locator("#categories .form-check").first
    category_name = category.locator("label").inner_text()
    category.locator("input").check()
    page.click("#use-my-location")
    expect(page.locator("#lat")).to_have_value("55.752200")
    expect(page.locator("#lng")).to_have_value("37.599000")
    expect(page.locator("#location-status")).to_contain_text("filled in from your location")
    page.fill("#address", "Moscow, Arbat 10")
    page.fill("#description", "Bouquets for every day, delivered within an hour.")
    owner.shot("03-new-business-filled")
    page.click("#create")

    expect(page).to_have_url(re.compile(rf"^{re.escape(server.base)}/cabinet/b/\w+/$"))
    expect(page.locator(".alert-success")).to_contain_text(f"{NAME} is created")
    expect(page.locator("#business-name")).to_have_text(NAME)
    expect(page.locator("#my-role")).to_have_text("Owner")
    expect(page.locator("#public-link")).to_have_text(f"{server.base}/b/{SLUG}")
    expect(page.locator("dl")).to_contain_text(category_name)
    expect(page.locator("dl")).to_contain_text("Moscow, Arbat 10")
    expect(page.locator("#first-steps [data-step]")).to_have_count(5)
    expect(page.locator("#first-steps [data-done=true]")).to_have_count(0)
    owner.shot("04-first-steps")
    return page.url


def step_done(page, step):
    to_section(page, "Overview")
    item = page.locator(f"#first-steps [data-step={step}]")
    expect(item).to_have_attribute("data-done", "true")
    expect(item).to_contain_text("done")


def invite(owner, cabinet):
    """Step 5, the owner's half: the team page from the checklist, the phone, the role."""
    page = owner.page
    page.click("#first-steps [data-step=team] a")
    expect(page).to_have_url(f"{cabinet}team")
    page.fill("#phone", "+7 999 000-30-02")
    page.select_option("#role", "operator")
    page.click("#invite")
    expect(page.locator(".alert-success")).to_contain_text(mask_phone(OPERATOR))
    invited = page.locator("#team tr", has_text=mask_phone(OPERATOR))
    expect(invited).to_have_attribute("data-status", "invited")
    expect(invited).to_contain_text("Invited")
    expect(invited).to_contain_text("Operator")
    owner.shot("06-team-invited")


def accept(member, server):
    """Step 5, the invitee's half: sign up, the profile's invitations, Accept."""
    page = member.page
    sign_up(page, server, OPERATOR)
    page.click("#nav-profile")
    stat = page.locator("#invitations-stat")
    expect(stat.locator("#count-invitations")).to_have_text("1")
    member.shot("07-operator-profile")
    stat.click()
    expect(page).to_have_url(f"{server.base}/my/invitations")
    card = page.locator("#invitations-list li", has_text=NAME)
    expect(card).to_contain_text("Invites you to its team as: Operator")
    expect(page.locator("#nav-cabinet")).to_be_hidden()
    card.locator("[data-action=accept]").click()
    expect(card).to_contain_text(f"You are on the team of “{NAME}” now.")
    expect(page.locator("#nav-cabinet")).to_be_visible()
    member.shot("08-invitation-accepted")


def put_widget_on(owner, cabinet, pages, shop):
    """Step 6: the snippet, copied from the widget's page into the shop's, which is allowed."""
    page = owner.page
    page.click("#first-steps [data-step=widget] a")
    expect(page).to_have_url(f"{cabinet}widget")
    snippet = page.locator("#snippet").input_value()
    assert f'data-business="{SLUG}"' in snippet
    pages["/shop.html"] = ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                           "<title>Romashka</title></head><body><h1>Romashka flowers</h1>"
                           f"{snippet}</body></html>")
    page.fill("#allowed_origins", shop)
    page.click("#save-widget")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#allowed_origins")).to_have_value(shop)
    owner.shot("09-widget")


def answer_from_inbox(member, server):
    """Step 8: the header's "Cabinet" (no second SMS), the business, the inbox, a reply."""
    page = member.page
    page.click("#nav-cabinet")
    expect(page).to_have_url(f"{server.base}/cabinet/")
    assert sms_count(server, OPERATOR) == 2  # the invitation and the sign-up's code
    page.locator("#my-businesses a", has_text=NAME).click()
    expect(page.locator("#my-role")).to_have_text("Operator")
    expect(page.locator("#first-steps")).to_have_count(0)  # the owner's to take
    to_section(page, "Inbox")
    dialog = page.locator("#dialogs a[data-dialog]")
    expect(dialog).to_have_count(1)
    dialog.click()
    expect(page.locator("#messages")).to_contain_text("white roses")
    page.fill("#reply-text", "Yes, fresh this morning. Shall we deliver?")
    page.click("#send-reply")
    expect(page.locator("#messages")).to_contain_text("Shall we deliver?")
    member.shot("11-operator-answers")


def publish(owner, cabinet):
    """Step 10, the owner's half: reactions and comments are off for a new business; the
    channel page says so and where to change it; then the post."""
    page = owner.page
    page.click("#first-steps [data-step=post] a")
    expect(page).to_have_url(f"{cabinet}channel")
    expect(page.locator("#channel-settings")).to_contain_text("Comments: off · Reactions: off")
    page.locator("#channel-settings a").click()
    expect(page).to_have_url(f"{cabinet}bot")
    page.check("#allow_comments")
    page.check("#allow_reactions")
    page.click("#save-bot")
    expect(page.locator(".alert-success")).to_be_visible()
    to_section(page, "Channel")
    expect(page.locator("#channel-settings")).to_contain_text("Comments: on · Reactions: on")
    page.fill("#text", POST)
    page.click("#publish")
    expect(page.locator(".alert-success")).to_contain_text("The post is published.")
    expect(page.locator("#posts li", has_text=POST)).to_be_visible()
    owner.shot("13-post-published")


def react_and_comment(reader, server):
    """Step 10, the subscriber's half: the landing page, Subscribe (signing up on the way),
    "All posts", a 👍 and a comment."""
    page = reader.page
    page.goto(f"/b/{SLUG}")
    expect(page.locator("#business-name")).to_have_text(NAME)
    logo = page.locator("img.logo--large")
    expect(logo).to_be_visible()
    expect(logo).to_have_js_property("complete", True)
    assert logo.evaluate("img => img.naturalWidth") > 0  # the owner's logo, not a broken one
    page.click("#subscribe")  # signed out: to the sign-in page, and back
    fill_sign_in_form(page, server, SUBSCRIBER)
    expect(page).to_have_url(f"{server.base}/b/{SLUG}")
    page.click("#subscribe")
    expect(page.locator("#subscribe")).to_have_attribute("data-subscribed", "true")
    expect(page.locator("#subscriber-count")).to_have_text("1 subscriber")
    reader.shot("14-subscribed")
    page.click("#all-posts")
    expect(page).to_have_url(f"{server.base}/b/{SLUG}/channel")
    post = page.locator("#posts article", has_text=POST)
    like = post.locator('.reaction[data-emoji="👍"]')
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like.locator(".reaction__count")).to_have_text("1")
    toggle = post.locator(".post__comments-toggle")
    toggle.click()
    post.locator("textarea").fill("Can you deliver to Tverskaya?")
    post.locator(".comments__form button").click()
    expect(post.locator(".comment__text")).to_have_text("Can you deliver to Tverskaya?")
    expect(toggle).to_have_text("1 comment")
    reader.shot("15-reaction-and-comment")


def test_a_business_opens_its_doors(person, server, tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (256, 256), (233, 84, 120)).save(logo)

    # 1. The owner signs up on the site and names themselves on the profile page.
    owner = person(geolocation=HERE, permissions=["geolocation"])
    page = owner.page
    sign_up(page, server, OWNER)
    page.click("#nav-profile")
    expect(page).to_have_url(f"{server.base}/profile")
    expect(page.locator("#profile-phone")).to_have_text(OWNER)
    page.fill("#name", "Vera")
    page.click("#name-form button[type=submit]")
    expect(page.locator("#profile-status")).to_have_text("Saved.")
    expect(page.locator("#nav-profile")).to_have_text("Vera")
    owner.shot("01-owner-profile")

    # 2, 3. Into the cabinet with that sign-in, and the business created there.
    cabinet = create_business(owner, server, logo)
    # A look at the site: its header leads back to the cabinet now.
    page.click("#to-site")
    expect(page).to_have_url(f"{server.base}/")
    page.click("#nav-cabinet")
    expect(page).to_have_url(f"{server.base}/cabinet/")
    page.locator("#my-businesses a", has_text=NAME).click()
    expect(page).to_have_url(cabinet)

    # 4. The bot's greeting, from the checklist: the step is done.
    page.click("#first-steps [data-step=greeting] a")
    expect(page).to_have_url(f"{cabinet}bot")
    page.fill("#greeting", GREETING)
    page.click("#save-bot")
    expect(page.locator(".alert-success")).to_be_visible()
    step_done(page, "greeting")
    owner.shot("05-greeting-done")

    # 5. An operator invited; they sign up, accept, and the team shows them on it.
    invite(owner, cabinet)
    member = person()
    accept(member, server)
    page.reload()
    expect(page.locator("#team tr", has_text=OPERATOR)).to_contain_text("On the team")
    step_done(page, "team")

    pages = {}
    with host_site(pages) as port:
        # 6. The widget on the shop's own website (another origin).
        shop = f"http://127.0.0.1:{port}"
        put_widget_on(owner, cabinet, pages, shop)

        # 7. A guest there opens the chat: the greeting, then their question.
        guest = person()
        frame = open_chat(guest.page, shop)
        messages = frame.locator("#messages")
        expect(messages).to_contain_text(GREETING)
        write(frame, "Do you have white roses today?")
        expect(messages.locator(".msg--customer .msg__tick")).to_have_attribute(
            "data-state", "sent")
        guest.shot("10-guest-writes")

        # 8. The operator answers from the cabinet's inbox.
        answer_from_inbox(member, server)

        # 9. The answer reaches the widget without a reload.
        answer = messages.locator(".msg--team")
        expect(answer).to_contain_text("Yes, fresh this morning.")
        expect(answer.locator(".msg__author")).to_contain_text(NAME)
        guest.shot("12-guest-sees-answer")
    step_done(page, "widget")

    # 10. A post, and a subscriber's reaction and comment, which the owner then sees.
    publish(owner, cabinet)
    reader = person()
    react_and_comment(reader, server)
    page.reload()
    post = page.locator("#posts li", has_text=POST)
    expect(post.locator('[data-reaction="👍"]')).to_have_text("👍 1")
    expect(post).to_contain_text("1 comment")
    owner.shot("16-post-feedback")
    for watched in (owner, member, guest, reader):
        watched.assert_clean()
