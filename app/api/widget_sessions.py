"""The chat widget's sessions: a guest (or a customer the business vouched for) gets a token
for its dialog with the business; after phone sign-in, the guest's dialog joins the account."""

from typing import Annotated

from flask import Blueprint, request
from pydantic import Field

from app.api.guard import login_required, me
from app.api.responses import ok
from app.api.validation import Body, body
from app.businesses import businesses
from app.conversations import guest_merge, widget_sessions

bp = Blueprint("widget_sessions", __name__, url_prefix="/widget/<slug>")

GuestId = Annotated[str, Field(min_length=1, max_length=40)]
GuestSecret = Annotated[str, Field(min_length=1, max_length=100)]


class Identity(Body):
    id: Annotated[str, Field(min_length=1, max_length=128)]
    signature: Annotated[str, Field(min_length=1, max_length=128)]


class SessionRequest(Body):
    guestId: GuestId | None = None
    guestSecret: GuestSecret | None = None
    identity: Identity | None = None


class ClaimRequest(Body):
    guestId: GuestId
    guestSecret: GuestSecret


def _business(slug):
    business, _moved = businesses.resolve_slug(slug)
    return business


@bp.post("/session")
@body(SessionRequest)
def session(data, slug):
    """A widget session: resume the guest the stored secret proves, verify the business's
    signature of its customer's id, or start a new guest (limited per IP)."""
    business = _business(slug)
    identity = data.identity.model_dump() if data.identity else None
    guest, secret, token = widget_sessions.start(business, request.remote_addr, data.guestId,
                                                 data.guestSecret, identity)
    shown = {"id": guest.id, "name": guest.name, "verified": bool(guest.external_id)}
    if secret:
        shown["secret"] = secret
    return ok({**token, "guest": shown, "businessId": business.id,
               "dialogId": widget_sessions.dialog_id(business, guest)})


@bp.post("/claim")
@login_required
@body(ClaimRequest)
def claim(data, slug):
    """After phone sign-in in the chat: the guest's dialog becomes the account's."""
    conversation = guest_merge.claim(me(), _business(slug), data.guestId, data.guestSecret)
    return ok({"dialogId": conversation.id if conversation else None})
