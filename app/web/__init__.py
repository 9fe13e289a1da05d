"""Public pages (server-rendered Jinja with a little vanilla JS) and uploaded media.

Modules: pages.py (home, catalog, sign-in, profile, my pages, language, manifest),
invitations.py (/my/invitations), pwa.py
(the service worker and the offline page),
landing.py (/b/<slug>), channel.py (/b/<slug>/channel, /my/feed), dialogs.py (/my/dialogs
and one dialog), qr.py (/q/<code>), errors.py (HTML error pages), assets.py (versioned
static URLs), headers.py (security headers).
"""

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    has_request_context,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale

from app.lib.storage import storage
from app.web import channel, dialogs, invitations, landing, pages, pwa, qr
from app.web.assets import init_assets
from app.web.headers import init_security_headers
from app.web.js_strings import strings

bp = Blueprint("web", __name__)


@bp.get("/media/<path:key>")
def media(key):
    try:
        path = storage().path(key)
    except ValueError:
        path = None
    if path is None:
        abort(404)
    # Keys are content hashes: the file behind a key never changes.
    response = send_file(path, max_age=31536000, conditional=True)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/favicon.ico")
def favicon():
    # Browsers ask for it on every site, pages with an icon link or not (Flask-Admin's).
    response = send_file(Path(current_app.static_folder) / "icons" / "icon-32.png",
                         mimetype="image/png", max_age=604800)
    return response


def badge_colour(text):
    """One of the eight letter-badge colours, the same for the same id in Python and JS."""
    return sum(map(ord, text or "")) % 8


def first_letter(name):
    return next((char.upper() for char in name or "" if char.isalnum()), "•")


def _page_context():
    if not has_request_context():  # a template rendered by a task, say
        return {}
    here = request.full_path.rstrip("?")
    signed_out_target = "/" if request.endpoint == "pages.login" else here
    # `i18n`: the scripts' common words, for pages (the error page) that pass none of their own.
    return {"lang": str(get_locale()), "here": here, "i18n": strings(),
            "login_url": url_for("pages.login", next=signed_out_target)}


def init_web(app):
    app.register_blueprint(bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(invitations.bp)
    app.register_blueprint(landing.bp)
    app.register_blueprint(channel.bp)
    app.register_blueprint(dialogs.bp)
    app.register_blueprint(qr.bp)
    app.register_blueprint(pwa.bp)
    init_assets(app)
    init_security_headers(app)
    app.context_processor(_page_context)
    app.jinja_env.filters.update(badge_colour=badge_colour, first_letter=first_letter)
