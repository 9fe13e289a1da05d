"""The conversation flow of issue 5 in headless Chromium against gunicorn, with two browser
contexts: a customer on the landing page (in its chat widget) and the owner in the cabinet.
It runs twice: on the embedded adapter, and with mms3 (the stand-in, publishing its events
to the real RabbitMQ), `flask events consume` running as its own process and live updates
through the real Redis, as in production. The customer starts a dialog and gets the
greeting; a keyword makes the bot invite the owner; the owner answers from the inbox and the
customer sees it without reloading; the owner posts to the channel and the subscribed
customer sees it in the feed. Screenshots go to test-output/screenshots/flow-*.png; no
console errors or CSP violations are allowed."""

import subprocess
import time
import uuid

import pika
import pytest
import redis
import requests
from playwright.sync_api import expect

from app.messaging import event_queues
from tests.broker import require_redis
from tests.live_server import (
    BIN,
    ROOT,
    Watched,
    fill_sign_in_form,
    running_server,
    sign_in_cabinet,
)
from tests.mms3_standin import Mms3StandIn
from tests.widget.browser_world import chat_frame

OWNER = "+79990000001"  # Анна, owner of "Кофейня на Арбате" in the demo data
CUSTOMER = "+79995550177"


REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture(scope="module", params=["embedded", "mms3"])
def live_server(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"flow-{request.param}")
    if request.param == "embedded":
        with running_server(folder, ("seed-demo",)) as server:
            yield server
        return
    amqp = request.getfixturevalue("rabbitmq_url")
    require_redis(REDIS_URL)
    suffix = uuid.uuid4().hex[:10]
    standin = Mms3StandIn(amqp_url=amqp, exchange=f"bank-flow-{suffix}").start()
    env = {"MMS3_API_URL": standin.url, "MMS3_API_KEY": standin.api_key,
           "MMS3_TENANT_ID": f"tnt_{suffix}", "RABBITMQ_URL": amqp,
           "MMS3_EVENTS_EXCHANGE": f"bank-flow-{suffix}", "EVENTS_QUEUE": f"bank-flow-{suffix}",
           "REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": f"bank-flow-{suffix}"}
    try:
        with running_server(folder, ("seed-demo",), **env) as server, \
                open(folder / "consumer.log", "w") as log:
            consumer = subprocess.Popen([str(BIN / "flask"), "events", "consume"], cwd=ROOT,
                                        env=server.env, stdout=log, stderr=log)
            try:
                wait_for_queue(amqp, env["EVENTS_QUEUE"])  # events before it would be lost
                yield server
            finally:
                consumer.terminate()
                assert consumer.wait(timeout=30) == 0, (folder / "consumer.log").read_text()
    finally:
        standin.stop()
        config = {"MMS3_EVENTS_EXCHANGE": env["MMS3_EVENTS_EXCHANGE"],
                  "EVENTS_QUEUE": env["EVENTS_QUEUE"], "MMS3_TENANT_ID": env["MMS3_TENANT_ID"]}
        names = event_queues.names(config)
        with event_queues.connect(amqp) as connection:
            channel = connection.channel()
            for queue in (names.queue, names.retry, names.dead):
                channel.queue_delete(queue)
            channel.exchange_delete(names.exchange)
        store = redis.Redis.from_url(REDIS_URL)
        for key in store.scan_iter(f"bank-flow-{suffix}*"):
            store.delete(key)


def wait_for_queue(amqp, queue, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        with event_queues.connect(amqp) as connection:
            try:
                connection.channel().queue_declare(queue, passive=True)
                return
            except pika.exceptions.ChannelClosedByBroker:  # 404: not declared yet
                assert time.monotonic() < deadline, f"the consumer never declared {queue}"
        time.sleep(0.1)


def sign_in_customer(page, live_server):
    page.goto("/login")
    fill_sign_in_form(page, live_server, CUSTOMER)
    expect(page).not_to_have_url(live_server.base + "/login")


def coffee_shop(live_server):
    found = requests.get(f"{live_server.base}/api/catalog", params={"q": "Кофейня на Арбате"},
                         timeout=10).json()["data"]
    return found[0]


def test_customer_and_owner_talk_and_the_channel_reaches_the_subscriber(browser, live_server):
    shop = coffee_shop(live_server)
    contexts = [browser.new_context(base_url=live_server.base, locale="ru-RU",
                                    viewport={"width": 1280, "height": 900}) for _ in range(2)]
    for context in contexts:
        context.set_default_timeout(15000)
    customer = Watched(contexts[0].new_page(), "flow-customer-")
    owner = Watched(contexts[1].new_page(), "flow-owner-")
    try:
        # The customer opens the landing page, subscribes and writes: the greeting arrives.
        sign_in_customer(customer.page, live_server)
        customer.page.goto(f"/b/{shop['slug']}")
        customer.page.click("#subscribe")
        expect(customer.page.locator("#subscribe")).to_have_attribute("data-subscribed", "true")
        customer.page.click("#write-to-us")  # the widget's chat, as the signed-in customer
        widget = chat_frame(customer.page)
        chat = widget.locator("#messages")
        expect(chat.locator(".msg--bot")).to_contain_text("Чем можем помочь?")
        expect(widget.locator("#chat")).to_have_attribute("data-live", "open")
        customer.shot("01-greeting")

        # A keyword: the bot calls the owner in and says so.
        widget.fill("#text", "Здравствуйте! Есть ли доставка на Арбат?")
        widget.click("#send")
        expect(chat.locator(".msg--customer")).to_contain_text("доставка")
        expect(chat.locator(".msg--bot")).to_have_count(2)
        customer.shot("02-keyword")

        # The owner finds the dialog in the inbox, unread, and answers.
        sign_in_cabinet(owner.page, live_server, OWNER)
        owner.page.goto(f"/cabinet/b/{shop['id']}/inbox")
        dialog = owner.page.locator("#dialogs a[data-dialog]").first
        expect(dialog).to_contain_text("0177")  # no name yet: the phone's last digits
        expect(dialog.locator(".unread-badge")).to_be_visible()
        owner.shot("01-inbox")
        dialog.click()
        expect(owner.page.locator("#messages")).to_contain_text("Есть ли доставка")
        owner.page.fill("#reply-text", "Да, привезём за 30 минут.")
        owner.page.click("#send-reply")
        expect(owner.page.locator("#messages")).to_contain_text("привезём за 30 минут")
        owner.shot("02-replied")

        # The customer sees the answer without reloading, signed by the business and Анна.
        answer = chat.locator(".msg--team")
        expect(answer).to_contain_text("Да, привезём за 30 минут.")
        expect(answer.locator(".msg__author")).to_contain_text("Кофейня на Арбате")
        customer.shot("03-answer-live")

        # The owner posts to the channel; the subscriber sees it in the feed.
        owner.page.goto(f"/cabinet/b/{shop['id']}/channel")
        owner.page.fill("#text", "С понедельника у нас новые завтраки!")
        owner.page.click("#publish")
        expect(owner.page.locator("#posts")).to_contain_text("новые завтраки")
        owner.shot("03-channel")
        feed = customer.page.request.get(f"/api/businesses/{shop['id']}/channel/messages")
        assert feed.ok
        assert feed.json()["data"]["items"][0]["text"] == "С понедельника у нас новые завтраки!"
        customer.page.goto(f"/b/{shop['slug']}")
        expect(customer.page.locator("#channel-posts")).to_contain_text("новые завтраки")
        customer.shot("04-feed")

        customer.assert_clean()
        owner.assert_clean()
    finally:
        for context in contexts:
            context.close()
