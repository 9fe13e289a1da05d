"""Joining a widget guest's dialog to the account they signed in with (phone sign-in inside
the chat). If the account has no dialog with the business yet, the guest's dialog becomes
the account's; otherwise the account's dialog is kept and the guest's messages are copied
into it, oldest first, and the guest's dialog is archived."""

from mongoengine import NotUniqueError

from app.conversations import dialogs, widget_sessions
from app.lib import event_log
from app.messaging import provisioning
from app.messaging.runtime import gateway
from app.models import Business, Conversation, Guest, User

COPY_MAX = 200  # the guest's messages copied into an existing dialog
COPY_HOURS = 24 * 7  # how long a copied message is remembered, for a claim made again


def claim(user: User, business: Business, guest_id: str,
          guest_secret: str) -> Conversation | None:
    """The account's conversation with the business after taking the guest's over; None when
    the guest had not written yet."""
    guest = widget_sessions.resume(business, guest_id, guest_secret)
    if guest is None or not Guest.objects(id=guest.id, merged_into=None).update_one(
            set__merged_into=user.id):
        raise widget_sessions.invalid_credentials()
    try:
        return _merge(user, business, guest)
    except Exception:
        # The guest keeps its dialog and may claim again (the messaging service was down).
        Guest.objects(id=guest.id, merged_into=user.id).update_one(unset__merged_into=True)
        raise


def _merge(user, business, guest):
    theirs = Conversation.objects(business_id=business.id, customer_id=guest.id).first()
    mine = Conversation.objects(business_id=business.id, customer_id=user.id).first()
    if theirs is None:
        return mine
    if mine is None:
        try:
            return _take_over(theirs, guest, user)
        except NotUniqueError:  # the account started its own dialog meanwhile
            mine = Conversation.objects.get(business_id=business.id, customer_id=user.id)
    return _copy_into(theirs, mine, business, user)


def _take_over(conversation, guest, user):
    conversation = dialogs.ensure_dialog(conversation)
    provisioning.ensure_user(user)
    gateway().add_member(conversation.chat_dialog_id, user.id, "user", provisioning.chat_name(user))
    unread = dict(conversation.unread or {})
    unread[user.id] = unread.pop(guest.id, 0)
    Conversation.objects(id=conversation.id, customer_id=guest.id).update_one(
        set__customer_id=user.id, set__unread=unread, set__customer_archived=False)
    return conversation.reload()


def _copy_into(theirs, mine, business, user):
    mine = dialogs.ensure_dialog(mine, business, user)
    found = []
    if theirs.chat_dialog_id:
        cursor = None
        while len(found) < COPY_MAX:
            page = gateway().list_messages(theirs.chat_dialog_id, limit=100, cursor=cursor)
            found += [m for m in page["messages"]
                      if (m.get("meta") or {}).get("side") == "customer"]
            cursor = page["nextCursor"]
            if not cursor:
                break
    for message in reversed(found[:COPY_MAX]):  # pages are newest first
        _copy(message, mine, user)
    Conversation.objects(id=theirs.id).update_one(set__status="archived",
                                                  set__customer_archived=True)
    return mine.reload()


def _copy(message, mine, user):
    """Copy one of the guest's messages, once: a claim that failed partway is made again,
    and what was copied then is not copied twice."""
    key = f"copy:{mine.id}:{message['messageId']}"
    if not event_log.claim(key, COPY_HOURS):
        return
    try:
        # Marked as copied: the bot does not answer them again.
        gateway().post_message(mine.chat_dialog_id, user.id, message["content"], meta={
            "side": "customer", "authorName": provisioning.chat_name(user), "copied": True},
            idempotency_key=key)
    except Exception:
        event_log.release(key)
        raise
