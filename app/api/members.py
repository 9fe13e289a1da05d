"""A business's team: list, invite by phone, change role or permissions, remove, withdraw an
invitation, transfer. (The invitee answers at /api/me/invitations: app/api/invitations.py.)"""

from typing import Annotated

from flask import Blueprint
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from app.api.guard import login_required, me
from app.api.presenters import business_for_team
from app.api.responses import ok, responds
from app.api.validation import Body, body
from app.api.validation_messages import OWNER_ROLE_ERROR
from app.businesses import categories, members
from app.businesses.permissions import effective, get_business, membership, role_templates
from app.clock import isoformat
from app.models import PERMISSIONS, User

bp = Blueprint("members", __name__, url_prefix="/businesses/<id(biz):business_id>")


def _not_owner(value):
    # A business has one owner: that role is handed over by transfer-ownership, not given.
    if value == "owner":
        raise PydanticCustomError(OWNER_ROLE_ERROR, "Use transfer-ownership to make an owner")
    return value


Role = Annotated[str, BeforeValidator(_not_owner), Field(pattern=r"^(manager|operator|viewer)$")]
Overrides = Annotated[dict[Annotated[str, Field(max_length=40)], bool | None],
                      Field(max_length=len(PERMISSIONS))]


class Invite(Body):
    phone: Annotated[str, Field(max_length=32)]
    role: Role
    permissions: Overrides | None = None


class MemberUpdate(Body):
    role: Role | None = None
    permissions: Overrides | None = None


class Transfer(Body):
    userId: Annotated[str, Field(max_length=40)]


def _present(member, person, templates):
    data = members.presentable(member, person, templates)
    for field in ("invitedAt", "joinedAt", "expiresAt"):
        data[field] = isoformat(data[field])
    return data


@bp.get("/members")
@login_required
def list_members(business_id):
    """The team and its unanswered invitations, open or expired (any team member)."""
    templates = role_templates()
    rows = members.listing(get_business(business_id), me())
    return ok([_present(member, person, templates) for member, person in rows])


@bp.post("/members")
@responds(201)
@login_required
@body(Invite)
def invite(data, business_id):
    """Invite by phone (canManageMembers): the invitee joins when they accept, before it expires.

    The answer is the same whether or not the phone has an account: the phone masked, no name,
    status "invited"."""
    member = members.invite(get_business(business_id), me(), data.phone, data.role,
                            {k: v for k, v in (data.permissions or {}).items() if v is not None})
    return ok(_present(member, None, role_templates()), status=201)


@bp.put("/members/<user_id>")
@login_required
@body(MemberUpdate)
def update_member(data, business_id, user_id):
    """Change a member's role or permission overrides (null removes an override)."""
    member = members.update(get_business(business_id), me(), user_id, role=data.role,
                            permissions=data.permissions)
    return ok(_present(member, User.objects(id=member.user_id).first(), role_templates()))


@bp.delete("/members/<user_id>")
@login_required
def remove_member(business_id, user_id):
    """Remove a member, or leave the team yourself. The owner cannot be removed."""
    members.remove(get_business(business_id), me(), user_id)
    return ok({"removed": True})


@bp.delete("/invitations/<member_id>")
@login_required
def cancel_invitation(business_id, member_id):
    """Withdraw an invitation nobody has accepted yet (open or expired)."""
    members.cancel_invitation(get_business(business_id), me(), member_id)
    return ok({"cancelled": True})


@bp.post("/transfer-ownership")
@login_required
@body(Transfer)
def transfer(data, business_id):
    """Hand the business to another team member (owner only); you become a manager."""
    business = members.transfer_ownership(get_business(business_id), me(), data.userId)
    member = membership(business.id, me().id)
    return ok(business_for_team(business, member, effective(member),
                                categories.by_ids(business.category_ids)))
