"""The listener that keeps conversations current from messaging events, whichever adapter
raised them: last message, unread counters, re-opening, the first human reply; then it tells
the live streams and hands customer messages to the bot."""

from app import clock
from app.bot import responder
from app.conversations import messages
from app.lib import event_log
from app.live import bus
from app.messaging import shapes
from app.messaging.runtime import gateway
from app.models import Business, Conversation
from app.notifications import push

PREVIEW = 200
# How long a message's counting is remembered: redeliveries come within minutes.
RECORD_HOURS = 48


def _dialog_id(event, section):
    data = event.get("data") or {}
    return (data.get(section) or {}).get("dialogId") or (data.get("context") or {}).get(
        "dialogId")


class ConversationListener:
    def on_message_create(self, event):
        dialog_id = _dialog_id(event, "message")
        conversation = Conversation.objects(chat_dialog_id=dialog_id).first() if dialog_id else None
        if conversation is None:
            return  # a channel post, or a dialog that is not a customer's
        message = event["data"].get("message") or {}
        if "content" not in message:  # a minimal event: read the message itself
            message = gateway().get_message(message.get("messageId")
                                            or event["data"]["context"].get("messageId"))
        kind = messages.kind_of(message.get("senderId"), conversation,
                                       message.get("meta"))
        at = shapes.from_ms(message["createdAt"]) if message.get("createdAt") else clock.now()
        # A failed handling is delivered again: the counters move and the push goes once.
        first = _record_once(conversation, message, kind, at)
        business = Business.objects.get(id=conversation.business_id)
        shaped = messages.shape(message, conversation, business)
        # Published again on a redelivery: pages drop a message id they show already.
        bus.publish(f"dialog:{conversation.id}", "message", shaped)
        summary = {"dialogId": conversation.id, "lastMessage": shaped}
        bus.publish(f"business:{conversation.business_id}", "dialog", summary)
        bus.publish(f"user:{conversation.customer_id}", "dialog", summary)
        # Copies of a guest's earlier messages into the account's dialog are old news: no
        # notification, no answer from the bot.
        copied = (message.get("meta") or {}).get("copied")
        if first and not copied:
            push.message_created(conversation, shaped, kind)
        if not first and kind == "customer":
            # Counted by the handling that failed: the bot judges the dialog without it.
            conversation.customer_messages = max(0, conversation.customer_messages - 1)
        if kind == "customer" and not copied:
            responder.respond(conversation, business, shaped["id"], shaped["text"], at)

    def on_message_status_update(self, event):
        update = (event.get("data") or {}).get("statusUpdate") or {}
        dialog_id = _dialog_id(event, "statusUpdate")
        if update.get("status") != "read" or not dialog_id or not update.get("userId"):
            return
        conversation = Conversation.objects(chat_dialog_id=dialog_id).first()
        if conversation is None:
            return
        Conversation._get_collection().update_one(
            {"_id": conversation.id}, {"$set": {f"unread.{update['userId']}": 0}})
        bus.publish(f"dialog:{conversation.id}", "read", {
            "dialogId": conversation.id, "userId": update["userId"],
            "messageId": update.get("messageId") or (event["data"].get("message") or {})
            .get("messageId"),
            "readAt": _iso_ms(update.get("readAt") or update.get("createdAt"))})


def _iso_ms(value):
    return clock.isoformat(shapes.from_ms(value)) if isinstance(value, int | float) else None


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
    text = message.get("content") or ""
    sets = {"lastMessage": {"id": message.get("messageId"), "text": text[:PREVIEW],
                            "senderId": message.get("senderId"), "kind": kind, "at": at},
            "lastMessageAt": at, "updatedAt": clock.now(), "customerArchived": False}
    sender = message.get("senderId")
    others = [p for p in conversation.participants if p != sender]
    if kind == "customer":
        incs = {"teamUnread": 1, "customerMessages": 1, **{f"unread.{p}": 1 for p in others}}
        sets["status"] = "open"  # a customer's message re-opens an archived dialog
    else:
        incs = {f"unread.{p}": 1 for p in [conversation.customer_id, *others]}
        if kind == "team":
            sets.update(teamUnread=0, lastHumanReplyAt=at)
    update = {"$set": sets, "$inc": incs}
    collection = Conversation._get_collection()
    collection.update_one({"_id": conversation.id}, update)
    if kind == "team":
        collection.update_one({"_id": conversation.id, "firstHumanReplyAt": None},
                              {"$set": {"firstHumanReplyAt": at}})
