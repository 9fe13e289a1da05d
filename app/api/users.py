"""Profiles: public reads, own-profile edits, avatars."""

import hashlib
from typing import Annotated

from flask import Blueprint, Response, request
from flask_babel import lazy_gettext as _
from pydantic import Field

from app.accounts import avatars, users
from app.api.guard import login_required, me
from app.api.presenters import user_private, user_public
from app.api.responses import ok
from app.api.validation import Body, body
from app.businesses import invitations
from app.errors import AppError, Forbidden

bp = Blueprint("users", __name__)


class ProfileUpdate(Body):
    name: Annotated[str, Field(max_length=users.NAME_MAX)] | None = None


def _counts(user):
    # `invitations`: team invitations waiting for my answer, for the site to show.
    return {**users.counts(user.id), "invitations": invitations.count_open(user)}


@bp.get("/me")
@login_required
def get_me():
    """My profile, with counts of businesses owned, joined, subscriptions, and invitations."""
    user = me()
    return ok(user_private(user, _counts(user)))


@bp.get("/users/<user_id>")
def get_user(user_id):
    """A user's public profile."""
    return ok(user_public(users.get(user_id)))


@bp.put("/users/<user_id>")
@login_required
@body(ProfileUpdate)
def update_user(data, user_id):
    """Edit your own profile (the name). The phone cannot be changed."""
    user = users.update_profile(me().id, user_id, name=data.name)
    return ok(user_private(user, _counts(user)))


@bp.post("/users/<user_id>/avatar")
@login_required
def upload_avatar(user_id):
    """Upload an avatar: multipart field `file`, JPEG, PNG or WebP up to 5 MB."""
    user = users.get(user_id)
    if me().id != user.id:
        raise Forbidden("forbidden", _("You can only change your own avatar."))
    upload = request.files.get("file")
    if upload is None:
        raise AppError("validation_error", _("Send the image in the multipart field 'file'."),
                       status=422, details={"field": "file"})
    avatars.upload(user, upload.read())
    return ok(user_public(user))


upload_avatar.multipart_fields = {"file": "binary"}


@bp.get("/users/<user_id>/avatar.svg")
def generated_avatar(user_id):
    """The generated avatar: initials, or the last two digits of the phone."""
    svg = avatars.generated_svg(users.get(user_id))
    etag = hashlib.sha256(svg.encode()).hexdigest()[:20]
    response = Response(svg, mimetype="image/svg+xml")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response.make_conditional(request)
