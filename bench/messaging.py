"""Messaging: post → the bot's reply stored (embedded, and through mms3 + RabbitMQ), and the
events consumer's throughput. Figures print next to a baseline measured in the same run.

Run by hand from the repo root:  .venv/bin/python bench/messaging.py [--posts N] [--events N]

In-process, on fresh embedded stores in a temporary directory (settings from the shell that
would move the app off its defaults are ignored). Needs RabbitMQ at 127.0.0.1:5672 for the
mms3 rows; the mms3 side is the tests' stand-in (tests/mms3_standin.py), an HTTP server on
127.0.0.1 that keeps its data in memory and publishes contract events to RabbitMQ.

1. Embedded: a customer posts N messages outside business hours, so the bot answers each
   ("away"). Time from sending the POST to the bot's reply being stored (the reply is written
   by the in-process listener before the POST returns). Baseline: the same POST with the bot
   switched off (no reply to write).
2. mms3: the same, with the app talking to the stand-in over REST and the consumer (in a
   thread) receiving the stand-in's events from RabbitMQ: time from sending the POST until
   the bot's reply is stored in mms3 (polled every millisecond on the stand-in). Baseline:
   the POST alone (its REST round trips, no event).
3. Consumer: N message.create events for dialogs the platform does not hold, published to a
   queue of this run's own, then drained by the consumer (decode, validate, dedup by eventId,
   dispatch, ack). Baseline: a bare pika consumer that only acks the same number of messages.
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

for name in ("MONGODB_URI", "CELERY_BROKER_URL", "REDIS_URL", "MMS3_API_URL", "RABBITMQ_URL"):
    os.environ.pop(name, None)

AMQP = "amqp://guest:guest@127.0.0.1:5672/%2F"
CLOSED_HOURS = {"timezone": "UTC", "days": {"mon": [{"open": "00:00", "close": "00:01"}]}}


def build_app(workdir, **extra):
    from app import create_app, migrate

    settings = {"APP_ENV": "testing", "INSTANCE_PATH": str(workdir / "instance"),
                "EMBEDDED_STORE_PATH": str(workdir / "store.sqlite3"),
                "UPLOADS_PATH": str(workdir / "uploads"), "LOG_LEVEL": "WARNING",
                "PUBLIC_BASE_URL": "http://bench.local", "CELERY_BROKER_URL": "",
                "REDIS_URL": "", "MMS3_API_URL": "",
                # One sender posts hundreds of messages here: the per-person limit (30 a
                # minute) is raised for the bench's own sender; its check still runs.
                "MESSAGES_PER_MINUTE": "1000000/minute", **extra}
    app = create_app(settings)
    with app.app_context():
        migrate.run(echo=lambda _line: None)
    return app


def quiet_logs():
    import logging

    logging.getLogger().setLevel(logging.ERROR)


def world(app, bot_on):
    from app import clock
    from tests.conversations.dialog_world import World, make_world

    clock.freeze(datetime(2026, 11, 24, 3, 0))  # a Tuesday night: outside the hours
    client = app.test_client()
    settings = {"autoReplyEnabled": bot_on, "autoReplyMessage": "Мы закрыты, ответим утром",
                "businessHours": CLOSED_HOURS}
    shop = make_world(app, client, **settings)
    started = client.post(f"/api/businesses/{shop.business_id}/start-dialog",
                          headers=World.bearer(shop.customer))
    return client, World.bearer(shop.customer), started.get_json()["data"]["id"]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def row(label, samples_ms, baseline_ms=None):
    median = statistics.median(samples_ms)
    line = f"  {label:<44} median {median:7.2f} ms   p95 {percentile(samples_ms, .95):7.2f} ms"
    if baseline_ms:
        line += f"   ×{median / statistics.median(baseline_ms):.2f} of the baseline"
    print(line)


def embedded_posts(posts):
    times = {}
    for bot_on in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            app = build_app(Path(tmp))
            client, headers, dialog_id = world(app, bot_on)
            url = f"/api/dialogs/{dialog_id}/messages"
            samples = []
            for n in range(posts):
                started = time.perf_counter()
                answer = client.post(url, json={"text": f"Вопрос {n}"}, headers=headers)
                samples.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 201, answer.get_json()
            if bot_on:
                with app.app_context():
                    from app.models import ChatMessage

                    replies = ChatMessage.objects(sender_id__startswith="bot_").count()
                assert replies == posts, f"the bot answered {replies} of {posts} posts"
            times[bot_on] = samples
    print("Embedded adapter (in-process, test client):")
    row("POST, bot off (baseline)", times[False])
    row("POST → the bot's reply stored", times[True], times[False])


def mms3_posts(posts):
    from app.models import Conversation
    from tasks.consumer import EventConsumer
    from tests.mms3_standin import Mms3StandIn

    exchange = f"bench-chat3-{uuid.uuid4().hex[:8]}"
    standin = Mms3StandIn(amqp_url=AMQP, exchange=exchange).start()
    tenant = f"tnt_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp), MMS3_API_URL=standin.url, MMS3_API_KEY=standin.api_key,
                        MMS3_TENANT_ID=tenant, RABBITMQ_URL=AMQP,
                        MMS3_EVENTS_EXCHANGE=exchange, EVENTS_QUEUE=f"bench-{tenant}")
        client, headers, dialog_id = world(app, True)
        with app.app_context():
            mms3_dialog = Conversation.objects.get(id=dialog_id).chat_dialog_id
        consumer = EventConsumer(app, AMQP, initial_backoff=0.1, poll_seconds=0.05)
        thread = threading.Thread(target=consumer.run, daemon=True)
        thread.start()
        consumer.consuming.wait(30)
        url = f"/api/dialogs/{dialog_id}/messages"
        post_only, to_reply = [], []
        try:
            for n in range(posts):
                before = bot_count(standin, tenant, mms3_dialog)
                started = time.perf_counter()
                answer = client.post(url, json={"text": f"Вопрос {n}"}, headers=headers)
                post_only.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 201, answer.get_json()
                deadline = time.monotonic() + 10
                while bot_count(standin, tenant, mms3_dialog) <= before:
                    assert time.monotonic() < deadline, "no bot reply within 10 s"
                    time.sleep(0.001)
                to_reply.append((time.perf_counter() - started) * 1000)
        finally:
            consumer.stop()
            thread.join(30)
            drop_queues(app)
            standin.stop()
    print("mms3 adapter (stand-in over HTTP, events over RabbitMQ, consumer in a thread):")
    row("POST alone (baseline)", post_only)
    row("POST → event → consumer → bot reply in mms3", to_reply, post_only)


def bot_count(standin, tenant, dialog_id):
    with standin.lock:
        return sum(1 for (t, _id), m in standin.messages.items()
                   if t == tenant and m.get("dialogId") == dialog_id
                   and str(m.get("senderId", "")).startswith("bot_"))


def drop_queues(app):
    import pika

    from app.messaging import event_queues

    names = event_queues.names(app.config)
    connection = pika.BlockingConnection(pika.URLParameters(AMQP))
    channel = connection.channel()
    for queue in (names.queue, names.retry, names.dead):
        channel.queue_delete(queue)
    channel.exchange_delete(names.exchange)
    connection.close()


def consumer_throughput(count):
    import json

    import pika

    from app.messaging import event_queues
    from app.messaging.events import MESSAGE_CREATE
    from tasks.consumer import EventConsumer
    from tests.mms3_events import event_body

    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp), RABBITMQ_URL=AMQP,
                        MMS3_EVENTS_EXCHANGE=f"bench-x-{uuid.uuid4().hex[:8]}",
                        EVENTS_QUEUE=f"bench-events-{uuid.uuid4().hex[:8]}")
        names = event_queues.names(app.config)
        connection = pika.BlockingConnection(pika.URLParameters(AMQP))
        channel = connection.channel()
        event_queues.declare(channel, app.config)

        def fill():
            for n in range(count):
                body = event_body("tnt_default", "message.create", f"msg_{n}", "usr_1", {
                    "message": {"messageId": f"msg_{uuid.uuid4().hex}", "dialogId": "dlg_x",
                                "senderId": "usr_1", "type": "internal.text",
                                "content": "hi"}})
                channel.basic_publish(names.exchange, "message.create.tnt_default",
                                      json.dumps(body).encode(),
                                      pika.BasicProperties(delivery_mode=2))

        # Baseline: a bare consumer that only acks.
        fill()
        bare = pika.BlockingConnection(pika.URLParameters(AMQP)).channel()
        bare.basic_qos(prefetch_count=app.config["EVENTS_PREFETCH"])
        started = time.perf_counter()
        for method, _props, _body in bare.consume(names.queue, inactivity_timeout=5):
            if method is None:
                break
            bare.basic_ack(method.delivery_tag)
            if method.delivery_tag >= count:
                break
        bare_seconds = time.perf_counter() - started
        bare.cancel()
        bare.connection.close()

        fill()
        counter = Counter()
        app.extensions["messaging"].dispatcher.subscribe(MESSAGE_CREATE,
                                                         counter.message_created)
        consumer = EventConsumer(app, AMQP, initial_backoff=0.1, poll_seconds=0.05)
        thread = threading.Thread(target=consumer.run, daemon=True)
        started = time.perf_counter()
        thread.start()
        deadline = time.monotonic() + 300
        while counter.seen < count:
            assert time.monotonic() < deadline, f"only {counter.seen} events handled"
            time.sleep(0.005)
        ours = time.perf_counter() - started
        consumer.stop()
        thread.join(30)
        connection.close()
        drop_queues(app)
    print(f"Consumer ({count} message.create events, prefetch {app.config['EVENTS_PREFETCH']}):")
    print(f"  bare pika ack-only consumer (baseline)      {count / bare_seconds:8.0f} events/s")
    print(f"  EventConsumer (decode, dedup, dispatch, ack) {count / ours:8.0f} events/s"
          f"   ×{(count / ours) / (count / bare_seconds):.2f} of the baseline")


class Counter:
    """A listener that counts the events handed to it."""

    seen = 0

    def message_created(self, _event):
        self.seen += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=100)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    quiet_logs()
    embedded_posts(args.posts)
    mms3_posts(args.posts)
    consumer_throughput(args.events)


if __name__ == "__main__":
    main()
