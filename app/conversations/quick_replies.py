"""A business's quick replies: saved answers the team inserts into the reply box. The owner
and managers manage them (permissions.require_lead); anyone who may reply uses them."""

from flask_babel import lazy_gettext as _

from app.businesses.permissions import require, require_lead
from app.errors import AppError, Conflict, NotFound
from app.lib import text as displayed
from app.models import Business, QuickReply, User
from app.models.quick_reply import TEXT_MAX, TITLE_MAX

LIMIT = 100  # per business


def _clean(title, text):
    title = title.strip() if isinstance(title, str) else ""
    text = text.strip() if isinstance(text, str) else ""
    fields = []
    if not title or len(title) > TITLE_MAX:
        fields.append({"field": "title", "message": str(
            _("Write from 1 to %(max)s characters.", max=TITLE_MAX))})
    if not text or len(text) > TEXT_MAX:
        fields.append({"field": "text", "message": str(
            _("Write from 1 to %(max)s characters.", max=TEXT_MAX))})
    if fields:
        raise AppError("validation_error", _("Some fields are not valid."), status=422,
                       details={"fields": fields})
    return displayed.check(title, "title"), displayed.check(text, "text", multiline=True)


def of_business(business_id: str) -> list[QuickReply]:
    """All of a business's quick replies, by title (at most LIMIT, so sorting here is cheap)."""
    found = QuickReply.objects(business_id=business_id)
    return sorted(found, key=lambda reply: (reply.title.casefold(), reply.created_at))


def for_replying(business: Business, user: User) -> list[QuickReply]:
    """The quick replies offered next to the reply box: for those who may reply."""
    require(business, user, "canReply")
    return of_business(business.id)


def get(business: Business, user: User, reply_id: str) -> QuickReply:
    require_lead(business, user)
    reply = QuickReply.objects(id=reply_id, business_id=business.id).first() \
        if isinstance(reply_id, str) else None
    if reply is None:
        raise NotFound("quick_reply_not_found", _("No such quick reply."))
    return reply


def create(business: Business, user: User, title: str, text: str) -> QuickReply:
    require_lead(business, user)
    title, text = _clean(title, text)
    if QuickReply.objects(business_id=business.id).count() >= LIMIT:
        raise _too_many()
    reply = QuickReply(business_id=business.id, title=title, text=text,
                       created_by=user.id).save(force_insert=True)
    # Two racing creates may both pass the count: check again after inserting, undo ours.
    if QuickReply.objects(business_id=business.id).count() > LIMIT:
        reply.delete()
        raise _too_many()
    return reply


def update(business: Business, user: User, reply_id: str, title: str,
           text: str) -> QuickReply:
    reply = get(business, user, reply_id)
    title, text = _clean(title, text)
    reply.title, reply.text = title, text
    return reply.save()


def delete(business: Business, user: User, reply_id: str) -> QuickReply:
    reply = get(business, user, reply_id)
    reply.delete()
    return reply


def _too_many():
    return Conflict("quick_replies_limit",
                    _("A business can keep at most %(max)s quick replies.", max=LIMIT),
                    details={"limit": LIMIT})
