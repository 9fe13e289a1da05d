"""One sign-in for the site and the cabinet (and the back office): the site keeps bearer tokens
in the browser, /cabinet and /admin a server-side session; the two halves of one sign-in share
its token family, so signing out of either ends both (admin/staff.py: `current_user`,
`sign_out`). Nothing ever travels in a URL.

POST /cabinet/session          the site signed in: its access token (the Bearer) opens the
                               session; no cookie is read, so no other site can make the call
POST /cabinet/session/tokens   the cabinet signed in: the session gives the site a token pair
                               of its family; only to our own pages' scripts (a custom header
                               and a same-origin fetch; the cookie is SameSite=Lax)

Both answer JSON, errors in the API's envelope.
"""

from flask import Blueprint, current_app, g, request, session
from flask_babel import lazy_gettext as _

from admin.staff import current_user, start_session
from app.accounts import tokens
from app.api.guard import Unauthorized, authenticate
from app.api.presenters import user_public
from app.api.responses import error, ok
from app.errors import AppError, Forbidden
from app.lib import rate_limits

bp = Blueprint("shared_sign_in", __name__)


def _json_errors(view):
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except AppError as exc:
            return error(exc.status, exc.code, exc.message, exc.details, exc.headers)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@bp.post("/cabinet/session")
@_json_errors
def from_site():
    """Open the cabinet's session for the site's signed-in person (no second SMS)."""
    authenticate("access")
    person, family = g.current_user, g.token_claims["fam"]
    signed_in = current_user()
    # Already open for this sign-in (each click on "Cabinet" asks): kept as it is.
    if signed_in is None or signed_in.id != person.id or session.get("token_family") != family:
        # Each session is a stored document until it idles out: bounded per person.
        rate_limits.hit(current_app.config["CABINET_SESSIONS_PER_USER"], "cabinet-session",
                        person.id, _("Too many sign-ins. Try again later."))
        start_session(person, family)
    return ok({"signedIn": True, "user": user_public(person)})


@bp.post("/cabinet/session/tokens")
@_json_errors
def for_site():
    """The site's tokens for the person signed in to the cabinet, in their sign-in's family."""
    if request.headers.get("X-Requested-With") != "fetch" or \
            request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
        raise Forbidden("forbidden", _("You are not allowed to do this."))
    person = current_user()
    if person is None:
        raise Unauthorized("unauthorized", _("Sign in to continue."))
    family = session.get("token_family")
    if not family:  # a session from before sign-ins were shared
        family = session["token_family"] = tokens.new_family()
    return ok({**tokens.issue_pair(person.id, family=family), "user": user_public(person)})
