"""The mms3 events consumer (tasks/consumer.py) against the real RabbitMQ of this machine.

Each test has its own exchange and queues (deleted after). The consumer runs in a thread of
the test, except for the SIGTERM test, which runs `flask events consume` as a process. Whether
a message was acknowledged is read after the consumer stopped: a message it left
unacknowledged is back in the queue by then.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pika
import pytest

from app.messaging import dead_letters, event_queues, events, runtime
from app.models import HandledEvent
from tasks.consumer import EventConsumer
from tests.broker import pika_parameters
from tests.mms3_events import event_body
from tests.tcp_proxy import Proxy

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")
TENANT = "tnt_default"
DEADLINE_SECONDS = 30
MAX_ATTEMPTS = 3


def wait_until(predicate, what, seconds=DEADLINE_SECONDS):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


class Recorder:
    """A listener that records what it handled; `failures[eventId]` makes it raise that many
    times first (-1: always)."""

    def __init__(self):
        self.handled, self.calls, self.failures = [], [], {}

    def _on(self, event):
        self.calls.append(event["eventId"])
        left = self.failures.get(event["eventId"], 0)
        if left:
            self.failures[event["eventId"]] = left - 1
            raise RuntimeError(f"listener broke on {event['eventId']}")
        self.handled.append((event["eventType"], event["eventId"]))

    def subscribe(self, dispatcher):
        for event_type in (events.MESSAGE_CREATE, events.DIALOG_MEMBER_ADD,
                           events.MESSAGE_STATUS_UPDATE):
            dispatcher.subscribe(event_type, self._on)

    def ids(self):
        return [event_id for _type, event_id in self.handled]


class Broker:
    """The test's side of RabbitMQ: publish raw bodies, count and delete the queues."""

    def __init__(self, app, url):
        self.config, self.url = app.config, url
        self.names = event_queues.names(app.config)
        self.connection = pika.BlockingConnection(pika_parameters(url))
        self.channel = self.connection.channel()
        event_queues.declare(self.channel, app.config)  # so messages wait for the consumer

    def publish(self, key, body, event_type=None):
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"eventType": event_type or (body.get("eventType") if isinstance(body, dict)
                                               else "?"), "tenantId": TENANT}
        self.channel.basic_publish(self.names.exchange, f"{key}.{TENANT}", payload,
                                   pika.BasicProperties(content_type="application/json",
                                                        delivery_mode=2, headers=headers))
        return body

    def event(self, event_type="message.create", key="message.create"):
        body = event_body(TENANT, "message.create", f"msg_{uuid.uuid4().hex[:8]}", "usr_1", {
            "message": {"messageId": f"msg_{uuid.uuid4().hex[:8]}", "dialogId": "dlg_1",
                        "senderId": "usr_1", "type": "internal.text", "content": "Hi"}})
        body["eventType"] = event_type
        return self.publish(key, body)

    def counts(self):
        """Messages ready in (main, retry, dead)."""
        return tuple(self.channel.queue_declare(name, passive=True).method.message_count
                     for name in (self.names.queue, self.names.retry, self.names.dead))

    def close(self):
        for name in (self.names.queue, self.names.retry, self.names.dead):
            self.channel.queue_delete(name)
        self.channel.exchange_delete(self.names.exchange)
        self.connection.close()


@pytest.fixture
def events_app(make_app, rabbitmq_url):
    """An app consuming an exchange and queues of this test's own, with quick retries."""
    suffix = uuid.uuid4().hex[:12]
    app = make_app(RABBITMQ_URL=rabbitmq_url, MMS3_EVENTS_EXCHANGE=f"bank-test-x-{suffix}",
                   EVENTS_QUEUE=f"bank-test-events-{suffix}", EVENTS_RETRY_SECONDS="0.05",
                   EVENTS_MAX_ATTEMPTS=str(MAX_ATTEMPTS))
    if "messaging" not in app.extensions:
        runtime.init_messaging(app)
    return app


@pytest.fixture
def recorder(events_app):
    listener = Recorder()
    listener.subscribe(events_app.extensions["messaging"].dispatcher)
    return listener


@pytest.fixture
def broker(events_app, rabbitmq_url):
    broker = Broker(events_app, rabbitmq_url)
    yield broker
    broker.close()


@contextmanager
def consuming(app, url=None):
    """A consumer running in a thread; stopped (and seen to stop) at the end."""
    consumer = EventConsumer(app, url or app.config["RABBITMQ_URL"], initial_backoff=0.1,
                             max_backoff=0.5, poll_seconds=0.1)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        wait_until(consumer.consuming.is_set, "the consumer to connect")
        yield consumer
    finally:
        consumer.stop()
        thread.join(DEADLINE_SECONDS)
        assert not thread.is_alive(), "the consumer did not stop"


