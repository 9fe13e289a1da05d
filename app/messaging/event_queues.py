"""The RabbitMQ side of the mms3 events consumer, shared by the consumer (tasks/consumer.py) and
the dead-letter tools (app/messaging/dead_letters.py): connection parameters, the queues' names
and their declaration.

- `<EVENTS_QUEUE>`: durable, bound to the mms3 exchange for the keys the platform handles.
- `<EVENTS_QUEUE>.retry`: a failed event waits here (per-message expiration) and then goes
  back to the main queue through the broker's dead-lettering, so retries are delayed without
  blocking the consumer.
- `<EVENTS_QUEUE>.dead`: events that are malformed or failed every attempt; the back office
  and `flask events dead-letters` show, requeue or discard them.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.frame import Method

# Routing keys `{entityType}.{action}` (MMS3_CONTRACT.md), each bound with `.{tenant}`; both
# namings of the status change (before and after mms3 0.0.71).
BINDINGS = ("message.create", "dialogMember.add", "messageStatus.update", "messageStatus.changed")
# How many times the consumer has failed to handle a message, carried along its retries.
ATTEMPTS_HEADER = "x-attempts"


@dataclass(frozen=True)
class Names:
    exchange: str
    queue: str
    retry: str
    dead: str


def names(config: Mapping[str, Any]) -> Names:
    queue = config["EVENTS_QUEUE"]
    return Names(config["MMS3_EVENTS_EXCHANGE"], queue, f"{queue}.retry", f"{queue}.dead")


def routing_keys(config: Mapping[str, Any]) -> list[str]:
    return [f"{key}.{config['MMS3_TENANT_ID']}" for key in BINDINGS]


def parameters(url: str) -> pika.URLParameters:
    """pika's parameters for `url`; pika reads the vhost of `amqp://…//` (kombu's way to say
    "/") as empty, so that is spelled `%2F` here. One attempt: callers back off themselves."""
    if url.endswith("//"):
        url = url[:-1] + "%2F"
    params = pika.URLParameters(url)
    params.connection_attempts = 1
    params.socket_timeout = 5
    params.blocked_connection_timeout = 30
    return params


def connect(url: str) -> pika.BlockingConnection:
    return pika.BlockingConnection(parameters(url))


def declare_dead(channel: BlockingChannel, config: Mapping[str, Any]) -> Method:
    """Declare the dead-letter queue (idempotent); returns pika's declare-ok frame."""
    return channel.queue_declare(names(config).dead, durable=True)


def declare(channel: BlockingChannel, config: Mapping[str, Any]) -> Names:
    """Declare the exchange, the three queues and the bindings (all idempotent)."""
    found = names(config)
    channel.exchange_declare(found.exchange, exchange_type="topic", durable=True)
    channel.queue_declare(found.queue, durable=True)
    for key in routing_keys(config):
        channel.queue_bind(found.queue, found.exchange, routing_key=key)
    channel.queue_declare(found.retry, durable=True, arguments={
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": found.queue})
    declare_dead(channel, config)
    return found
