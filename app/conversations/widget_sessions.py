"""Sessions of the chat widget: an anonymous guest (a secret kept in the widget's storage
brings the same guest back), or a customer the business's own server vouched for with an
HMAC signature of their id. A session is a short-lived `widget` token that reaches only that
guest's dialog with that business. Guests are rate-limited; phone sign-in in the chat joins
the guest's dialog to the account (`claim`)."""

import hashlib
import hmac
import secrets
import time
import uuid

import jwt
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from mongoengine import NotUniqueError

from app import clock
from app.businesses import widget_settings
from app.errors import AppError, Forbidden
from app.lib import rate_limits
from app.models import Business, Conversation, Guest

TOKEN_TYPE = "widget"  # noqa: S105 - the token kind, not a secret


def _hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def start(business: Business, ip: str | None, guest_id: str | None = None,
          guest_secret: str | None = None,
          identity: dict | None = None) -> tuple[Guest, str | None, dict]:
    """(guest, secret or None, token): resume or create the widget's visitor. The secret is
    returned only when a new anonymous guest was made (the widget keeps it)."""
    widget = widget_settings.of(business.id)
    if identity is not None:
        external_id, signature = identity.get("id"), identity.get("signature")
        if not widget_settings.verify_identity(widget, external_id, signature):
            raise Forbidden("identity_invalid", _("The visitor's identity could not be "
                                                  "verified."))
        guest, secret = _verified(business, external_id)
    elif widget.identity_required:
        raise _identity_required()
    else:
        guest = resume(business, guest_id, guest_secret)
        secret = None
        if guest is None:
            rate_limits.hit(current_app.config["WIDGET_GUESTS_PER_IP"], "widget-guest", ip,
                            _("Too many new chats from your network. Try again later."))
            guest, secret = _new_guest(business)
    Guest.objects(id=guest.id).update_one(set__last_seen_at=clock.now())
    return guest, secret, issue_token(guest)


def _new_guest(business, external_id=None):
    secret = secrets.token_urlsafe(32)
    guest = Guest(business_id=business.id, secret_hash=_hash(secret), external_id=external_id)
    guest.name = gettext("Guest %(code)s", code=guest.id[-4:].upper())
    guest.save(force_insert=True)
    return guest, secret


def _verified(business, external_id):
    """The one guest of this business for the customer it vouched for."""
    found = Guest.objects(business_id=business.id, external_id=external_id).first()
    if found is not None:
        return found, None
    try:
        return _new_guest(business, external_id)[0], None
    except NotUniqueError:  # the same customer opening two tabs at once
        return Guest.objects.get(business_id=business.id, external_id=external_id), None


def resume(business: Business, guest_id: str | None,
           guest_secret: str | None) -> Guest | None:
    """The guest these credentials prove, or None (wrong, unknown, or joined to an account)."""
    if not isinstance(guest_id, str) or not isinstance(guest_secret, str):
        return None
    guest = Guest.objects(id=guest_id, business_id=business.id).first()
    if guest is None or guest.merged_into or guest.external_id \
            or not hmac.compare_digest(guest.secret_hash, _hash(guest_secret)):
        return None
    return guest


def issue_token(guest: Guest) -> dict:
    hours = current_app.config["WIDGET_SESSION_HOURS"]
    now = int(time.time())
    claims = {"sub": guest.id, "type": TOKEN_TYPE, "biz": guest.business_id,
              "jti": uuid.uuid4().hex, "iat": now, "exp": now + hours * 3600}
    token = jwt.encode(claims, current_app.config["JWT_SECRET_KEY"],
                       algorithm=current_app.config.get("JWT_ALGORITHM", "HS256"))
    return {"token": token, "expiresIn": hours * 3600}


def _identity_required():
    return Forbidden("identity_required",
                     _("This chat is for signed-in customers. Sign in with your phone."))


def dialog_id(business: Business, guest: Guest) -> str | None:
    """The id of the guest's dialog with the business, or None before the first message."""
    found = Conversation.objects(business_id=business.id, customer_id=guest.id) \
        .only("id").first()
    return found.id if found else None


def guest_of(claims: dict) -> Guest | None:
    """The guest of a verified widget token; None once the guest joined an account (the
    widget then uses the account's token). 403 `identity_required` for an anonymous guest
    once the business takes verified customers only: a token taken before the switch is
    refused from then on, not for the rest of its day."""
    guest = Guest.objects(id=claims["sub"], business_id=claims.get("biz")).first()
    if guest is None or guest.merged_into:
        return None
    if guest.external_id is None and widget_settings.of(guest.business_id).identity_required:
        raise _identity_required()
    return guest


def check_message_rate(guest: Guest) -> None:
    rate_limits.hit(current_app.config["WIDGET_MESSAGES_PER_SESSION"], "widget-message",
                    guest.id, _("You are writing too fast. Wait a moment."))


def check_new_dialog_rate(ip: str | None) -> None:
    rate_limits.hit(current_app.config["WIDGET_DIALOGS_PER_IP"], "widget-dialog", ip,
                    _("Too many new chats from your network. Try again later."))


def require_business(guest: Guest, business: Business) -> None:
    if guest.business_id != business.id:
        raise Forbidden("forbidden", _("You are not allowed to do this."))


def invalid_credentials() -> AppError:
    return AppError("guest_invalid", _("This chat session is no longer valid."), status=403)
