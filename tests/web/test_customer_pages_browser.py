"""The customers' own pages in headless Chromium against gunicorn (tests/live_server.py), with
the business's side played through the API: my dialogs follow a business's answer live; in a
dialog the customer writes (also offline, sent once when back), sees "typing…", the answer
and the read receipt live, and is told when the server refuses the live stream; on a channel
page a subscriber reacts and comments and sees the counts change (live too), and a customer
the business blocked is told so; my feed shows the newest post first; signed out, the pages
send to the sign-in page and back. Screenshots of each page in Russian and English go to
test-output/screenshots/customer-*.png; no console errors or CSP violations are allowed."""

import json
import re
import subprocess
import time
from dataclasses import dataclass

import pytest
import requests
from playwright.sync_api import expect

from tests.live_server import BIN, ROOT, Watched, fill_sign_in_form, running_server

OWNER = "+79990001001"
SETTINGS = {"autoReplyEnabled": False, "greeting": "Здравствуйте! Чем помочь?",
            "channelSettings": {"allowReactions": True, "allowComments": True}}


@dataclass
class Shop:
    id: str
    slug: str
    name: str


class World:
    """The server, an owner with a coffee shop and a bakery, and API calls as anyone."""

    def __init__(self, server):
        self.server = server
        self.owner = server.sign_in_api(OWNER)
        self.api(self.owner, "PUT", f"/api/users/{self.owner['user']['id']}", {"name": "Борис"})
        self.coffee = self.shop("Кофейня «Зерно»", "zerno-coffee")
        self.bakery = self.shop("Пекарня «Булка»", "bulka-bakery")

    def api(self, who, method, path, body=None):
        answer = requests.request(method, self.server.base + path, json=body, timeout=10,
                                  headers={"Authorization": f"Bearer {who['accessToken']}"})
        assert answer.ok, (path, answer.status_code, answer.text)
        return answer.json()["data"]

    def shop(self, name, slug):
        made = self.api(self.owner, "POST", "/api/businesses", {"name": name, "slug": slug})
        self.api(self.owner, "PUT", f"/api/businesses/{made['id']}/bot/settings", SETTINGS)
        return Shop(made["id"], slug, name)

    def customer(self, phone, *subscriptions):
        who = self.server.sign_in_api(phone)
        for shop in subscriptions:
            self.api(who, "POST", f"/api/businesses/{shop.id}/subscribe")
        return who

    def dialog(self, customer, shop, text):
        """The customer's dialog with `shop`, with `text` written and everything read."""
        dialog_id = self.api(customer, "POST", f"/api/businesses/{shop.id}/start-dialog")["id"]
        self.api(customer, "POST", f"/api/dialogs/{dialog_id}/messages", {"text": text})
        self.api(customer, "PATCH", f"/api/dialogs/{dialog_id}/read")
        return dialog_id

    def post(self, shop, text):
        return self.api(self.owner, "POST", f"/api/businesses/{shop.id}/channel/messages",
                        {"text": text})["id"]

    def block(self, shop, customer):
        """The business blocks the customer for a day (the cabinet's action, here run in a
        process of its own on the server's store), then waits until the server has it."""
        code = ("from wsgi import app\n"
                "from app.businesses import customer_blocks\n"
                "from app.models import Business\n"
                "with app.app_context():\n"
                f"    customer_blocks.block({shop.id!r}, {customer['user']['id']!r}, 24, "
                f"{self.owner['user']['id']!r})\n"
                f"    Business.objects(id={shop.id!r}).update_one(set__description='blocked')\n")
        subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=self.server.env,
                       check=True, capture_output=True, timeout=60)
        deadline = time.monotonic() + 10
        while self.api(self.owner, "GET", f"/api/businesses/{shop.id}")["description"] \
                != "blocked":  # the server reads other processes' writes within 200 ms
            assert time.monotonic() < deadline, "the server never saw the block"
            time.sleep(0.05)


