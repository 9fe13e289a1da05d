"""Team invitations from the invitee's side: the open ones sent to my phone, accepting and
declining them; and the state an invitation shows to the team.

An invitation is a `business_members` row without a user (`user_id` None) that names a phone
(`invited_phone`). It grants nothing. Only the person signed in with that phone can accept it,
before it expires (INVITATION_DAYS after it was sent); then it becomes their membership. To
anyone else it does not exist: they get the 404 of an id that was never made. Answers go to
the audit log (area "site"), in the business's trail.
"""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _

from app import clock
from app.businesses.permissions import membership
from app.errors import Conflict, NotFound
from app.lib import audit
from app.models import Business, BusinessMember, User

ACTIVE, INVITED, EXPIRED, DECLINED = "active", "invited", "expired", "declined"


def lifetime() -> timedelta:
    """How long a new invitation stays open."""
    return timedelta(days=current_app.config["INVITATION_DAYS"])


def state(member: BusinessMember, now: datetime | None = None) -> str:
    """"active" for a member; for an invitation "invited" while it can be accepted, then
    "expired" (one without an expiry, made before invitations had one, counts as expired)."""
    if member.user_id:
        return ACTIVE
    now = now or clock.now()
    return INVITED if member.expires_at and member.expires_at > now else EXPIRED


def _open_rows(user, now):
    """The open invitations to the user's phone whose business still exists, newest first.

    Read whole and filtered here: a phone has a handful of open invitations at most (each
    expires, and inviting is limited per person), and the deleted businesses among them can
    only be told by looking at the businesses."""
    rows = list(BusinessMember.objects(invited_phone=user.phone, user_id=None, is_active=True,
                                       expires_at__gt=now).order_by("-invited_at"))
    if not rows:  # the usual answer, and /api/me asks on every profile load
        return []
    live = {b.id: b for b in Business.objects(id__in=list({r.business_id for r in rows}),
                                              deleted_at=None)}
    return [(row, live[row.business_id]) for row in rows if row.business_id in live]


def open_for(user: User, page: int = 1,
             limit: int = 20) -> tuple[list[tuple[BusinessMember, Business]], int]:
    """A page of the invitations waiting for the user's answer, and how many there are."""
    rows = _open_rows(user, clock.now())
    return rows[(page - 1) * limit:page * limit], len(rows)


def count_open(user: User) -> int:
    """How many invitations wait for the user's answer (the site shows it)."""
    return len(_open_rows(user, clock.now()))


def _mine(user, member_id):
    """The unanswered invitation `member_id` sent to the user's phone (expired or not), and
    its business; 404 for anything else, exactly like an id that does not exist."""
    invitation = BusinessMember.objects(
        id=member_id, invited_phone=user.phone, user_id=None,
        is_active=True).first() if isinstance(member_id, str) else None
    business = invitation and Business.objects(id=invitation.business_id,
                                               deleted_at=None).first()
    if business is None:
        raise NotFound("invitation_not_found", _("No such invitation."))
    return invitation, business


def _gone():
    # Withdrawn or answered between our read and our write: as if it had never been there.
    return NotFound("invitation_not_found", _("No such invitation."))


def accept(user: User, member_id: str) -> tuple[BusinessMember, Business]:
    """Join the team as the invitation says (role and permission overrides)."""
    invitation, business = _mine(user, member_id)
    now = clock.now()
    if state(invitation, now) == EXPIRED:
        raise Conflict("invitation_expired",
                       _("This invitation has expired. Ask the team to invite you again."))
    if membership(business.id, user.id) is not None:
        # On the team already (made its owner meanwhile, say): one membership per person.
        BusinessMember.objects(id=invitation.id, user_id=None).update_one(
            set__is_active=False, set__updated_at=now)
        raise Conflict("already_member", _("You are on this team already."))
    # Conditional on the invitation still being open, so a withdrawal at the same moment wins
    # or loses as a whole.
    if not BusinessMember.objects(id=invitation.id, user_id=None, is_active=True,
                                  expires_at__gt=now).update_one(
            set__user_id=user.id, set__joined_at=now, set__updated_at=now):
        raise _gone()
    invitation.reload()
    audit.record("site", user, "accept_invitation", "member", invitation.id,
                 changes=audit.diff({"status": INVITED, "userId": None},
                                    {"status": ACTIVE, "userId": user.id}),
                 business_id=business.id)
    return invitation, business


def decline(user: User, member_id: str) -> BusinessMember:
    """Say no: the invitation closes, and the team no longer lists it."""
    invitation, business = _mine(user, member_id)
    now = clock.now()
    before = state(invitation, now)  # an expired one may be declined too: no is never refused
    if not BusinessMember.objects(id=invitation.id, user_id=None, is_active=True).update_one(
            set__is_active=False, set__declined_at=now, set__updated_at=now):
        raise _gone()
    invitation.reload()
    audit.record("site", user, "decline_invitation", "member", invitation.id,
                 changes=audit.diff({"status": before, "isActive": True},
                                    {"status": DECLINED, "isActive": False}),
                 business_id=business.id)
    return invitation
