"""The installable web app: the service worker at /sw.js and the offline page at /offline
(the manifest is in pages.py).

The service worker is served from the site root, so its scope is the whole site; it is a
template filled with the app shell's versioned URLs and a cache version derived from them
and from its own source, so a deploy that changes any of them changes the worker's bytes:
browsers install the new one, which fills a new cache and drops the old ones.
"""

import hashlib
import json
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    url_for,
)

bp = Blueprint("pwa", __name__)

# The public pages' look and scripts; the cabinet's and the API docs' stay out.
SHELL_ASSETS = (
    "css/site.css", "js/api.js", "js/site.js", "js/live.js", "js/catalog.js",
    "js/landing.js", "js/login.js", "js/profile.js", "js/my.js", "js/invitations.js",
    "css/customer-pages.css", "js/dialogs.js", "js/dialog.js", "js/posts.js", "js/comments.js",
    "js/channel.js", "js/feed.js",
    "js/notifications.js", "icons/icon-32.png", "icons/icon-192.png", "icons/icon-512.png",
)
ICON = "icons/icon-192.png"
PUSH_SCRIPT = "js/sw-push.js"  # shared with the cabinet's worker (admin/cabinet/pwa.py)


def _shell():
    asset_url = current_app.extensions["asset_url"]
    static = Path(current_app.static_folder)
    return [asset_url(name) for name in SHELL_ASSETS if (static / name).is_file()]


def _version(shell):
    """Changes whenever an asset of the shell, the worker or the offline page (its template
    or its words) changes."""
    root = Path(current_app.root_path)
    digest = hashlib.sha256(json.dumps(shell).encode())
    sources = [root / "templates" / name for name in ("sw.js", "offline.html", "base.html")]
    sources += sorted((root / "translations").glob("*/LC_MESSAGES/messages.po"))
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def manifest_icons() -> list[dict]:
    """The apps' icons, 192 and 512 px, each also maskable: the letter sits well inside the
    safe circle (the inner 80%) and the colour runs to the edges, so any mask shape fits."""
    asset_url = current_app.extensions["asset_url"]
    return [{"src": asset_url(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}",
             "type": "image/png", "purpose": purpose}
            for purpose in ("any", "maskable") for size in (192, 512)]


def manifest_response(manifest: dict):
    """A web app manifest, cached for an hour; its words are in the visitor's language."""
    response = make_response(jsonify(manifest))
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.vary.update(("Cookie", "Accept-Language"))
    return response


def worker_response(source: str, scope: str):
    """A service worker's script: always checked for a new version, so a deploy reaches
    every browser on its next visit; `scope` is the widest it may control."""
    response = make_response(source)
    response.mimetype = "text/javascript"
    response.headers["Service-Worker-Allowed"] = scope
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag(weak=True)  # one tag for the compressed and plain bodies
    return response.make_conditional(request)


def _worker_source():
    # Browsers ask for the worker on nearly every visit: render it once per process (the
    # assets are hashed at start-up and templates do not change while it runs).
    cached = current_app.extensions.get("pwa_worker")
    if cached is None:
        shell = _shell()
        offline = url_for("pwa.offline")
        asset_url = current_app.extensions["asset_url"]
        cached = render_template("sw.js", version=_version(shell), shell_urls=[*shell, offline],
                                 offline_url=offline, icon=asset_url(ICON),
                                 push_script=asset_url(PUSH_SCRIPT))
        current_app.extensions["pwa_worker"] = cached
    return cached


@bp.get("/sw.js")
def service_worker():
    return worker_response(_worker_source(), "/")


@bp.get("/offline")
def offline():
    """What the service worker shows for a page it cannot fetch and has not kept."""
    response = make_response(render_template("offline.html"))
    response.headers["Cache-Control"] = "no-cache"
    return response