def refuse_streams(page):
    """The server's answer to a stream past the caps (app/live/slots.py), for every stream
    the page opens; its message."""
    message = "Too many live connections are open (other tabs or devices?)."
    page.route(re.compile(r"/api/stream\?"), lambda route: route.fulfill(
        status=429, headers={"Retry-After": "15"}, content_type="application/json",
        body=json.dumps({"error": {"code": "too_many_streams", "message": message}})))
    return message


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    # Many sign-ins from one address, and the owner's answers, in a few minutes: the limits
    # per IP and per writer are raised.
    with running_server(tmp_path_factory.mktemp("customer"), SMS_LIMIT_PER_IP="1000/hour",
                        SMS_LIMIT_PER_PHONE_AND_IP="100/hour",
                        MESSAGES_PER_MINUTE="1000/minute") as server:
        yield World(server)


@pytest.fixture
def open_as(browser, world):
    """open_as(customer or None, lang="ru") → a Watched phone-sized page on the server, signed
    in as the customer (their tokens in the page's storage, as after the sign-in page)."""
    contexts = []

    def opener(customer, lang="ru"):
        context = browser.new_context(
            base_url=world.server.base, locale="ru-RU" if lang == "ru" else "en-US",
            viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
            has_touch=True)
        context.set_default_timeout(15000)
        contexts.append(context)
        watched = Watched(context.new_page(), f"customer-{lang}-")
        if customer:
            watched.page.goto("/offline")
            watched.page.evaluate(
                """([access, refresh, user]) => {
                     localStorage.setItem("bank.accessToken", access);
                     localStorage.setItem("bank.refreshToken", refresh);
                     localStorage.setItem("bank.user", JSON.stringify(user));
                   }""", [customer["accessToken"], customer["refreshToken"], customer["user"]])
        return watched

    yield opener
    for context in contexts:
        context.close()


def test_signed_out_my_pages_send_to_sign_in_and_back(open_as, world):
    watched = open_as(None)
    page = watched.page
    page.goto("/my/feed")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fmy%2Ffeed$"))
    fill_sign_in_form(page, world.server, "+79990002001")
    expect(page).to_have_url(world.server.base + "/my/feed")
    no_posts = page.evaluate("JSON.parse(document.getElementById('i18n').textContent).noFeed")
    expect(page.locator("#feed-status")).to_have_text(no_posts)  # nothing subscribed yet
    expect(page.locator("#feed article")).to_have_count(0)
    watched.assert_clean()


def test_my_dialogs_follow_the_business_answer_live(open_as, world):
    customer = world.customer("+79990002002")
    dialog_id = world.dialog(customer, world.coffee, "Вы открыты в воскресенье?")
    watched = open_as(customer)
    page = watched.page
    page.goto("/my/dialogs")
    row = page.locator(f'[data-dialog-id="{dialog_id}"]')
    expect(row.locator(".dialog-row__name")).to_have_text("Кофейня «Зерно»")
    expect(row.locator(".dialog-row__preview")).to_contain_text("Вы открыты в воскресенье?")
    expect(row.locator(".unread")).to_have_count(0)
    expect(page.locator("#dialogs")).to_have_attribute("data-live", "open")

    world.api(world.owner, "POST", f"/api/dialogs/{dialog_id}/messages",
              {"text": "Да, с 10 до 18."})
    expect(row.locator(".dialog-row__preview")).to_have_text("Да, с 10 до 18.")
    expect(row.locator(".unread")).to_have_text("1")
    watched.shot("my-dialogs")
    row.locator("a").click()
    expect(page).to_have_url(f"{world.server.base}/my/dialogs/{dialog_id}")
    expect(page.locator("#messages")).to_contain_text("Да, с 10 до 18.")
    watched.assert_clean()