def test_events_of_each_bound_key_are_handled_and_acknowledged(events_app, recorder, broker):
    created = broker.event()
    member = broker.event("dialog.member.add", "dialogMember.add")
    status = broker.event("message.status.update", "messageStatus.update")

    with consuming(events_app):
        wait_until(lambda: len(recorder.handled) == 3, "three events handled")

    assert recorder.handled == [("message.create", created["eventId"]),
                                ("dialog.member.add", member["eventId"]),
                                ("message.status.update", status["eventId"])]
    assert broker.counts() == (0, 0, 0)  # all acknowledged
    with events_app.app_context():
        assert HandledEvent.objects(id="evt:" + created["eventId"]).first().done is True


def test_the_status_changed_naming_is_handled(events_app, recorder, broker):
    changed = broker.event("message.status.changed", "messageStatus.changed")

    with consuming(events_app):
        wait_until(lambda: recorder.handled, "the event handled")

    # mms3 0.0.71+ names it `.changed`; the listener's method is the canonical one.
    assert recorder.handled == [("message.status.changed", changed["eventId"])]
    assert broker.counts() == (0, 0, 0)


def test_the_same_event_delivered_twice_is_handled_once(events_app, recorder, broker):
    twice = broker.event()
    broker.publish("message.create", twice)
    after = broker.event()  # one queue, one consumer: handled after both copies

    with consuming(events_app):
        wait_until(lambda: after["eventId"] in recorder.ids(), "the next event handled")

    assert recorder.ids() == [twice["eventId"], after["eventId"]]
    assert broker.counts() == (0, 0, 0)  # the duplicate was acknowledged too


def test_a_listener_failing_twice_is_retried_until_it_succeeds(events_app, recorder, broker):
    flaky = broker.event()
    recorder.failures[flaky["eventId"]] = 2

    with consuming(events_app):
        wait_until(lambda: recorder.handled, "the event handled")

    assert recorder.calls == [flaky["eventId"]] * 3
    assert recorder.ids() == [flaky["eventId"]]
    assert broker.counts() == (0, 0, 0)


def test_poison_messages_are_dead_lettered_and_the_consumer_goes_on(events_app, recorder, broker):
    broker.publish("message.create", b"{not json", event_type="message.create")
    broker.publish("message.create", {"eventType": "message.create"})  # JSON, but no eventId
    poison = broker.event()
    recorder.failures[poison["eventId"]] = -1  # fails every time
    good = broker.event()

    with consuming(events_app):
        wait_until(lambda: good["eventId"] in recorder.ids(), "the good event handled")
        wait_until(lambda: broker.counts()[2] == 3, "three dead letters")

    assert recorder.ids() == [good["eventId"]]
    assert recorder.calls.count(poison["eventId"]) == MAX_ATTEMPTS  # bounded
    assert broker.counts() == (0, 0, 3)
    waiting, letters = dead_letters.peek(events_app.config)
    assert waiting == 3
    by_body = {letter["body"]: letter for letter in letters}
    assert by_body["{not json"]["error"].startswith("malformed")
    assert by_body["{not json"]["attempts"] == 1
    failed = next(letter for letter in letters if letter["eventId"] == poison["eventId"])
    assert failed["attempts"] == MAX_ATTEMPTS
    assert f"listener broke on {poison['eventId']}" in failed["error"]
    assert failed["routingKey"] == f"message.create.{TENANT}"  # not the retry queue's
    assert broker.counts()[2] == 3  # peeking took nothing away


def test_unknown_event_types_are_acknowledged_and_ignored(events_app, recorder, broker):
    unknown = broker.event("poll.vote")
    after = broker.event()

    with consuming(events_app):
        wait_until(lambda: after["eventId"] in recorder.ids(), "the next event handled")

    assert unknown["eventId"] not in recorder.calls
    assert broker.counts() == (0, 0, 0)


def test_the_consumer_reconnects_when_rabbitmq_restarts(events_app, recorder, broker):
    proxy = Proxy()
    proxy.restore()
    try:
        with consuming(events_app, proxy.url) as consumer:
            before = broker.event()
            wait_until(lambda: before["eventId"] in recorder.ids(), "the first event handled")

            proxy.cut()
            wait_until(lambda: not consumer.consuming.is_set(), "the consumer to notice")
            meanwhile = broker.event()  # published straight to RabbitMQ while cut off
            proxy.restore()

            wait_until(lambda: meanwhile["eventId"] in recorder.ids(), "the event handled")
            assert consumer.consuming.is_set()
    finally:
        proxy.cut()

    assert recorder.ids() == [before["eventId"], meanwhile["eventId"]]
    assert broker.counts() == (0, 0, 0)


