"""Phone sign-in: send a code, verify it, refresh and log out."""

from typing import Annotated

from flask import Blueprint, current_app, request
from pydantic import Field

from app.accounts import phones, sign_in_codes, tokens, users
from app.api.guard import claims, login_required, refresh_token_required
from app.api.presenters import user_public
from app.api.responses import ok
from app.api.validation import Body, body

bp = Blueprint("auth", __name__, url_prefix="/auth")

Phone = Annotated[str, Field(min_length=1, max_length=32, examples=["+79123456789"])]


class SendCode(Body):
    phone: Phone


class VerifyCode(Body):
    phone: Phone
    code: Annotated[str, Field(pattern=r"^\d{6}$", examples=["123456"])]


class Logout(Body):
    refreshToken: Annotated[str, Field(max_length=4096)] | None = None


@bp.post("/send-code")
@body(SendCode)
def send_code(data):
    """Send a sign-in code by SMS. The answer is the same for new and known phones."""
    phone = phones.normalize(data.phone, current_app.config["SMS_DEFAULT_REGION"])
    return ok({"phone": phone, **sign_in_codes.send_code(phone, request.remote_addr)})


@bp.post("/verify-code")
@body(VerifyCode)
def verify_code(data):
    """Check the code. The first success registers the phone. Returns access and refresh tokens."""
    phone = phones.normalize(data.phone, current_app.config["SMS_DEFAULT_REGION"])
    user = users.sign_in(phone, data.code)
    return ok({**tokens.issue_pair(user.id), "user": user_public(user)})


@bp.post("/refresh")
@refresh_token_required
def refresh():
    """Exchange the refresh token (sent as the Bearer token) for a new pair; it works once."""
    return ok(tokens.rotate(claims()))


@bp.post("/logout")
@login_required
@body(Logout)
def logout(data):
    """Revoke the access token, and the refresh token if given."""
    tokens.logout(claims(), data.refreshToken)
    return ok({"loggedOut": True})
