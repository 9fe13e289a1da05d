"""Authentication for the JSON API: bearer access tokens, checked against the blocklist and
the user's state on every request (a blocked user's tokens stop working at once)."""

from flask_babel import lazy_gettext as _
from flask_jwt_extended import current_user, jwt_required

from app.api.responses import error
from app.models import User
from app.services import tokens


def login_required(view):
    view = jwt_required()(view)
    view.auth_required = True
    return view


def optional_login(view):
    view = jwt_required(optional=True)(view)
    view.auth_optional = True
    return view


def me():
    return current_user


def init_jwt_callbacks(jwt):
    @jwt.user_lookup_loader
    def load_user(_header, claims):
        user = User.objects(id=claims["sub"]).first()
        if user is None or user.is_blocked or not user.is_active:
            return None
        return user

    @jwt.user_lookup_error_loader
    def user_gone(_header, claims):
        user = User.objects(id=claims["sub"]).only("is_blocked").first()
        if user is not None and user.is_blocked:
            return error(403, "user_blocked", _("This account is blocked."))
        return error(401, "token_invalid", _("Sign in again."))

    @jwt.token_in_blocklist_loader
    def revoked(_header, claims):
        return tokens.is_revoked(claims)

    @jwt.revoked_token_loader
    def revoked_response(_header, _claims):
        return error(401, "token_revoked", _("This session has ended. Sign in again."))

    @jwt.expired_token_loader
    def expired(_header, _claims):
        return error(401, "token_expired", _("The session has expired. Refresh it or sign in."))

    @jwt.invalid_token_loader
    def invalid(_reason):
        return error(401, "token_invalid", _("The token is not valid."))

    @jwt.unauthorized_loader
    def missing(_reason):
        return error(401, "unauthorized", _("Sign in to continue."))

