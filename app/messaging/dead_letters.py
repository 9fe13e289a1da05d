"""Dead letters of the mms3 events consumer: how one is made (the consumer), and peeking at,
requeueing and discarding them (the back office, `flask events dead-letters`).

A dead letter is the original body with the original headers plus ours: an id to act on it,
the error, the attempts made, when it failed and the routing key it came with. The queue has
no consumer, so reading it is done with `basic_get` without acknowledging: closing the channel
puts every message read back in its place.
"""

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from typing import Any

import pika

from app import clock
from app.messaging import event_queues

ID_HEADER = "x-dead-letter-id"
ERROR_HEADER = "x-error"
FAILED_AT_HEADER = "x-failed-at"
ROUTING_KEY_HEADER = "x-routing-key"
OURS = (ID_HEADER, ERROR_HEADER, FAILED_AT_HEADER, ROUTING_KEY_HEADER,
        event_queues.ATTEMPTS_HEADER)
MAX_ERROR = 1000
MAX_LIST = 200


class BrokerUnavailable(RuntimeError):
    """RabbitMQ is not configured or does not answer."""


def properties(original: pika.BasicProperties | None, *, error: object, attempts: int,
               routing_key: str | None) -> pika.BasicProperties:
    """The properties of a dead letter made from a message with `original` properties."""
    headers = dict((original.headers if original else None) or {})
    headers.update({
        ID_HEADER: uuid.uuid4().hex,
        ERROR_HEADER: str(error)[:MAX_ERROR],
        event_queues.ATTEMPTS_HEADER: attempts,
        FAILED_AT_HEADER: clock.isoformat(clock.now()),
        ROUTING_KEY_HEADER: routing_key or "",
    })
    return pika.BasicProperties(
        content_type=getattr(original, "content_type", None) or "application/json",
        delivery_mode=pika.DeliveryMode.Persistent, headers=headers)


def _text(value):
    return value.decode(errors="replace") if isinstance(value, bytes) else value


def describe(props: pika.BasicProperties, body: bytes) -> dict:
    """What the back office shows of one dead letter."""
    headers = {key: _text(value) for key, value in (props.headers or {}).items()}
    text = body.decode(errors="replace")
    try:
        event = json.loads(text)
    except ValueError:
        event = None
    event = event if isinstance(event, dict) else {}
    return {
        # A letter dead-lettered by something else than us has no id: its body's hash.
        "id": headers.get(ID_HEADER) or hashlib.sha256(body).hexdigest()[:32],
        "eventId": event.get("eventId"),
        "eventType": event.get("eventType") or headers.get("eventType"),
        "attempts": headers.get(event_queues.ATTEMPTS_HEADER, 0),
        "error": headers.get(ERROR_HEADER),
        "failedAt": headers.get(FAILED_AT_HEADER),
        "routingKey": headers.get(ROUTING_KEY_HEADER),
        "body": text,
    }


@contextmanager
def _channel(config):
    """A channel on RABBITMQ_URL, closed after (which puts unacknowledged letters back)."""
    url = config.get("RABBITMQ_URL")
    if not url:
        raise BrokerUnavailable("RABBITMQ_URL is not set")
    connection = None
    try:
        connection = event_queues.connect(url)
        yield connection.channel()
    except pika.exceptions.AMQPError as exc:
        raise BrokerUnavailable(f"RabbitMQ: {exc!r}") from None
    finally:
        if connection is not None and connection.is_open:
            connection.close()


def _read(channel, config, limit):
    """(method, properties, body) of up to `limit` dead letters, left unacknowledged."""
    waiting = event_queues.declare_dead(channel, config).method.message_count
    letters = []
    for _ in range(min(waiting, limit)):
        method, props, body = channel.basic_get(event_queues.names(config).dead, auto_ack=False)
        if method is None:
            break
        letters.append((method, props, body))
    return waiting, letters


def peek(config: Mapping[str, Any], limit: int = MAX_LIST) -> tuple[int, list[dict]]:
    """(how many are waiting, the first `limit` described); nothing leaves the queue."""
    with _channel(config) as channel:
        waiting, letters = _read(channel, config, limit)
        return waiting, [describe(props, body) for _method, props, body in letters]


def _act(config, ids, requeue):
    wanted = set(ids)
    with _channel(config) as channel:
        queue = event_queues.declare(channel, config).queue  # requeueing needs it to exist
        channel.confirm_delivery()  # the broker has the requeued copy before the letter goes
        done = 0
        for method, props, body in _read(channel, config, MAX_LIST * 50)[1]:
            if describe(props, body)["id"] not in wanted:
                continue
            if requeue:
                props.headers = {k: v for k, v in (props.headers or {}).items() if k not in OURS}
                channel.basic_publish("", queue, body, props, mandatory=True)
            channel.basic_ack(method.delivery_tag)
            done += 1
        return done


def requeue(config: Mapping[str, Any], ids: Iterable[str]) -> int:
    """Put these dead letters back on the main queue with fresh attempts; how many."""
    return _act(config, ids, requeue=True)


def discard(config: Mapping[str, Any], ids: Iterable[str]) -> int:
    """Delete these dead letters; how many."""
    return _act(config, ids, requeue=False)


def purge(config: Mapping[str, Any]) -> int:
    """Delete every dead letter; how many."""
    with _channel(config) as channel:
        event_queues.declare_dead(channel, config)
        return channel.queue_purge(event_queues.names(config).dead).method.message_count
