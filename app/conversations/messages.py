"""Messages of customer↔business dialogs: posting (who may, what text), reading a page, and
the one shape the API, the live stream and the cabinet show. Text is stored as text; the
pages render it with textContent, never as HTML."""

from datetime import timedelta

from flask_babel import lazy_gettext as _

from app import clock
from app.businesses import customer_blocks
from app.channels import posts
from app.conversations import dialogs, widget_sessions
from app.errors import Forbidden
from app.lib import event_log
from app.live import bus
from app.messaging import provisioning, shapes
from app.messaging.runtime import gateway
from app.models import Business

TEXT_MAX = 4000
RESEND_HOURS = 24
TYPING_SECONDS = 5


def clean_text(raw):
    return posts.clean_text(raw, TEXT_MAX)  # one rule for what people write


def post(user, conversation_id, raw_text, client_id=None):
    """Post as the customer, or as a team member with canReply (who joins the dialog).
    `client_id` (the widget's id for a message typed offline) makes a resend answer with the
    message already posted, marked `duplicate`, instead of posting it twice."""
    conversation, side = dialogs.replying(user, conversation_id)
    text = clean_text(raw_text)
    if getattr(user, "is_guest", False):
        widget_sessions.check_message_rate(user)
    business = Business.objects.get(id=conversation.business_id)
    if business.blocked or business.deleted_at is not None:
        raise Forbidden("business_unavailable", _("This business does not accept messages."))
    meta = {"side": side, "authorName": provisioning.chat_name(user)}
    if side == "customer":
        customer_blocks.check(business.id, user.id)
    else:
        dialogs.join(conversation, user)
        meta["businessName"] = business.name
    conversation = dialogs.ensure_dialog(conversation)
    if not client_id:
        message = gateway().post_message(conversation.chat_dialog_id, user.id, text, meta=meta)
        return shape(message, conversation, business)
    # Claimed only now, after every check: a refused or failed send can be sent again.
    key = f"msg:{conversation.id}:{client_id}"
    if not event_log.claim(key, RESEND_HOURS):
        return _sent_before(conversation, client_id)
    try:
        message = gateway().post_message(conversation.chat_dialog_id, user.id, text,
                                         meta={**meta, "clientId": client_id})
    except Exception:
        event_log.release(key)
        raise
    return shape(message, conversation, business)


def _sent_before(conversation, client_id):
    """The message a resend repeats, from the dialog's latest page; a stub when it is older
    or still being posted by the first request."""
    if conversation.chat_dialog_id:
        for message in gateway().list_messages(conversation.chat_dialog_id, limit=50)["messages"]:
            if (message.get("meta") or {}).get("clientId") == client_id:
                return {**shape(message, conversation), "duplicate": True}
    return {"id": None, "dialogId": conversation.id, "clientId": client_id, "duplicate": True}


def typing(user, conversation_id):
    """Tell the dialog's open pages that this participant is typing (for a few seconds)."""
    conversation, side = dialogs.replying(user, conversation_id)
    if conversation.chat_dialog_id:
        gateway().typing(conversation.chat_dialog_id, user.id)
    until = clock.now() + timedelta(seconds=TYPING_SECONDS)
    bus.publish(f"dialog:{conversation.id}", "typing", {
        "dialogId": conversation.id, "userId": user.id, "kind": side,
        "name": provisioning.chat_name(user), "expiresAt": clock.isoformat(until)})


def post_as_bot(conversation, business, text, reason):
    conversation = dialogs.ensure_dialog(conversation, business)
    message = gateway().post_message(
        conversation.chat_dialog_id, provisioning.bot_id(business.id), text,
        meta={"side": "bot", "reason": reason, "authorName": business.name})
    return shape(message, conversation, business)


def page(user, conversation_id, cursor, limit):
    conversation = dialogs.visible(user, conversation_id)
    if conversation.chat_dialog_id is None:
        return [], None
    business = Business.objects.get(id=conversation.business_id)
    found = gateway().list_messages(conversation.chat_dialog_id, limit=limit, cursor=cursor)
    return [shape(m, conversation, business) for m in found["messages"]], found["nextCursor"]


def kind_of(sender_id, conversation, meta=None):
    """Who wrote a message, as the pages show it: customer, bot or team. The side recorded
    at posting wins: a guest's messages stay the customer's after the account took over."""
    side = (meta or {}).get("side")
    if side in ("customer", "team", "bot"):
        return side
    if sender_id == conversation.customer_id:
        return "customer"
    return "bot" if sender_id == provisioning.bot_id(conversation.business_id) else "team"


def shape(message, conversation, business=None):
    meta = message.get("meta") or {}
    kind = kind_of(message.get("senderId"), conversation, meta)
    sender = {"kind": kind, "id": message.get("senderId"),
              "name": meta.get("authorName") or (message.get("senderInfo") or {}).get("name")}
    if kind in ("team", "bot"):
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


def _iso(value):
    if value is None:
        return None
    if isinstance(value, int | float):
        return clock.isoformat(shapes.from_ms(value))
    return value if isinstance(value, str) else clock.isoformat(value)