def test_in_a_dialog_the_customer_writes_and_sees_the_team_live(open_as, world):
    customer = world.customer("+79990002003")
    dialog_id = world.dialog(customer, world.coffee, "Добрый день!")
    watched = open_as(customer)
    page, context = watched.page, watched.page.context
    page.goto(f"/my/dialogs/{dialog_id}")
    expect(page.locator("#chat-title")).to_have_text("Кофейня «Зерно»")
    messages = page.locator("#messages")
    expect(messages.locator(".msg--bot")).to_contain_text("Здравствуйте! Чем помочь?")
    expect(messages.locator(".msg--customer")).to_contain_text("Добрый день!")
    expect(page.locator("#chat")).to_have_attribute("data-live", "open")

    page.fill("#text", "Можно заказать торт на субботу?")
    page.press("#text", "Enter")
    mine = messages.locator(".msg--customer").filter(has_text="торт на субботу")
    expect(mine.locator(".msg__tick")).to_have_attribute("data-state", "sent")
    expect(page.locator("#text")).to_have_value("")

    # The team types, answers and reads: each shows without reloading.
    world.api(world.owner, "POST", f"/api/dialogs/{dialog_id}/typing")
    expect(page.locator("#typing")).to_contain_text("Борис")
    world.api(world.owner, "POST", f"/api/dialogs/{dialog_id}/messages",
              {"text": "Да, пришлите пожелания."})
    answer = messages.locator(".msg--team")
    expect(answer.locator(".msg__text")).to_have_text("Да, пришлите пожелания.")
    expect(answer.locator(".msg__author")).to_have_text("Кофейня «Зерно» · Борис")
    expect(page.locator("#typing")).to_be_hidden()
    world.api(world.owner, "PATCH", f"/api/dialogs/{dialog_id}/read")
    expect(mine.locator(".msg__tick")).to_have_attribute("data-state", "read")
    watched.shot("dialog")

    # Offline, a message waits; back online, it goes out once.
    context.set_offline(True)
    page.fill("#text", "Пишу без связи")
    page.click("#send")
    waiting = messages.locator(".msg--customer").filter(has_text="Пишу без связи")
    expect(waiting.locator(".msg__tick")).to_have_attribute("data-state", "waiting")
    expect(page.locator("#chat-error")).to_contain_text("Нет связи")
    context.set_offline(False)
    expect(waiting.locator(".msg__tick")).to_have_attribute("data-state", re.compile("sent|read"))
    texts = [m["text"] for m in world.api(
        customer, "GET", f"/api/dialogs/{dialog_id}/messages")["items"]]
    assert texts.count("Пишу без связи") == 1
    page.reload()
    expect(messages.locator(".msg--customer").filter(has_text="Пишу без связи")).to_have_count(1)
    # Text is text: markup in a message stays characters.
    page.fill("#text", "<img src=x onerror=alert(1)> <b>жирный?</b>")
    page.press("#text", "Enter")
    expect(messages.locator(".msg__text").last).to_have_text(
        "<img src=x onerror=alert(1)> <b>жирный?</b>")
    expect(messages.locator("img, b")).to_have_count(0)
    watched.errors = [e for e in watched.errors if "ERR_INTERNET_DISCONNECTED" not in e]
    watched.assert_clean()


def test_earlier_messages_come_with_the_cursor(open_as, world):
    customer = world.customer("+79990002010")
    dialog_id = world.dialog(customer, world.bakery, "Вопрос 1")
    for number in range(2, 18):  # with the greeting and the answers: 35 messages
        world.api(customer, "POST", f"/api/dialogs/{dialog_id}/messages",
                  {"text": f"Вопрос {number}"})
    for number in range(1, 18):
        world.api(world.owner, "POST", f"/api/dialogs/{dialog_id}/messages",
                  {"text": f"Ответ {number}"})
    watched = open_as(customer)
    page = watched.page
    page.goto(f"/my/dialogs/{dialog_id}")
    messages = page.locator("#messages li")
    expect(messages).to_have_count(30)  # the newest page
    expect(messages.last).to_contain_text("Ответ 17")
    page.click("#older")
    expect(messages).to_have_count(35)
    expect(messages.first).to_contain_text("Здравствуйте! Чем помочь?")
    expect(page.locator("#older")).to_be_hidden()
    watched.assert_clean()


def test_a_refused_live_stream_is_said_on_the_page(open_as, world):
    customer = world.customer("+79990002004")
    dialog_id = world.dialog(customer, world.bakery, "Есть ли ржаной хлеб?")
    watched = open_as(customer)
    page = watched.page
    message = refuse_streams(page)
    page.goto(f"/my/dialogs/{dialog_id}")
    expect(page.locator("#live-note")).to_have_text(message)
    expect(page.locator("#chat")).to_have_attribute("data-live", "limited")
    # The page still reads and writes.
    page.fill("#text", "Жду ответа")
    page.press("#text", "Enter")
    expect(page.locator(".msg--customer").filter(has_text="Жду ответа")
           .locator(".msg__tick")).to_have_attribute("data-state", "sent")
    watched.expect_failed_request(429)
    watched.assert_clean()


