"""Provisioning in the messaging service: a chat user for every registered person, and a bot
and a channel dialog for every business. It runs as Celery jobs with retries (tasks/
messaging.py), so signing up or creating a business never fails because mms3 is down; the
sync state on the user or business says where it stands, and the back office retries it."""

import logging

from app import clock
from app.events import BusinessCreated, BusinessRenamed, UserRegistered
from app.lib import jobs
from app.messaging.gateway import MessagingError
from app.messaging.runtime import gateway
from app.models import Business, ChannelPost, Guest, Subscription, User
from app.models.sync_state import ChatSync

log = logging.getLogger("bank.provisioning")

CHANNEL_TYPE = "business_channel"
CLIENT_TYPE = "client_bot"


def bot_id(business_id: str) -> str:
    return f"bot_{business_id}"


def chat_name(user: User | Guest) -> str:
    """The name a person has in conversations: their name, else their phone's last digits
    (widget guests always have a name)."""
    return user.name or f"••{(user.phone or user.id)[-4:]}"


def request_user(user_id: str) -> None:
    jobs.enqueue(jobs.PROVISION_USER, user_id)


def request_business(business_id: str) -> None:
    jobs.enqueue(jobs.PROVISION_BUSINESS, business_id)


def user_registered(event: UserRegistered) -> None:
    request_user(event.user.id)


def business_created(event: BusinessCreated) -> None:
    """The bot and the channel, off the request."""
    request_business(event.business.id)


def business_renamed(event: BusinessRenamed) -> None:
    """The bot and the channel carry the business's name."""
    request_business(event.business.id)


def ensure_user(user: User | Guest) -> None:
    """Create or update the person's (or widget guest's) chat user now; raises MessagingError
    when unreachable."""
    gateway().ensure_user(user.id, chat_name(user), "user")
    if isinstance(user, User):
        _record(User, user.id, "done")


def ensure_business(business: Business) -> str:
    """The business's bot and channel dialog, created once; returns the channel dialog id."""
    gateway().ensure_user(bot_id(business.id), business.name, "bot")
    Business.objects(id=business.id).update_one(set__chat_bot_id=bot_id(business.id))
    channel_id = Business.objects(id=business.id).only("chat_channel_id").first() \
        .chat_channel_id
    if channel_id is None:
        # The idempotency key makes a retried create (mms3 answered, we did not hear) one dialog.
        dialog = gateway().create_dialog(
            business.name, bot_id(business.id),
            members=[{"userId": bot_id(business.id), "type": "bot", "name": business.name}],
            meta={"type": CHANNEL_TYPE, "businessId": business.id},
            idempotency_key=f"channel-{business.id}")
        channel_id = dialog["dialogId"]
        if Business.objects(id=business.id, chat_channel_id=None).update_one(
                set__chat_channel_id=channel_id) and _has_audience(business.id):
            # People may have subscribed, or posts been written, while the channel could not
            # be made (mms3 down). A new business has neither: no job for it.
            jobs.enqueue(jobs.CHANNEL_BACKFILL, business.id)
        channel_id = Business.objects.get(id=business.id).chat_channel_id
    _record(Business, business.id, "done")
    return channel_id


def _has_audience(business_id: str) -> bool:
    return Subscription.objects(business_id=business_id).first() is not None \
        or ChannelPost.objects(business_id=business_id).first() is not None


def run(document: type[User] | type[Business], object_id: str, final: bool) -> bool:
    """One attempt of a provisioning job: True when done. A failure is recorded (pending while
    retries remain, failed after the last) and re-raised unless it was the final attempt."""
    target = document.objects(id=object_id).first()
    if target is None:
        return False
    try:
        if document is User:
            ensure_user(target)
        else:
            ensure_business(target)
        return True
    except MessagingError as exc:
        _record(document, object_id, "failed" if final else "pending", str(exc))
        log.warning("provisioning %s failed%s: %s", object_id, "" if final else ", retrying", exc)
        if not final:
            raise
        return False


def _record(document, object_id, state, error=None):
    current = document.objects(id=object_id).only("chat_sync").first()
    attempts = (current.chat_sync.attempts if current and current.chat_sync else 0) + 1
    document.objects(id=object_id).update_one(set__chat_sync=ChatSync(
        state=state, attempts=attempts if state != "done" else 0, last_error=error,
        updated_at=clock.now()))


def retry(document: type[User] | type[Business], object_id: str) -> None:
    """The back office's retry: back to pending, and a new job."""
    document.objects(id=object_id).update_one(set__chat_sync=ChatSync(
        state="pending", attempts=0, updated_at=clock.now()))
    (request_user if document is User else request_business)(object_id)


def pending_or_failed(limit: int = 200) -> list[tuple[str, str, str, ChatSync]]:
    """[(kind, id, name, sync)] of users and businesses whose provisioning is not done."""
    rows = []
    for kind, document in (("user", User), ("business", Business)):
        for item in document.objects(chat_sync__state__in=["pending", "failed"]) \
                .order_by("-chat_sync__updated_at").limit(limit):
            rows.append((kind, item.id, item.name or getattr(item, "phone", ""), item.chat_sync))
    return rows
