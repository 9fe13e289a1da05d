"""The contract's entity shapes (MMS3_CONTRACT.md) of the embedded store's documents.
Timestamps are milliseconds since the epoch, as in the contract's events."""

import base64
import binascii
import json
from datetime import datetime, timedelta

from app import clock
from app.models.messaging import (
    ChatDialog,
    ChatMember,
    ChatMessage,
    ChatMessageStatus,
    ChatUser,
)

_EPOCH = datetime(1970, 1, 1)
_MS = timedelta(milliseconds=1)


def ms(value: datetime | None) -> float | None:
    """A naive UTC datetime as milliseconds since the epoch; None stays None."""
    return None if value is None else (value - _EPOCH) / _MS


def from_ms(value: float) -> datetime:
    return _EPOCH + timedelta(milliseconds=value)


def now_ms() -> datetime:
    """Now, cut to the millisecond as MongoDB stores it, so a cursor compares exactly."""
    now = clock.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def encode_cursor(at: datetime, item_id: str) -> str:
    """An opaque page cursor: base64 of the last item's (time in ms, id)."""
    raw = json.dumps([int(ms(at)), item_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """(time, id) of a cursor; ValueError for anything else (a forged one included)."""
    try:
        at, item_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(at, int) or not isinstance(item_id, str):
            raise ValueError
        return from_ms(at), item_id  # a forged huge time overflows here
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, OverflowError):
        raise ValueError("not a cursor from a previous page") from None


def user(doc: ChatUser) -> dict:
    return {"userId": doc.id, "name": doc.name, "type": doc.type, "createdAt": ms(doc.created_at)}


def dialog(doc: ChatDialog, tenant_id: str) -> dict:
    return {
        "dialogId": doc.id, "tenantId": tenant_id, "name": doc.name, "createdBy": doc.created_by,
        "meta": dict(doc.tags), "createdAt": ms(doc.created_at), "updatedAt": ms(doc.updated_at),
        "lastMessageAt": ms(doc.last_message_at),
    }


def member(doc: ChatMember) -> dict:
    return {
        "dialogId": doc.chat_dialog_id, "userId": doc.user_id, "type": doc.type, "meta": {},
        "state": {"unreadCount": doc.unread_count, "lastSeenAt": ms(doc.last_seen_at),
                  "lastMessageAt": ms(doc.last_message_at), "isActive": doc.is_active},
    }


def message(doc: ChatMessage, sender: ChatUser | None = None) -> dict:
    shaped = {
        "messageId": doc.id, "dialogId": doc.chat_dialog_id, "senderId": doc.sender_id,
        "type": doc.type, "content": doc.content, "meta": dict(doc.tags),
        "createdAt": ms(doc.created_at), "editedAt": ms(doc.edited_at),
        "reactionCounts": dict(doc.reaction_counts),
    }
    if sender is not None:
        shaped["senderInfo"] = {"userId": sender.id, "name": sender.name, "meta": {}}
    return shaped


def status_update(doc: ChatMessageStatus) -> dict:
    return {
        "messageId": doc.message_id, "dialogId": doc.chat_dialog_id, "userId": doc.user_id,
        "status": doc.status, "readAt": ms(doc.at) if doc.status == "read" else None,
        "createdAt": ms(doc.at),
    }
