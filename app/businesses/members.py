"""A business's team: invite by phone, change roles and permissions, remove, withdraw
invitations, hand over ownership. (The invitee's side, accepting or declining, is
invitations.py.)

Rules: exactly one owner, changed only by an explicit transfer; nobody removes or demotes the
owner; a manager manages operators and viewers only; nobody grants a permission they lack.
An invitation makes nobody a member: only its invitee's acceptance does, and until then the
team sees its phone masked and no name, so inviting never tells whether or whose a phone is.
"""

from flask import current_app
from flask_babel import lazy_gettext as _

from app import clock
from app.accounts import phones
from app.accounts.platform_roles import mask_phone
from app.businesses import invitations
from app.businesses.permissions import RANKS, effective, require, require_member, require_owner
from app.errors import AppError, Conflict, Forbidden, NotFound
from app.events import MemberInvited
from app.lib import event_bus, rate_limits
from app.models import PERMISSIONS, Business, BusinessMember, MemberRole, User

ASSIGNABLE_ROLES = ("manager", "operator", "viewer")


def listing(business: Business, actor: User) -> list[tuple[BusinessMember, User | None]]:
    """The active team and the unanswered invitations (open or expired); any team member
    may look."""
    require_member(business, actor)
    members = list(BusinessMember.objects(business_id=business.id, is_active=True)
                   .order_by("invited_at"))
    people = {u.id: u for u in User.objects(id__in=[m.user_id for m in members if m.user_id])}
    return [(member, people.get(member.user_id)) for member in members]


def outranks(actor_member: BusinessMember, role: str) -> bool:
    """The owner manages every role; anyone else only the roles below their own."""
    return actor_member.role == "owner" or RANKS[role] > RANKS[actor_member.role]


def assignable_roles(actor_member: BusinessMember) -> list[str]:
    """The roles `actor_member` may give (never the owner's: that is a transfer)."""
    return [role for role in ASSIGNABLE_ROLES if outranks(actor_member, role)]


def can_manage(actor_member: BusinessMember, role: str) -> bool:
    """Whether `actor_member` may change or remove a member with `role`, for pages that
    offer it (the calls below check it themselves)."""
    return (effective(actor_member)["canManageMembers"] and role != "owner"
            and outranks(actor_member, role))


def _check_can_manage(actor_member, target_role, new_role=None):
    if not outranks(actor_member, target_role) or (
            new_role is not None and not outranks(actor_member, new_role)):
        raise Forbidden("forbidden", _("You can only manage roles below your own."))


def _check_overrides(actor_member, overrides):
    unknown = [name for name in overrides if name not in PERMISSIONS]
    if unknown:
        raise AppError("validation_error", _("Unknown permissions."), status=422,
                       details={"field": "permissions", "unknown": unknown})
    mine = effective(actor_member)
    beyond = [name for name, value in overrides.items() if value and not mine[name]]
    if beyond:
        raise Forbidden("forbidden", _("You cannot grant a permission you do not have."),
                        details={"permissions": beyond})


def invite(business: Business, actor: User, phone: str, role: str,
           permissions: dict[str, bool] | None = None) -> BusinessMember:
    """Invite the person with this phone: an invitation that waits for their answer until
    it expires, whether or not the phone has an account (MemberInvited's listeners tell
    them). An expired invitation to the same phone is replaced by the new one."""
    actor_member = require(business, actor, "canManageMembers")
    if role not in ASSIGNABLE_ROLES:
        raise AppError("invalid_role", _("Choose manager, operator or viewer."), status=422,
                       details={"field": "role"})
    _check_can_manage(actor_member, role)
    _check_overrides(actor_member, permissions or {})
    phone = phones.normalize(phone, current_app.config["SMS_DEFAULT_REGION"])
    person = User.objects(phone=phone).first()
    # A member's phone is on the team's list already, so saying so tells nothing new.
    if person and active(business, person.id):
        raise Conflict("already_member", _("This person is already on the team."))
    now = clock.now()
    waiting = BusinessMember.objects(business_id=business.id, invited_phone=phone,
                                     user_id=None, is_active=True)
    if waiting.filter(expires_at__gt=now).first():
        raise Conflict("already_invited", _("This phone has an invitation waiting already."))
    # Each invitation may cost an SMS: one person cannot send them without end.
    rate_limits.hit(current_app.config["INVITATIONS_PER_USER"], "invitation", actor.id,
                    _("You have sent too many invitations. Try again later."))
    waiting.update(set__is_active=False, set__updated_at=now)  # the expired ones
    member = BusinessMember(
        business_id=business.id, user_id=None, invited_phone=phone, role=role,
        permissions=permissions or {}, invited_by=actor.id, invited_at=now,
        expires_at=now + invitations.lifetime(),
    ).save()
    event_bus.publish(MemberInvited(member=member, business=business))
    return member


