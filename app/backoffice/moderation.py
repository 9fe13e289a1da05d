"""Moderation actions of the back office: block and unblock a user, block and unblock a
business, hide and unhide a business. Each needs the MODERATE capability, takes a reason and
writes an audit entry with the fields before and after.

A blocked user's tokens and back-office session stop working at once (the API guard and
admin/staff.py read `isBlocked` on every request). A blocked or hidden business leaves every
public place (`businesses.visible_to_public`, the catalog's filter); its team still sees it.
Platform staff can be blocked only by a superadmin, and nobody blocks themselves.
"""

from flask_babel import lazy_gettext as _

from app import clock
from app.accounts.platform_roles import MANAGE_ROLES, MODERATE, can
from app.errors import AppError, Forbidden
from app.lib import audit, text
from app.models import Business, User

REASON_MIN, REASON_MAX = 3, 500


def clean_reason(raw: str | None) -> str:
    """The reason every moderation action needs: 3 to 500 characters."""
    reason = " ".join((raw or "").split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise AppError("invalid_reason", _("Give a reason of 3 to 500 characters."),
                       status=422, details={"field": "reason"})
    return text.check(reason, "reason", "invalid_reason")


def require_moderator(actor: User) -> None:
    if not can(actor, MODERATE):
        raise Forbidden("forbidden", _("Only moderators can do this."))


def _stored(document):
    return type(document)._get_collection().find_one({"_id": document.pk}) or {}


def _apply(actor, document, action, target_type, reason, sets):
    """Set the fields, reload, and record the action with what it changed."""
    before = _stored(document)
    sets = {**sets, "updated_at": clock.now()}
    type(document).objects(pk=document.pk).update_one(
        **{f"set__{name}": value for name, value in sets.items()})
    document.reload()
    audit.record("admin", actor, action, target_type, document.pk,
                 changes=audit.diff(before, _stored(document)), reason=reason)
    return document


# Users


def _check_user_target(actor, user):
    require_moderator(actor)
    if user.id == actor.id:
        raise Forbidden("cannot_block_self", _("You cannot block yourself."))
    if user.platform_roles and not can(actor, MANAGE_ROLES):
        raise Forbidden("cannot_block_staff",
                        _("Only a superadmin can block a member of the platform staff."))


def block_user(actor: User, user: User, reason: str | None) -> User:
    _check_user_target(actor, user)
    reason = clean_reason(reason)
    return _apply(actor, user, "block", "user", reason,
                  {"is_blocked": True, "blocked_reason": reason})


def unblock_user(actor: User, user: User, reason: str | None) -> User:
    _check_user_target(actor, user)
    return _apply(actor, user, "unblock", "user", clean_reason(reason),
                  {"is_blocked": False, "blocked_reason": None})


# Businesses


def block_business(actor: User, business: Business, reason: str | None) -> Business:
    require_moderator(actor)
    reason = clean_reason(reason)
    return _apply(actor, business, "block", "business", reason,
                  {"blocked": True, "blocked_reason": reason})


def unblock_business(actor: User, business: Business, reason: str | None) -> Business:
    require_moderator(actor)
    return _apply(actor, business, "unblock", "business", clean_reason(reason),
                  {"blocked": False, "blocked_reason": None})


def hide_business(actor: User, business: Business, reason: str | None) -> Business:
    require_moderator(actor)
    return _apply(actor, business, "hide", "business", clean_reason(reason), {"hidden": True})


def unhide_business(actor: User, business: Business, reason: str | None) -> Business:
    require_moderator(actor)
    return _apply(actor, business, "unhide", "business", clean_reason(reason), {"hidden": False})

