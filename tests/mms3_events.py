"""Events of the mms3 stand-in, in the shape of MMS3_CONTRACT.md, published to RabbitMQ.

Exchange `chat3_events` (topic, durable), routing key `{entityType}.{action}.{tenantId}`,
persistent JSON messages with headers eventType, entityType and tenantId.
"""

import json
import threading
import time
import uuid

import pika

from tests.broker import pika_parameters

# eventType → (entityType, action) of the routing key; the pre-0.0.71 names.
EVENTS = {
    "message.create": ("message", "create"),
    "dialog.member.add": ("dialogMember", "add"),
    "message.status.update": ("messageStatus", "update"),
}


def now_ms():
    return time.time() * 1000.0  # a float: the contract allows a sub-millisecond part


def event_body(tenant, event_type, entity_id, actor_id, sections):
    """The full envelope; `sections` maps section name → dict (dialog, message, member…)."""
    context = {"version": 2, "eventType": event_type, "entityId": entity_id,
               "includedSections": [*sections, "actor"]}
    dialog = sections.get("dialog") or {}
    message = sections.get("message") or {}
    if dialog.get("dialogId") or message.get("dialogId"):
        context["dialogId"] = dialog.get("dialogId") or message.get("dialogId")
    if message.get("messageId"):
        context["messageId"] = message["messageId"]
    return {
        "eventId": f"evt_{uuid.uuid4().hex}",
        "tenantId": tenant,
        "eventType": event_type,
        "entityType": EVENTS[event_type][0],
        "entityId": entity_id,
        "actorId": actor_id,
        "actorType": "api",
        "createdAt": now_ms(),
        "data": {"context": context, **sections,
                 "actor": {"actorId": actor_id, "actorType": "api"}},
    }


class EventPublisher:
    """One pika connection shared by the stand-in's request threads (pika is not thread-safe,
    hence the lock); reopened once when the broker dropped it."""

    def __init__(self, amqp_url, exchange="chat3_events"):
        self.amqp_url = amqp_url
        self.exchange = exchange
        self.lock = threading.Lock()
        self.connection = None
        self.channel = None
        self.published = []  # (routing key, body) of each event, for tests

    def _open(self):
        self.connection = pika.BlockingConnection(pika_parameters(self.amqp_url))
        self.channel = self.connection.channel()
        self.channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)

    def publish(self, tenant, event_type, entity_id, actor_id, sections):
        body = event_body(tenant, event_type, entity_id, actor_id, sections)
        entity_type, action = EVENTS[event_type]
        key = f"{entity_type}.{action}.{tenant}"
        properties = pika.BasicProperties(
            content_type="application/json", delivery_mode=pika.DeliveryMode.Persistent,
            headers={"eventType": event_type, "entityType": entity_type, "tenantId": tenant})
        payload = json.dumps(body).encode()
        with self.lock:
            for attempt in (1, 2):
                try:
                    if self.channel is None or self.channel.is_closed:
                        self._open()
                    self.channel.basic_publish(self.exchange, key, payload, properties)
                    break
                except pika.exceptions.AMQPError:
                    self.channel = None
                    if attempt == 2:
                        raise
            self.published.append((key, body))
        return body

    def close(self):
        with self.lock:
            if self.connection is not None and self.connection.is_open:
                self.connection.close()
            self.connection = self.channel = None