def active(business: Business, user_id: object) -> BusinessMember | None:
    """The active member `user_id` of `business`, or None."""
    return BusinessMember.objects(business_id=business.id, user_id=user_id,
                                  is_active=True).first() if isinstance(user_id, str) else None


def invitation(business: Business, member_id: object) -> BusinessMember | None:
    """The unanswered invitation `member_id` of `business` (expired or not), or None."""
    return BusinessMember.objects(id=member_id, business_id=business.id, user_id=None,
                                  is_active=True).first() if isinstance(member_id, str) else None


def _target(business, user_id):
    member = active(business, user_id)
    if member is None:
        raise NotFound("member_not_found", _("No such team member."))
    return member


def update(business: Business, actor: User, user_id: str, role: str | None = None,
           permissions: dict[str, bool | None] | None = None) -> BusinessMember:
    """Change a member's role and/or permission overrides (None removes an override)."""
    actor_member = require(business, actor, "canManageMembers")
    member = _target(business, user_id)
    if member.role == "owner":
        raise Forbidden("owner_protected", _("The owner's role changes only by a transfer."))
    if member.user_id == actor.id:
        raise Forbidden("forbidden", _("You cannot change your own role or permissions."))
    if role is not None and role not in ASSIGNABLE_ROLES:
        raise AppError("invalid_role", _("Choose manager, operator or viewer."), status=422,
                       details={"field": "role"})
    _check_can_manage(actor_member, member.role, role)
    sets = {"updated_at": clock.now()}
    if role is not None:
        sets["role"] = role
    if permissions is not None:
        _check_overrides(actor_member, {k: v for k, v in permissions.items() if v is not None})
        merged = {**(member.permissions or {}), **permissions}
        sets["permissions"] = {k: v for k, v in merged.items() if v is not None}
    BusinessMember.objects(id=member.id).update_one(**{f"set__{k}": v for k, v in sets.items()})
    member.reload()
    return member


def remove(business: Business, actor: User, user_id: str) -> None:
    """Remove a member (or leave, when it is yourself); never the owner."""
    member = _target(business, user_id)
    if member.role == "owner":
        raise Forbidden("owner_protected", _("The owner cannot be removed. Transfer ownership."))
    if member.user_id != actor.id:
        actor_member = require(business, actor, "canManageMembers")
        _check_can_manage(actor_member, member.role)
    else:
        require_member(business, actor)
    BusinessMember.objects(id=member.id).update_one(set__is_active=False,
                                                    set__updated_at=clock.now())


def cancel_invitation(business: Business, actor: User, member_id: str) -> None:
    """Withdraw an invitation nobody has accepted (an expired one too: it leaves the list)."""
    actor_member = require(business, actor, "canManageMembers")
    member = invitation(business, member_id)
    if member is None:
        raise NotFound("member_not_found", _("No such invitation."))
    _check_can_manage(actor_member, member.role)
    BusinessMember.objects(id=member.id, user_id=None).update_one(set__is_active=False,
                                                                  set__updated_at=clock.now())


def transfer_ownership(business: Business, actor: User, user_id: str) -> Business:
    """The owner hands the business to another active member and becomes a manager."""
    require_owner(business, actor)
    return hand_over(business, user_id)


def hand_over(business: Business, user_id: str) -> Business:
    """Make the active member `user_id` the owner; the old owner becomes a manager."""
    member = _target(business, user_id)
    owner_member = BusinessMember.objects(business_id=business.id, role="owner",
                                          is_active=True).first()
    if owner_member is not None and member.id == owner_member.id:
        raise AppError("validation_error", _("This person already owns the business."),
                       status=422)
    now = clock.now()
    # The new owner first: at every moment there is an owner (briefly two, never none).
    BusinessMember.objects(id=member.id).update_one(set__role="owner", set__permissions={},
                                                    set__updated_at=now)
    if owner_member is not None:
        BusinessMember.objects(id=owner_member.id).update_one(set__role="manager",
                                                              set__updated_at=now)
    Business.objects(id=business.id).update_one(set__owner_id=member.user_id,
                                                set__updated_at=now)
    business.reload()
    return business


def presentable(member: BusinessMember, person: User | None,
                templates: dict[str, MemberRole]) -> dict:
    """The data the team list shows for one member or invitation. An invitation shows its
    phone masked and no name: whether and whose account the phone is stays the invitee's to
    tell, by accepting."""
    status = invitations.state(member)
    if status == invitations.ACTIVE:
        name, phone = (person.name, person.phone) if person else (None, member.invited_phone)
    else:
        name, phone = None, mask_phone(member.invited_phone)
    return {
        "memberId": member.id,
        "userId": member.user_id,
        "name": name,
        "phone": phone,
        "role": member.role,
        "permissions": effective(member, templates),
        "overrides": member.permissions or {},
        "status": status,  # "active", "invited" or "expired"
        "invitedAt": member.invited_at,
        "joinedAt": member.joined_at,
        "expiresAt": member.expires_at if status != invitations.ACTIVE else None,
    }

