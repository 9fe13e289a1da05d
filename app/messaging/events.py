"""Messaging events in the shape of MMS3_CONTRACT.md, and the dispatcher that hands them to
listeners.

A handler is subscribed to an event type by its canonical name (`MESSAGE_CREATE`, …). Both
namings of mms3 (`*.update` before 0.0.71, `*.changed` after) map to one canonical name, so a
handler is written once.
"""

import secrets
from collections.abc import Callable

from app import clock
from app.lib.event_bus import EventBus, Handler

DEFAULT_TENANT = "tnt_default"

USER_CREATE = "user.create"
USER_UPDATE = "user.update"
DIALOG_CREATE = "dialog.create"
DIALOG_UPDATE = "dialog.update"
DIALOG_TYPING = "dialog.typing"
DIALOG_MEMBER_ADD = "dialog.member.add"
DIALOG_MEMBER_REMOVE = "dialog.member.remove"
DIALOG_MEMBER_UPDATE = "dialog.member.update"
MESSAGE_CREATE = "message.create"
MESSAGE_UPDATE = "message.update"
MESSAGE_STATUS_UPDATE = "message.status.update"
MESSAGE_REACTION_UPDATE = "message.reaction.update"

# Every event type we know, by each of its names, to its canonical name.
CANONICAL = {name: name for name in (
    USER_CREATE, USER_UPDATE, DIALOG_CREATE, DIALOG_UPDATE, DIALOG_TYPING, DIALOG_MEMBER_ADD,
    DIALOG_MEMBER_REMOVE, DIALOG_MEMBER_UPDATE, MESSAGE_CREATE, MESSAGE_UPDATE,
    MESSAGE_STATUS_UPDATE, MESSAGE_REACTION_UPDATE,
)}
CANONICAL.update({  # mms3 0.0.71 and later
    "user.changed": USER_UPDATE,
    "dialog.changed": DIALOG_UPDATE,
    "dialog.member.changed": DIALOG_MEMBER_UPDATE,
    "message.changed": MESSAGE_UPDATE,
    "message.status.changed": MESSAGE_STATUS_UPDATE,
    "message.reaction.changed": MESSAGE_REACTION_UPDATE,
})

SECTIONS = ("dialog", "message", "member", "statusUpdate", "reactionUpdate", "typing", "user",
            "actor")


class MalformedEvent(ValueError):
    """The body is not an event at all (the consumer dead-letters it)."""


def canonical(event_type: str) -> str | None:
    """The canonical name of an event type, or None when we do not know it."""
    return CANONICAL.get(event_type)


def make_event(event_type: str, entity_type: str, entity_id: str, *, actor_id: str,
               actor_type: str, tenant_id: str = DEFAULT_TENANT,
               **sections: dict | None) -> dict:
    """A contract-shaped body. `sections` are the data sections by their contract names
    (dialog=…, message=…, member=…, statusUpdate=…); None ones are left out."""
    if event_type not in CANONICAL:
        raise ValueError(f"unknown event type {event_type!r}")
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown event sections {sorted(unknown)}")
    data = {name: value for name, value in sections.items() if value is not None}
    data.setdefault("actor", {"actorId": actor_id, "actorType": actor_type})
    chat_dialog_id = next((section["dialogId"] for section in data.values()
                      if isinstance(section, dict) and section.get("dialogId")), None)
    context = {"version": 2, "eventType": event_type, "dialogId": chat_dialog_id,
               "entityId": entity_id, "includedSections": [s for s in SECTIONS if s in data]}
    if "message" in data:
        context["messageId"] = data["message"]["messageId"]
    return {
        "eventId": f"evt_{secrets.token_hex(16)}",
        "tenantId": tenant_id,
        "eventType": event_type,
        "entityType": entity_type,
        "entityId": entity_id,
        "actorId": actor_id,
        "actorType": actor_type,
        "createdAt": clock.epoch() * 1000,
        "data": {"context": context, **data},
    }


def validate(event: object) -> None:
    """Raise MalformedEvent unless `event` has what every handler relies on. Sections other
    than `context` are optional (minimal events exist), so they are not required here."""
    if not isinstance(event, dict):
        raise MalformedEvent("an event is a JSON object")
    for key in ("eventId", "eventType"):
        if not isinstance(event.get(key), str) or not event[key]:
            raise MalformedEvent(f"{key} must be a non-empty string")
    data = event.get("data", {})
    if not isinstance(data, dict) or not isinstance(data.get("context", {}), dict):
        raise MalformedEvent("data and data.context must be objects")
    created_at = event.get("createdAt")
    if created_at is not None and (isinstance(created_at, bool)
                                   or not isinstance(created_at, int | float)):
        raise MalformedEvent("createdAt is milliseconds since the epoch")


class Dispatcher:
    """Hands each event to the handlers subscribed to its type (app/listeners.py subscribes
    them by name: `dispatcher.subscribe(MESSAGE_CREATE, messages.record_message)`). Both names
    of a type reach the same handlers. `seen(event_id)`, when given, returns True for an event
    handled before (delivery is at-least-once); such an event is skipped."""

    def __init__(self, seen: Callable[[str], bool] | None = None):
        self._bus = EventBus()
        self.seen = seen

    def subscribe(self, event_type: str, handler: Handler) -> Handler:
        name = canonical(event_type)
        if name is None:
            raise ValueError(f"unknown event type {event_type!r}")
        return self._bus.subscribe(name, handler)

    def unsubscribe(self, event_type: str, handler: Handler) -> None:
        self._bus.unsubscribe(canonical(event_type), handler)

    def dispatch(self, event: dict) -> int:
        """Hand `event` to every handler of its type; returns how many were called. Unknown
        event types and already seen events are ignored (0)."""
        validate(event)
        name = canonical(event["eventType"])
        if name is None or (self.seen is not None and self.seen(event["eventId"])):
            return 0
        return self._bus.publish(name, event)


def chat_dialog_id_of(event: dict, section: str) -> str | None:
    """The messaging service's dialog id an event is about: from its `section` (message,
    statusUpdate, …), else from its context (a minimal event)."""
    data = event.get("data") or {}
    return (data.get(section) or {}).get("dialogId") or (data.get("context") or {}).get(
        "dialogId")
