"""The mms3 events consumer: RabbitMQ → the app's dispatcher (`flask events consume`).

Delivery is at-least-once, so a message is acknowledged only once it is dealt with: handled,
recognised as a duplicate (the event log, by `eventId`), ignored (an unknown type), sent to the
retry queue or dead-lettered. The queues are described in app/messaging/event_queues.py.

The consumer pulls messages with a short inactivity timeout rather than pika's callbacks, so
`stop()` (from a signal handler or another thread) only sets a flag: the message in hand is
finished and acknowledged, and the ones prefetched but not started go back to the queue.
"""

import json
import logging
import threading

import pika

from app import db
from app.lib import event_log, metrics
from app.messaging import dead_letters, event_queues, events, runtime

log = logging.getLogger("bank.events")

# How long an event in hand stays claimed if its process dies before finishing it; handlers
# take far less. After that, a redelivered copy may be handled.
LEASE_SECONDS = 300
MAX_RETRY_DELAY_SECONDS = 300


class InHand(RuntimeError):
    """Another consumer holds the event right now (or died holding it): try again later."""


class EventConsumer:
    """`run()` consumes until `stop()`; it reconnects with capped exponential backoff whenever
    the connection drops."""

    def __init__(self, app, url=None, *, initial_backoff=0.5, max_backoff=30.0,
                 poll_seconds=0.5):
        config = app.config
        self.app = app
        self.url = url or config["RABBITMQ_URL"]
        self.names = event_queues.names(config)
        self.prefetch = config["EVENTS_PREFETCH"]
        self.max_attempts = config["EVENTS_MAX_ATTEMPTS"]
        self.retry_seconds = config["EVENTS_RETRY_SECONDS"]
        self.dedup_hours = config["EVENTS_DEDUP_HOURS"]
        self.initial_backoff, self.max_backoff = initial_backoff, max_backoff
        self.poll_seconds = poll_seconds
        self.consuming = threading.Event()  # set while connected and consuming
        self._stopping = threading.Event()
        self._connection = None

    def stop(self):
        """Ask `run()` to return after the message in hand. Safe from a signal handler."""
        self._stopping.set()

    def run(self):
        backoff = self.initial_backoff
        while not self._stopping.is_set():
            try:
                self._consume()
            except (pika.exceptions.AMQPError, OSError) as exc:
                if self.consuming.is_set():  # it had worked: start the backoff over
                    backoff = self.initial_backoff
                self.consuming.clear()
                log.warning("events connection lost", extra={
                    "error": repr(exc), "retry_in_seconds": backoff})
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)
            finally:
                self._close()
        log.info("events consumer stopped", extra={"queue": self.names.queue})

    def _consume(self):
        self._connection = event_queues.connect(self.url)
        channel = self._connection.channel()
        event_queues.declare(channel, self.app.config)
        channel.basic_qos(prefetch_count=self.prefetch)
        channel.confirm_delivery()  # a retry or dead letter is safe before the original goes
        self.consuming.set()
        log.info("events consumer started", extra={
            "queue": self.names.queue, "exchange": self.names.exchange})
        for method, props, body in channel.consume(self.names.queue,
                                                   inactivity_timeout=self.poll_seconds):
            if self._stopping.is_set():
                break
            if method is not None:
                self._handle(channel, method, props, body)
        channel.cancel()  # prefetched messages not started go back to the queue
        self.consuming.clear()

    def _close(self):
        connection, self._connection = self._connection, None
        if connection is not None and connection.is_open:
            try:
                connection.close()  # anything unacknowledged is redelivered
            except (pika.exceptions.AMQPError, OSError):
                pass  # already gone: the broker requeues on its own

    def _handle(self, channel, method, props, body):
        headers = props.headers or {}
        attempts = int(headers.get(event_queues.ATTEMPTS_HEADER) or 0)
        # Retries come back through the retry queue under another key: keep the first one.
        routing_key = headers.get(dead_letters.ROUTING_KEY_HEADER) or method.routing_key
        if isinstance(routing_key, bytes):
            routing_key = routing_key.decode(errors="replace")
        letter = (channel, method, props, body, routing_key)
        try:
            event = json.loads(body)
            events.validate(event)
        except (ValueError, RecursionError) as exc:  # not JSON, or not an event: dead at once
            return self._dead(letter, f"malformed: {exc}", attempts + 1)
        context = {"event_id": event["eventId"], "event_type": event["eventType"],
                   "routing_key": routing_key, "attempt": attempts + 1}
        if events.canonical(event["eventType"]) is None:
            log.info("event ignored: unknown type", extra=context)
            metrics.event_taken("ignored")
            return channel.basic_ack(method.delivery_tag)
        try:
            outcome = self._dispatch(event)
        except Exception as exc:  # any failure of a listener is retried, then dead-lettered
            return self._retry(letter, f"{exc.__class__.__name__}: {exc}", attempts + 1,
                               context)
        channel.basic_ack(method.delivery_tag)
        metrics.event_taken("duplicate" if outcome.startswith("skipped") else "handled",
                            event.get("createdAt"))
        log.info("event %s", outcome, extra=context)

    def _dispatch(self, event):
        key = "evt:" + event["eventId"]
        with self.app.app_context():
            db.refresh(self.app)  # see writes of the web processes (embedded store)
            if not event_log.claim(key, self.dedup_hours, lease_seconds=LEASE_SECONDS):
                if event_log.handled(key):
                    return "skipped: a duplicate"
                raise InHand("the event is in hand elsewhere")
            try:
                called = runtime.dispatcher().dispatch(event)
            except BaseException:
                event_log.release(key)  # so that the retry handles it
                raise
            event_log.keep(key, self.dedup_hours)
            return f"handled by {called} listener(s)"

    def _retry(self, letter, error, attempts, context):
        if attempts >= self.max_attempts:
            return self._dead(letter, error, attempts)
        channel, method, props, body, routing_key = letter
        delay = min(self.retry_seconds * 2 ** (attempts - 1), MAX_RETRY_DELAY_SECONDS)
        props.headers = {**(props.headers or {}), event_queues.ATTEMPTS_HEADER: attempts,
                         dead_letters.ROUTING_KEY_HEADER: routing_key}
        props.delivery_mode = pika.DeliveryMode.Persistent.value
        props.expiration = str(int(delay * 1000))  # then back to the main queue
        channel.basic_publish("", self.names.retry, body, props, mandatory=True)
        channel.basic_ack(method.delivery_tag)
        metrics.event_taken("retried")
        log.warning("event failed, will retry", extra={
            **context, "error": error, "retry_in_seconds": delay})

    def _dead(self, letter, error, attempts):
        channel, method, props, body, routing_key = letter
        dead = dead_letters.properties(props, error=error, attempts=attempts,
                                       routing_key=routing_key)
        channel.basic_publish("", self.names.dead, body, dead, mandatory=True)
        channel.basic_ack(method.delivery_tag)
        metrics.event_taken("dead_lettered")
        log.error("event dead-lettered", extra={
            "routing_key": routing_key, "attempt": attempts, "error": error,
            "dead_letter_id": dead.headers[dead_letters.ID_HEADER]})
