"""The channel dialog's members follow the business's subscribers: subscribing adds the person
to the dialog and unsubscribing removes them (job `channels.sync_member`), and a backfill (job
`channels.backfill`, `flask channels backfill`) puts right anyone out of step, for instance
after the messaging service was down. A subscription never fails because of this."""

import logging

from app.channels import delivery
from app.events import SubscriptionChanged
from app.lib import jobs
from app.messaging import provisioning
from app.messaging.gateway import MessagingError
from app.messaging.runtime import gateway
from app.models import Business, Subscription, User

log = logging.getLogger("bank.channels")

_CHUNK = 500  # people looked up at a time by the backfill


def subscription_changed(event: SubscriptionChanged) -> None:
    """Joins or leaves the channel dialog, off the request."""
    request_sync(event.business_id, event.user_id)


def request_sync(business_id: str, user_id: str) -> None:
    """Never lets the subscription fail."""
    try:
        jobs.enqueue(jobs.CHANNEL_SYNC_MEMBER, business_id, user_id)
    except Exception:  # the broker or the messaging service is down: the backfill fixes it
        log.exception("channel member sync of %s in %s not started", user_id, business_id)


def sync_member(business_id: str, user_id: str) -> None:
    """Make the person's membership of the channel dialog what their subscription says now,
    whichever of subscribe and unsubscribe came last. Raises MessagingError."""
    business = Business.objects(id=business_id).first()
    if business is None:
        return
    chat_dialog_id = delivery.chat_channel_id(business)
    if Subscription.objects(business_id=business_id, user_id=user_id).first() is None:
        gateway().remove_member(chat_dialog_id, user_id)
        return
    user = User.objects(id=user_id).first()
    if user is not None:
        gateway().add_member(chat_dialog_id, user_id, "user", provisioning.chat_name(user))


def run_sync(business_id: str, user_id: str, final: bool) -> None:
    try:
        sync_member(business_id, user_id)
    except MessagingError as exc:
        log.warning("channel member sync of %s in %s failed%s: %s", user_id, business_id,
                    "" if final else ", retrying", exc)
        if not final:
            raise


def backfill(business_id: str) -> dict[str, int]:
    """Compare the subscribers with the channel dialog's members and fix the difference; send
    again the posts whose copy is missing. Returns {added, removed, redelivered}."""
    business = Business.objects(id=business_id, deleted_at=None).first()
    if business is None:
        return {"added": 0, "removed": 0, "redelivered": 0}
    chat_dialog_id = delivery.chat_channel_id(business)
    members = {member["userId"] for member in gateway().list_members(chat_dialog_id)}
    subscribers = {row["userId"] for row in Subscription._get_collection().find(
        {"businessId": business.id}, {"userId": 1, "_id": 0})}
    missing = sorted(subscribers - members)
    extra = sorted(members - subscribers - {provisioning.bot_id(business.id)})
    added = 0
    for start in range(0, len(missing), _CHUNK):
        for user in User.objects(id__in=missing[start:start + _CHUNK]).only("id", "name",
                                                                              "phone"):
            gateway().add_member(chat_dialog_id, user.id, "user", provisioning.chat_name(user))
            added += 1
    for user_id in extra:
        gateway().remove_member(chat_dialog_id, user_id)
    posts = delivery.undelivered(business.id)
    for post_id in posts:
        delivery.request(post_id)
    if added or extra or posts:
        log.info("channel backfill of %s: %s added, %s removed, %s posts sent again",
                 business.id, added, len(extra), len(posts))
    return {"added": added, "removed": len(extra), "redelivered": len(posts)}


def business_ids() -> list[str]:
    """Every business the backfill of all channels goes through."""
    return [row["_id"] for row in Business._get_collection().find({"deletedAt": None},
                                                                  {"_id": 1})]
