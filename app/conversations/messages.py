"""Messages of customer↔business dialogs: writing one, counting it on the dialog, reading a
page, and the one shape the API, the live stream and the cabinet show. Text is stored as
text; the pages render it with textContent, never as HTML.

A message's way, from `POST /api/dialogs/<id>/messages` (app/api/dialogs.py):
1. `post_message` checks who writes what and hands the text to the messaging service;
2. the service stores it and announces `message.create`, which app/listeners.py routes to
   `record_message` below (in-process with the embedded adapter; from RabbitMQ through
   `flask events consume` with mms3);
3. `record_message` counts it on the dialog and publishes `MessageRecorded` (app/events.py);
4. app/listeners.py names who hears that: the live updates, the push notifications, the bot.
"""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _

from app import clock
from app.businesses import customer_blocks
from app.conversations import dialogs, widget_sessions
from app.errors import Forbidden
from app.events import MessageRecorded, Typing
from app.lib import event_bus, event_log, rate_limits, text
from app.messaging import events, provisioning, shapes
from app.messaging.runtime import gateway
from app.models import Business, Conversation, Guest, SenderKind, User

TEXT_MAX = 4000
RESEND_HOURS = 24
TYPING_SECONDS = 5
PREVIEW = 200  # characters of the last message kept on the dialog for the lists
RECORD_HOURS = 48  # how long a message's counting is remembered: redeliveries come within minutes
_KINDS = {kind.value for kind in SenderKind}


# --- writing -----------------------------------------------------------------------------------

def post_message(user: User | Guest, conversation_id: str, raw_text: object,
                 client_id: str | None = None) -> dict:
    """Post as the customer, or as a team member with canReply (who joins the dialog).
    `client_id` (the widget's id for a message typed offline) makes a resend answer with the
    message already posted, marked `duplicate`, instead of posting it twice."""
    conversation, side = dialogs.check_can_post(user, conversation_id)
    body = text.clean_text(raw_text, TEXT_MAX)
    if getattr(user, "is_guest", False):
        widget_sessions.check_message_rate(user)
    else:
        rate_limits.hit(current_app.config["MESSAGES_PER_MINUTE"], "message", user.id,
                        _("You are writing too fast. Wait a moment."))
    business = Business.objects.get(id=conversation.business_id)
    if business.blocked or business.deleted_at is not None:
        raise Forbidden("business_unavailable", _("This business does not accept messages."))
    meta = {"side": side.kind.value, "authorName": provisioning.chat_name(user)}
    if side.kind is SenderKind.CUSTOMER:
        customer_blocks.check(business.id, user.id)
    else:
        dialogs.join(conversation, user)
        meta["businessName"] = business.name
    conversation = dialogs.ensure_dialog(conversation)
    if not client_id:
        message = gateway().post_message(conversation.chat_dialog_id, user.id, body, meta=meta)
        return shape(message, conversation, business)
    # Claimed only now, after every check: a refused or failed send can be sent again.
    key = f"msg:{conversation.id}:{client_id}"
    if not event_log.claim(key, RESEND_HOURS):
        return _sent_before(conversation, client_id)
    try:
        message = gateway().post_message(conversation.chat_dialog_id, user.id, body,
                                         meta={**meta, "clientId": client_id})
    except Exception:
        event_log.release(key)
        raise
    return shape(message, conversation, business)


def _sent_before(conversation, client_id):
    """The message a resend repeats, from the dialog's latest page; a stub when it is older
    or still being posted by the first request."""
    if conversation.chat_dialog_id:
        for message in gateway().list_messages(conversation.chat_dialog_id,
                                               limit=50)["messages"]:
            if (message.get("meta") or {}).get("clientId") == client_id:
                return {**shape(message, conversation), "duplicate": True}
    return {"id": None, "dialogId": conversation.id, "clientId": client_id, "duplicate": True}


def post_bot_message(conversation: Conversation, business: Business, body: str,
                     reason: str) -> dict:
    """The business's bot writes in the dialog (`reason`: greeting, auto_reply, away, …)."""
    conversation = dialogs.ensure_dialog(conversation, business)
    message = gateway().post_message(
        conversation.chat_dialog_id, provisioning.bot_id(business.id), body,
        meta={"side": SenderKind.BOT.value, "reason": reason, "authorName": business.name})
    return shape(message, conversation, business)


def send_typing(user: User | Guest, conversation_id: str) -> None:
    """Tell the dialog's open pages that this participant is typing (for a few seconds)."""
    conversation, side = dialogs.check_can_post(user, conversation_id)
    if conversation.chat_dialog_id:
        gateway().typing(conversation.chat_dialog_id, user.id)
    event_bus.publish(Typing(
        conversation_id=conversation.id, user_id=user.id, kind=side.kind,
        name=provisioning.chat_name(user),
        until=clock.now() + timedelta(seconds=TYPING_SECONDS)))


# --- counting (the messaging service's message.create) -----------------------------------------