def test_a_subscriber_reacts_and_comments_on_the_channel_page(open_as, world):
    customer = world.customer("+79990002005", world.coffee)
    world.post(world.coffee, "Новые круассаны с миндалём")
    newest = world.post(world.coffee, "В субботу дегустация эфиопского кофе")
    watched = open_as(customer)
    page = watched.page
    page.goto(f"/b/{world.coffee.slug}")
    page.click("#all-posts")  # from the landing page
    expect(page).to_have_url(f"{world.server.base}/b/{world.coffee.slug}/channel")
    posts = page.locator("#posts article")
    expect(posts.first.locator(".post__text")).to_have_text(
        "В субботу дегустация эфиопского кофе")
    expect(page.locator("#subscribe")).to_have_attribute("data-subscribed", "true")
    expect(page.locator("#posts")).to_have_attribute("data-live", "open")
    post = page.locator(f'[data-post-id="{newest}"]')

    like = post.locator('.reaction[data-emoji="👍"]')
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like.locator(".reaction__count")).to_have_text("1")
    # Someone else reacts: the count changes on the open page.
    world.api(world.owner, "POST", f"/api/businesses/{world.coffee.id}/channel/messages/"
              f"{newest}/reactions", {"emoji": "👍"})
    expect(like.locator(".reaction__count")).to_have_text("2")
    expect(like).to_have_attribute("aria-pressed", "true")

    toggle = post.locator(".post__comments-toggle")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(post.locator(".comments__empty")).to_be_visible()
    post.locator("textarea").fill("Во сколько начало?")
    post.locator(".comments__form button").click()
    expect(post.locator(".comment")).to_have_count(1)
    expect(post.locator(".comment__text")).to_have_text("Во сколько начало?")
    expect(toggle).to_have_text("1 комментарий")
    world.api(world.owner, "POST", f"/api/businesses/{world.coffee.id}/channel/messages/"
              f"{newest}/comments", {"text": "В 12:00, ждём!"})
    expect(post.locator(".comment__text").last).to_have_text("В 12:00, ждём!")
    expect(toggle).to_have_text("2 комментария")
    watched.shot("channel")

    # Blocked by the business: the API's refusal is said under the post, nothing is added.
    world.block(world.coffee, customer)
    post.locator("textarea").fill("А можно с собой?")
    post.locator(".comments__form button").click()
    expect(post.locator(".comments .alert")).to_have_text(
        "Этот бизнес пока не принимает ваши сообщения.")
    expect(post.locator(".comment")).to_have_count(2)
    watched.expect_failed_request(403)
    watched.assert_clean()


def test_with_the_stream_refused_the_channel_says_so_and_counts_what_i_do(open_as, world):
    customer = world.customer("+79990002011", world.bakery)
    post_id = world.post(world.bakery, "Рогалики со скидкой")
    watched = open_as(customer)
    page = watched.page
    message = refuse_streams(page)
    page.goto(f"/b/{world.bakery.slug}/channel")
    expect(page.locator("#live-note")).to_have_text(message)
    post = page.locator(f'[data-post-id="{post_id}"]')
    fire = post.locator('.reaction[data-emoji="🔥"]')
    fire.click()
    expect(fire.locator(".reaction__count")).to_have_text("1")
    toggle = post.locator(".post__comments-toggle")
    toggle.click()
    post.locator("textarea").fill("Беру два!")
    post.locator(".comments__form button").click()
    expect(post.locator(".comment__text")).to_have_text("Беру два!")
    expect(toggle).to_have_text("1 комментарий")
    fire.click()  # and back
    expect(fire).to_have_attribute("aria-pressed", "false")
    expect(fire.locator(".reaction__count")).to_have_text("")
    watched.expect_failed_request(429)
    watched.assert_clean()


