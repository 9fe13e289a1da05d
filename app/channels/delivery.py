"""Posts delivered into the business's channel dialog in the messaging service, off the request
(job `channels.deliver`): each published post is posted there once, by the business's bot with
`meta.authorId` = the team member who wrote it, and every later edit is mirrored.

Delivery is retried while the messaging service is unreachable; the post's `delivery` says
where it stands (pending, done, failed with the last error), and the backfill sends again what
is not done.
"""

import logging
from datetime import timedelta

from app import clock
from app.lib import jobs
from app.messaging import provisioning
from app.messaging.gateway import MessagingError
from app.messaging.runtime import gateway
from app.models import Business, ChannelPost

log = logging.getLogger("bank.channels")

_LEASE = timedelta(seconds=60)  # how long one run may take to post a copy
_ROUNDS = 4  # post, mirror edits made meanwhile, then mark it done


def request(post_id: str) -> None:
    jobs.enqueue(jobs.CHANNEL_DELIVER, post_id)


def chat_channel_id(business: Business) -> str:
    """The business's channel dialog, created now if provisioning has not made it yet."""
    return business.chat_channel_id or provisioning.ensure_business(business)


def deliver(post_id: str) -> None:
    """Bring the channel dialog's copy of the post in step with the post. Raises
    MessagingError while the messaging service cannot be reached."""
    for _round in range(_ROUNDS):
        post = ChannelPost.objects(id=post_id).first()
        if post is None or post.status != "published" or post.deleted_at is not None:
            return
        if post.message_id is None:
            if not _claim(post):
                return  # another run is posting it, and catches up with edits itself
            try:
                message = _post_copy(post)
            except Exception:
                ChannelPost.objects(id=post.id).update_one(unset__sending_until=True)
                raise
            ChannelPost.objects(id=post.id).update_one(set__message_id=message["messageId"],
                                                       unset__sending_until=True)
        elif post.delivered_version < post.version:
            gateway().edit_message(post.message_id, post.text)
        else:  # in step; unless an edit came just now (its own job follows)
            ChannelPost.objects(id=post.id, version=post.version).update_one(
                set__delivery="done", unset__delivery_error=True)
            return
        ChannelPost.objects(id=post.id, delivered_version__lt=post.version).update_one(
            set__delivered_version=post.version)


def _claim(post):
    """Only one run posts a copy (the embedded adapter has no idempotency keys)."""
    now = clock.now()
    return bool(ChannelPost.objects(__raw__={
        "_id": post.id, "messageId": None,
        "$or": [{"sendingUntil": None}, {"sendingUntil": {"$lt": now}}]})
        .update_one(set__sending_until=now + _LEASE))


def _post_copy(post):
    business = Business.objects.get(id=post.business_id)
    meta = {"authorId": post.author_id, "postId": post.id, "businessId": business.id}
    if post.image:
        meta["image"] = post.image
    # The key makes a retried post (mms3 stored it, we did not hear back) one message.
    return gateway().post_message(chat_channel_id(business), provisioning.bot_id(business.id),
                                  post.text, meta=meta, idempotency_key=f"post-{post.id}")


def run(post_id: str, final: bool) -> None:
    """One attempt of the job: failures are recorded (pending while retries remain, failed
    after the last) and re-raised unless it was the final attempt."""
    try:
        deliver(post_id)
    except MessagingError as exc:
        ChannelPost.objects(id=post_id).update_one(
            set__delivery="failed" if final else "pending", set__delivery_error=str(exc)[:500])
        log.warning("channel post %s not delivered%s: %s", post_id,
                    "" if final else ", retrying", exc)
        if not final:
            raise


def undelivered(business_id: str) -> list[str]:
    """Ids of the business's published posts whose copy is missing or behind."""
    rows = ChannelPost.objects(business_id=business_id, status="published", deleted_at=None,
                               delivery__in=["pending", "failed"]).only("id")
    return [row.id for row in rows]
