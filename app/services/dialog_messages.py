"""Messages of customer↔business dialogs: posting (who may, what text), reading a page, and
the one shape the API, the live stream and the cabinet show. Text is stored as text; the
pages render it with textContent, never as HTML."""

from flask_babel import lazy_gettext as _

from app import clock
from app.errors import AppError, Forbidden
from app.messaging import shapes
from app.messaging.runtime import gateway
from app.models import Business
from app.services import conversations, customer_blocks, provisioning

TEXT_MAX = 4000


def clean_text(raw):
    text = raw.strip() if isinstance(raw, str) else ""
    if not text or len(text) > TEXT_MAX:
        raise AppError("validation_error", _("Write from 1 to %(max)s characters.", max=TEXT_MAX),
                       status=422, details={"fields": [{"field": "text"}]})
    return text


def post(user, conversation_id, raw_text):
    """Post as the customer, or as a team member with canReply (who joins the dialog)."""
    conversation = conversations.visible(user, conversation_id)
    text = clean_text(raw_text)
    side = conversations.require_reply(user, conversation)
    business = Business.objects.get(id=conversation.business_id)
    if business.blocked or business.deleted_at is not None:
        raise Forbidden("business_unavailable", _("This business does not accept messages."))
    meta = {"side": side, "authorName": provisioning.chat_name(user)}
    if side == "customer":
        customer_blocks.check(business.id, user.id)
    else:
        conversations.join(conversation, user)
        meta["businessName"] = business.name
    conversation = conversations.ensure_dialog(conversation)
    message = gateway().post_message(conversation.dialog_id, user.id, text, meta=meta)
    return shape(message, conversation, business)


def post_as_bot(conversation, business, text, reason):
    conversation = conversations.ensure_dialog(conversation, business)
    message = gateway().post_message(
        conversation.dialog_id, provisioning.bot_id(business.id), text,
        meta={"side": "bot", "reason": reason, "authorName": business.name})
    return shape(message, conversation, business)


def page(user, conversation_id, cursor, limit):
    conversation = conversations.visible(user, conversation_id)
    if conversation.dialog_id is None:
        return [], None
    business = Business.objects.get(id=conversation.business_id)
    found = gateway().list_messages(conversation.dialog_id, limit=limit, cursor=cursor)
    return [shape(m, conversation, business) for m in found["messages"]], found["nextCursor"]


def kind_of(sender_id, conversation, meta=None):
    """Who wrote a message, as the pages show it: customer, bot or team."""
    if sender_id == conversation.customer_id:
        return "customer"
    if sender_id == provisioning.bot_id(conversation.business_id):
        return "bot"
    side = (meta or {}).get("side")
    return side if side in ("team", "bot") else "team"


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
    }


def _iso(value):
    if value is None:
        return None
    if isinstance(value, int | float):
        return clock.isoformat(shapes.from_ms(value))
    return value if isinstance(value, str) else clock.isoformat(value)
