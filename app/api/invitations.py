"""My team invitations: the ones waiting for my answer, accept, decline. Only invitations sent
to the caller's own phone exist here; any other id answers 404."""

from flask import Blueprint

from app.api.guard import login_required, me
from app.api.presenters import business_public
from app.api.responses import ok, paginated
from app.api.validation import Paging, query
from app.businesses import categories, invitations
from app.clock import isoformat

bp = Blueprint("invitations", __name__, url_prefix="/me/invitations")


@bp.get("")
@login_required
@query(Paging)
def my_invitations(params):
    """Team invitations to my phone that wait for my answer, newest first."""
    rows, total = invitations.open_for(me(), params.page, params.limit)
    names = categories.by_ids({i for _m, b in rows for i in b.category_ids})
    items = [{"id": member.id, "business": business_public(business, names),
              "role": member.role, "invitedAt": isoformat(member.invited_at),
              "expiresAt": isoformat(member.expires_at)} for member, business in rows]
    return paginated(items, params.page, params.limit, total)


@bp.post("/<id(mem):invitation_id>/accept")
@login_required
def accept(invitation_id):
    """Accept an invitation: I join the team with its role (409 once it has expired)."""
    member, business = invitations.accept(me(), invitation_id)
    return ok({"accepted": True, "businessId": business.id, "role": member.role})


@bp.post("/<id(mem):invitation_id>/decline")
@login_required
def decline(invitation_id):
    """Decline an invitation: it closes, and the team no longer lists it."""
    invitations.decline(me(), invitation_id)
    return ok({"declined": True})
