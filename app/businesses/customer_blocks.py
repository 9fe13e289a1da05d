"""Blocking an abusive customer for one business, for a chosen time: while the block lasts,
their messages to that business (and new dialogs with it) are refused."""

from datetime import timedelta

from flask_babel import lazy_gettext as _
from mongoengine import NotUniqueError

from app import clock
from app.errors import AppError, Forbidden
from app.lib import text
from app.models import CustomerBlock

DURATIONS_HOURS = (1, 24, 24 * 7, 24 * 30, 24 * 365)


def active(business_id: str, user_id: str) -> CustomerBlock | None:
    """The block in force, or None."""
    return CustomerBlock.objects(business_id=business_id, user_id=user_id,
                                 until__gt=clock.now()).first()


def check(business_id: str, user_id: str) -> None:
    block = active(business_id, user_id)
    if block is not None:
        raise Forbidden("blocked_by_business",
                        _("This business does not accept your messages for now."),
                        details={"until": clock.isoformat(block.until)})


def block(business_id: str, user_id: str, hours: int, actor_id: str,
          reason: str | None = None) -> CustomerBlock | None:
    if hours not in DURATIONS_HOURS:
        raise AppError("validation_error", _("Choose one of the offered durations."),
                       status=422)
    fields = {"until": clock.now() + timedelta(hours=hours),
              "reason": text.check((reason or "").strip()[:300], "reason") or None,
              "blocked_by": actor_id}
    try:
        CustomerBlock(business_id=business_id, user_id=user_id, **fields).save(force_insert=True)
    except NotUniqueError:  # blocked before: the new block replaces it
        CustomerBlock.objects(business_id=business_id, user_id=user_id).update_one(
            set__updated_at=clock.now(), **{f"set__{k}": v for k, v in fields.items()})
    return active(business_id, user_id)


def unblock(business_id: str, user_id: str) -> bool:
    return CustomerBlock.objects(business_id=business_id, user_id=user_id).delete() > 0