class GatedListener:
    """For `flask events consume` in a process: handles message.create slowly, until the test
    opens the gate. Writes `started-<eventId>` when it begins and appends to `handled`."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def message_created(self, event):
        (self.folder / f"started-{event['eventId']}").touch()
        while not (self.folder / "gate").exists():
            time.sleep(0.05)
        with open(self.folder / "handled", "a") as handled:
            handled.write(event["eventId"] + "\n")


def gated_consumer_app():
    """The app factory of the consumer process of the SIGTERM test (FLASK_APP)."""
    from app import create_app

    app = create_app()
    if "messaging" not in app.extensions:
        runtime.init_messaging(app)
    app.extensions["messaging"].dispatcher.subscribe(
        events.MESSAGE_CREATE, GatedListener(os.environ["TEST_GATE_DIR"]).message_created)
    return app


def consumer_environment(app, folder):
    config = app.config
    env = dict(
        os.environ, FLASK_APP="tests.tasks.test_consumer:gated_consumer_app", APP_ENV="testing",
        INSTANCE_PATH=app.instance_path, EMBEDDED_STORE_PATH=config["EMBEDDED_STORE_PATH"],
        UPLOADS_PATH=config["UPLOADS_PATH"], CELERY_BROKER_URL="", REDIS_URL="",
        MMS3_API_URL="", RABBITMQ_URL=config["RABBITMQ_URL"],
        MMS3_EVENTS_EXCHANGE=config["MMS3_EVENTS_EXCHANGE"], EVENTS_QUEUE=config["EVENTS_QUEUE"],
        MONGODB_DB=config["MONGODB_DB"] or "", TEST_GATE_DIR=str(folder), PYTHONUNBUFFERED="1")
    if config["MONGODB_URI"]:
        env["MONGODB_URI"] = config["MONGODB_URI"]
    return env


def test_sigterm_finishes_the_message_in_hand_and_loses_none(events_app, broker, tmp_path):
    in_hand, waiting = broker.event(), broker.event()  # both prefetched by the consumer
    output = open(tmp_path / "consumer.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen([str(FLASK), "events", "consume"], cwd=ROOT,
                               env=consumer_environment(events_app, tmp_path),
                               stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: (tmp_path / f"started-{in_hand['eventId']}").exists()
                   or process.poll() is not None, "the first event in hand")
        assert process.poll() is None, (tmp_path / "consumer.log").read_text()

        process.send_signal(signal.SIGTERM)  # mid-handling: the listener waits at the gate
        (tmp_path / "gate").touch()
        code = process.wait(DEADLINE_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        output.close()

    log = (tmp_path / "consumer.log").read_text()
    assert code == 0, log
    # The one in hand was finished and acknowledged; the other one is back in the queue.
    assert (tmp_path / "handled").read_text().split() == [in_hand["eventId"]]
    assert broker.counts() == (1, 0, 0), log
    method, _props, body = broker.channel.basic_get(broker.names.queue, auto_ack=True)
    assert json.loads(body)["eventId"] == waiting["eventId"]
    assert "events consumer stopped" in log


def test_the_dead_letters_command_lists_requeues_and_purges(events_app, broker):
    original = pika.BasicProperties(headers={"eventType": "message.create"})
    ids = []
    for event_id in ("evt_one", "evt_two", "evt_three"):
        props = dead_letters.properties(original, error=f"broke on {event_id}", attempts=3,
                                        routing_key=f"message.create.{TENANT}")
        broker.channel.basic_publish("", broker.names.dead, json.dumps(
            {"eventId": event_id, "eventType": "message.create"}).encode(), props)
        ids.append(props.headers[dead_letters.ID_HEADER])
    runner = events_app.test_cli_runner()

    listed = runner.invoke(args=["events", "dead-letters"])
    assert listed.exit_code == 0, listed.output
    assert "broke on evt_two" in listed.output and "3 dead letter(s)" in listed.output
    assert broker.counts() == (0, 0, 3)

    requeued = runner.invoke(args=["events", "dead-letters", "--requeue", "--id", ids[1]])
    assert "1 dead letter(s) requeued" in requeued.output
    assert broker.counts() == (1, 0, 2)

    purged = runner.invoke(args=["events", "dead-letters", "--purge"])
    assert "2 dead letter(s) purged" in purged.output
    assert broker.counts() == (1, 0, 0)


def test_consume_refuses_to_start_without_a_broker(make_app):
    result = make_app().test_cli_runner().invoke(args=["events", "consume"])

    assert result.exit_code != 0
    assert "RABBITMQ_URL is not set" in result.output
