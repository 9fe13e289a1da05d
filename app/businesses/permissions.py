"""Who may do what in a business: roles, their permission templates, per-member overrides.

A member's permissions are their role template's (the `member_roles` collection, editable in
the back office) with the member's own overrides on top; the owner always has all of them.
Every business endpoint asks here, for the business at hand.
"""

from flask_babel import lazy_gettext as _

from app import db
from app.errors import Forbidden, NotFound
from app.models import PERMISSIONS, Business, BusinessMember, MemberRole, User

# camelCase permission name -> attribute of the Permissions template document
ATTRIBUTES = {
    "canReply": "can_reply",
    "canPublishChannel": "can_publish_channel",
    "canManageMembers": "can_manage_members",
    "canManageSettings": "can_manage_settings",
}
# Lower rank is more powerful; a role may only manage roles ranked below its own.
RANKS = {"owner": 0, "manager": 1, "operator": 2, "viewer": 3}


def role_templates() -> dict[str, MemberRole]:
    return {role.id: role for role in MemberRole.objects}


def role_defaults(role: str,
                  templates: dict[str, MemberRole] | None = None) -> dict[str, bool]:
    """{"canReply": bool, ...} that `role` gives, before a member's own overrides."""
    if role == "owner":
        return dict.fromkeys(PERMISSIONS, True)
    templates = templates if templates is not None else role_templates()
    template = templates.get(role)
    return {name: bool(template and getattr(template.permissions, attr))
            for name, attr in ATTRIBUTES.items()}


def effective(member: BusinessMember,
              templates: dict[str, MemberRole] | None = None) -> dict[str, bool]:
    """{"canReply": bool, ...} for a member."""
    granted = role_defaults(member.role, templates)
    if member.role == "owner":
        return granted
    overrides = member.permissions or {}
    return {name: bool(overrides.get(name, value)) for name, value in granted.items()}


def membership(business_id: str, user_id: str | None) -> BusinessMember | None:
    """The active membership of a user in a business, or None."""
    if not user_id:
        return None
    return BusinessMember.objects(business_id=business_id, user_id=user_id,
                                  is_active=True).first()


def get_business(business_id: object) -> Business:
    """A business that exists and is not deleted (blocked ones included: teams still see them)."""
    business = db.reread_on_miss(
        lambda: Business.objects(id=business_id, deleted_at=None).first()) \
        if isinstance(business_id, str) else None
    if business is None:
        raise NotFound("business_not_found", _("No such business."))
    return business


def require_member(business: Business, user: User | None) -> BusinessMember:
    """The caller's membership; 403 for anyone outside the team."""
    member = membership(business.id, user.id if user else None)
    if member is None:
        raise Forbidden("forbidden", _("Only the business's team can do this."))
    return member


def require(business: Business, user: User | None, permission: str) -> BusinessMember:
    """The caller's membership if it grants `permission` (e.g. "canManageSettings")."""
    member = require_member(business, user)
    if not effective(member)[permission]:
        raise Forbidden("forbidden", _("Your role in this business does not allow this."),
                        details={"permission": permission})
    return member


def is_lead(member: BusinessMember | None) -> bool:
    """The owner or a manager (by role rank): they moderate the channel, manage quick replies
    and block customers."""
    return member is not None and RANKS.get(member.role, len(RANKS)) <= RANKS["manager"]


def require_lead(business: Business, user: User | None,
                 permission: str | None = None) -> BusinessMember:
    """The caller's membership if they are the owner or a manager (and have `permission`,
    when given); 403 otherwise."""
    member = require(business, user, permission) if permission else \
        require_member(business, user)
    if not is_lead(member):
        raise Forbidden("forbidden", _("Only the owner or a manager can do this."),
                        details={"role": "manager"})
    return member


def require_owner(business: Business, user: User | None) -> BusinessMember:
    member = require_member(business, user)
    if member.role != "owner":
        raise Forbidden("forbidden", _("Only the owner can do this."))
    return member