def test_a_visitor_signed_out_pages_through_the_channel_and_is_asked_to_sign_in(open_as, world):
    florist = world.shop("Цветочная лавка", "flower-shop")
    for number in range(1, 12):  # eleven posts: a page of ten, then one more
        world.post(florist, f"Букет дня №{number}")
    watched = open_as(None)
    page = watched.page
    page.goto(f"/b/{florist.slug}/channel")
    posts = page.locator("#posts article")
    expect(posts).to_have_count(10)
    expect(posts.first.locator(".post__text")).to_have_text("Букет дня №11")
    page.click("#posts-more")
    expect(posts).to_have_count(11)
    expect(posts.last.locator(".post__text")).to_have_text("Букет дня №1")
    expect(page.locator("#posts-more")).to_be_hidden()
    post = posts.first
    post.locator(".post__comments-toggle").click()
    expect(post.locator(".comments__sign-in")).to_be_visible()
    post.locator('.reaction[data-emoji="❤️"]').click()
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fb%2Fflower-shop%2Fchannel$"))

    # The business switches reactions and comments off: the page offers neither.
    world.api(world.owner, "PUT", f"/api/businesses/{florist.id}/bot/settings",
              {"channelSettings": {"allowReactions": False, "allowComments": False}})
    page.goto(f"/b/{florist.slug}/channel")
    expect(posts).to_have_count(10)
    expect(page.locator("#posts button")).to_have_count(0)
    watched.assert_clean()


def test_someone_elses_dialog_is_not_shown(open_as, world):
    owner_of_it = world.customer("+79990002008")
    dialog_id = world.dialog(owner_of_it, world.bakery, "Мой личный вопрос")
    intruder = world.customer("+79990002009")
    refused = requests.get(f"{world.server.base}/api/dialogs/{dialog_id}", timeout=10,
                           headers={"Authorization": f"Bearer {intruder['accessToken']}",
                                    "Accept-Language": "ru"})
    assert refused.status_code == 404
    watched = open_as(intruder)
    page = watched.page
    page.goto(f"/my/dialogs/{dialog_id}")
    expect(page.locator("#chat-error")).to_have_text(refused.json()["error"]["message"])
    expect(page.locator("#messages li")).to_have_count(0)
    expect(page.locator("#text")).to_be_disabled()
    watched.expect_failed_request(404)
    watched.assert_clean()


def test_my_feed_shows_the_newest_post_first(open_as, world):
    customer = world.customer("+79990002006", world.coffee, world.bakery)
    world.post(world.coffee, "Кофе: скидка на фильтр")
    world.post(world.bakery, "Пекарня: багеты снова в продаже")
    watched = open_as(customer)
    page = watched.page
    page.goto("/my/feed")
    posts = page.locator("#feed article")
    expect(posts.first.locator(".post__text")).to_have_text("Пекарня: багеты снова в продаже")
    expect(posts.first.locator(".post__business")).to_contain_text("Пекарня «Булка»")
    expect(posts.nth(1).locator(".post__text")).to_have_text("Кофе: скидка на фильтр")
    watched.shot("my-feed")
    posts.first.locator(".post__channel-link").click()
    expect(page).to_have_url(f"{world.server.base}/b/{world.bakery.slug}/channel")
    watched.assert_clean()


def test_the_pages_in_english(open_as, world):
    customer = world.customer("+79990002007", world.coffee, world.bakery)
    dialog_id = world.dialog(customer, world.coffee, "Do you have oat milk?")
    world.api(world.owner, "POST", f"/api/dialogs/{dialog_id}/messages", {"text": "Yes, we do."})
    world.post(world.bakery, "Fresh rye bread today")
    watched = open_as(customer, "en")
    page = watched.page
    page.goto("/my/dialogs")
    expect(page.locator("h1")).to_have_text("My dialogs")
    expect(page.locator(".dialog-row").first).to_contain_text("Yes, we do.")
    watched.shot("my-dialogs")
    page.goto(f"/my/dialogs/{dialog_id}")
    expect(page.locator(".msg--customer .msg__tick")).to_have_attribute("title", "Sent")
    expect(page.locator(".msg--team")).to_contain_text("Yes, we do.")
    watched.shot("dialog")
    page.goto(f"/b/{world.coffee.slug}/channel")
    expect(page.locator("h1")).to_have_text("Channel of Кофейня «Зерно»")
    expect(page.locator("#posts article").first).to_be_visible()
    watched.shot("channel")
    page.goto("/my/feed")
    expect(page.locator("h1")).to_have_text("My feed")
    expect(page.locator("#feed article").first).to_contain_text("Fresh rye bread today")
    watched.shot("my-feed")
    watched.assert_clean()
