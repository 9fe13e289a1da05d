"""The cabinet as an app of its own, for the team's phones: its manifest
(/cabinet/manifest.webmanifest), its service worker (/cabinet/sw.js, scope /cabinet/, apart
from the site's) and its start page (/cabinet/app: the inbox of the business last used).

They are public (a manifest is fetched without cookies, a worker is checked for updates
whoever is signed in); the start page sends anyone signed out to the cabinet's sign-in.
"""

import hashlib

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _

from admin.staff import current_user
from app.businesses import permissions
from app.web.pwa import PUSH_SCRIPT, manifest_icons, manifest_response, worker_response

bp = Blueprint("cabinet_app", __name__)

LAST_BUSINESS = "cabinet_business"  # the session key: the business whose pages were seen last
ICON = "icons/icon-192.png"


def remember(business_id: str) -> None:
    """The business a cabinet page was just shown for: the app opens on its inbox."""
    if session.get(LAST_BUSINESS) != business_id:
        session[LAST_BUSINESS] = business_id


@bp.get("/cabinet/app")
def start():
    """The installed app's start page: the inbox of the business last used, if its person is
    still on its team; else the list of their businesses (or the sign-in)."""
    user = current_user()
    business_id = session.get(LAST_BUSINESS)
    if user is not None and business_id and permissions.membership(business_id, user.id):
        return redirect(url_for("cabinet_business.inbox", business_id=business_id))
    return redirect(url_for("cabinet.index"))


@bp.get("/cabinet/manifest.webmanifest")
def manifest():
    return manifest_response({
        "id": "/cabinet/",
        "name": str(_("Bank for business")),
        "short_name": str(_("Bank inbox")),
        "description": str(_("Answer your customers and run your business.")),
        "lang": str(get_locale()),
        "dir": "ltr",
        "start_url": url_for("cabinet_app.start"),
        "scope": "/cabinet/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": "#343a40",
        "background_color": "#ffffff",
        "categories": ["business", "productivity"],
        "icons": manifest_icons(),
    })


def _worker_source():
    # Rendered once per process, as the site's worker (app/web/pwa.py).
    cached = current_app.extensions.get("cabinet_worker")
    if cached is None:
        asset_url = current_app.extensions["asset_url"]
        values = {"offline_url": url_for("pwa.offline"), "icon": asset_url(ICON),
                  "push_script": asset_url(PUSH_SCRIPT)}
        env = current_app.jinja_env
        source = env.loader.get_source(env, "cabinet/sw.js")[0]
        # The cache's version: changes with the worker's source and what it loads.
        version = hashlib.sha256((source + repr(sorted(values.items()))).encode())
        cached = render_template("cabinet/sw.js", version=version.hexdigest()[:12], **values)
        current_app.extensions["cabinet_worker"] = cached
    return cached


@bp.get("/cabinet/sw.js")
def service_worker():
    return worker_response(_worker_source(), "/cabinet/")