def record_message(event: dict) -> None:
    """A message was stored in the messaging service: count it on its dialog once (last
    message, unread counters, re-opening, the first human reply), then publish
    MessageRecorded, also when the event is delivered again (pages drop a message they show
    already). Messages of dialogs that are not customers' (the channels) are left alone."""
    chat_dialog_id = events.chat_dialog_id_of(event, "message")
    conversation = Conversation.objects(chat_dialog_id=chat_dialog_id).first() \
        if chat_dialog_id else None
    if conversation is None:
        return
    message = event["data"].get("message") or {}
    if "content" not in message:  # a minimal event: read the message itself
        message = gateway().get_message(message.get("messageId")
                                        or event["data"]["context"].get("messageId"))
    kind = kind_of(message.get("senderId"), conversation, message.get("meta"))
    at = shapes.from_ms(message["createdAt"]) if message.get("createdAt") else clock.now()
    # A failed handling is delivered again: the counters move once.
    first = _record_once(conversation, message, kind, at)
    if not first and kind is SenderKind.CUSTOMER:
        # Counted by the handling that failed: the dialog as it was before is one less.
        conversation.customer_messages = max(0, conversation.customer_messages - 1)
    business = Business.objects.get(id=conversation.business_id)
    event_bus.publish(MessageRecorded(
        conversation=conversation, business=business,
        message=shape(message, conversation, business), kind=kind, first=first,
        copied=bool((message.get("meta") or {}).get("copied")), at=at))


def _record_once(conversation, message, kind, at):
    """_record, unless this message was recorded before; True when recorded now."""
    key = f"record:{message.get('messageId')}"
    if not event_log.claim(key, RECORD_HOURS):
        return False
    try:
        _record(conversation, message, kind, at)
    except Exception:
        event_log.release(key)
        raise
    return True


def _record(conversation, message, kind, at):
    """One atomic update of the conversation for a new message."""
    sets = {"lastMessage": {"id": message.get("messageId"),
                            "text": (message.get("content") or "")[:PREVIEW],
                            "senderId": message.get("senderId"), "kind": kind.value, "at": at},
            "lastMessageAt": at, "updatedAt": clock.now(), "customerArchived": False}
    sender = message.get("senderId")
    others = [p for p in conversation.participants if p != sender]
    if kind is SenderKind.CUSTOMER:
        incs = {"teamUnread": 1, "customerMessages": 1, **{f"unread.{p}": 1 for p in others}}
        sets["status"] = "open"  # a customer's message re-opens an archived dialog
    else:
        incs = {f"unread.{p}": 1 for p in [conversation.customer_id, *others]}
        if kind is SenderKind.TEAM:
            sets.update(teamUnread=0, lastHumanReplyAt=at)
    collection = Conversation._get_collection()
    collection.update_one({"_id": conversation.id}, {"$set": sets, "$inc": incs})
    if kind is SenderKind.TEAM:
        collection.update_one({"_id": conversation.id, "firstHumanReplyAt": None},
                              {"$set": {"firstHumanReplyAt": at}})


# --- reading -----------------------------------------------------------------------------------

def page(user: User | Guest, conversation_id: str, cursor: str | None,
         limit: int) -> tuple[list[dict], str | None]:
    """A page of the dialog's messages, newest first, and the cursor of the next one."""
    conversation = dialogs.visible(user, conversation_id)
    if conversation.chat_dialog_id is None:
        return [], None
    business = Business.objects.get(id=conversation.business_id)
    found = gateway().list_messages(conversation.chat_dialog_id, limit=limit, cursor=cursor)
    return [shape(m, conversation, business) for m in found["messages"]], found["nextCursor"]


def kind_of(sender_id: str | None, conversation: Conversation,
            meta: dict | None = None) -> SenderKind:
    """Who wrote a message, as the pages show it. The side recorded at posting wins: a
    guest's messages stay the customer's after the account took over."""
    side = (meta or {}).get("side")
    if side in _KINDS:
        return SenderKind(side)
    if sender_id == conversation.customer_id:
        return SenderKind.CUSTOMER
    if sender_id == provisioning.bot_id(conversation.business_id):
        return SenderKind.BOT
    return SenderKind.TEAM


def shape(message: dict, conversation: Conversation, business: Business | None = None) -> dict:
    meta = message.get("meta") or {}
    kind = kind_of(message.get("senderId"), conversation, meta)
    sender = {"kind": kind.value, "id": message.get("senderId"),
              "name": meta.get("authorName") or (message.get("senderInfo") or {}).get("name")}
    if kind is not SenderKind.CUSTOMER:
        sender["businessName"] = meta.get("businessName") or (business.name if business else None)
    return {
        "id": message.get("messageId"),
        "dialogId": conversation.id,
        "text": message.get("content") or "",
        "sender": sender,
        "createdAt": _iso(message.get("createdAt")),
        "editedAt": _iso(message.get("editedAt")),
        # The sender's own id of the message (the widget matches its live echo by it).
        "clientId": meta.get("clientId"),
    }


def _iso(value: float | str | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return clock.isoformat(shapes.from_ms(value))
    return value if isinstance(value, str) else clock.isoformat(value)
