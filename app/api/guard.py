"""Authentication for the JSON API: `Authorization: Bearer <token>`.

Tokens are made by flask-jwt-extended (app/accounts/tokens.py). They are checked here with a
single verified PyJWT decode: flask-jwt-extended's own `jwt_required` parses each token four
times, which was the largest cost of every authenticated request (bench/api_throughput.py),
and a verified token is remembered for its next use.
Every request also checks the blocklist and the user's state, so a revoked token or a blocked
user stops working at once.
"""

import time
from functools import lru_cache, wraps

import jwt
from flask import current_app, g, request
from flask_babel import lazy_gettext as _

from app.accounts import tokens
from app.conversations import widget_sessions
from app.errors import AppError, Forbidden
from app.models import User


class Unauthorized(AppError):
    status = 401


def _bearer_token():
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("unauthorized", _("Sign in to continue."))
    return token.strip()


@lru_cache(maxsize=4096)
def _verified(token, key, algorithm):
    """The claims of a token whose signature checks out. Cached by the whole token string, so
    a client that sends the same token on every request is verified once; expiry is checked
    on every use by the caller. Invalid tokens raise, and exceptions are not cached."""
    return jwt.decode(token, key, algorithms=[algorithm],
                      options={"require": ["exp", "sub", "jti", "type"]})


def _decode(token, expected_type):
    return _decode_any(token, (expected_type,))


def _decode_any(token, expected_types):
    config = current_app.config
    try:
        claims = _verified(token, config["JWT_SECRET_KEY"], config.get("JWT_ALGORITHM", "HS256"))
    except jwt.ExpiredSignatureError:
        claims = None
    except jwt.InvalidTokenError:
        raise Unauthorized("token_invalid", _("The token is not valid.")) from None
    if claims is None or claims["exp"] <= time.time():
        raise Unauthorized("token_expired",
                           _("The session has expired. Refresh it or sign in."))
    if claims["type"] not in expected_types:
        raise Unauthorized("token_invalid", _("The token is not valid."))
    return claims


def _load_user(user_id):
    # A plain find_one rather than a queryset: this runs on every authenticated request.
    found = User._get_collection().find_one({"_id": user_id})
    if found is None or not found.get("isActive", True):
        raise Unauthorized("token_invalid", _("Sign in again."))
    if found.get("isBlocked"):
        raise Forbidden("user_blocked", _("This account is blocked."))
    return User._from_son(found)


def authenticate(expected_type="access"):
    _signed_in(_decode(_bearer_token(), expected_type))


def _signed_in(claims):
    if tokens.is_revoked(claims):
        raise Unauthorized("token_revoked", _("This session has ended. Sign in again."))
    g.token_claims = claims
    g.current_user = _load_user(claims["sub"])


def _requires(token_type):
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            authenticate(token_type)
            return view(*args, **kwargs)

        wrapper.auth_required = True
        return wrapper
    return decorator


# The view needs a valid access token; `me()` is then the signed-in user.
login_required = _requires("access")
# The view needs a valid refresh token as the Bearer token (only /api/auth/refresh).
refresh_token_required = _requires("refresh")


def visitor_required(view):
    """Signed in, or a chat widget's session (app/conversations/widget_sessions.py): then me() is
    the guest, whose token reaches only their own dialog with that business."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        claims = _decode_any(_bearer_token(), ("access", widget_sessions.TOKEN_TYPE))
        if claims["type"] == "access":
            _signed_in(claims)
        else:
            guest = widget_sessions.guest_of(claims)
            if guest is None:
                raise Unauthorized("token_invalid", _("Sign in again."))
            g.token_claims, g.current_user = claims, guest
        return view(*args, **kwargs)

    wrapper.auth_required = True
    return wrapper


def optional_login(view):
    """Like login_required when a token is sent; anonymous callers pass with me() None, and so
    does a chat widget's guest: its token is for its own dialog, and these public pages' data
    is the public's (the business, its channel, the catalog)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        g.current_user = None
        if request.headers.get("Authorization"):
            claims = _decode_any(_bearer_token(), ("access", widget_sessions.TOKEN_TYPE))
            if claims["type"] == "access":
                _signed_in(claims)
        return view(*args, **kwargs)

    return wrapper


def me():
    return g.current_user


def claims():
    return g.token_claims
