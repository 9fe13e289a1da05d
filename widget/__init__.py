"""The embeddable chat widget: the loader script every website embeds (`/widget.js`), and the
chat page shown in its iframe (`/widget/<slug>`) with its own small assets.

pages.py   the two routes and their headers (caching, frame-ancestors)
static/    loader.js (the loader, plain JS), chat.js and chat.css (the iframe's chat)
templates/ widget/chat.html
The JSON endpoints the chat uses live with the API: app/api/widget_config.py and the guest
sessions; the business's settings in app/businesses/widget_settings.py.
"""

import hashlib

from flask import request

from widget.pages import HERE, bp

YEAR = 31536000


def _versions():
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            for path in (HERE / "static").iterdir() if path.is_file()}


def init_widget(app):
    versions = _versions()

    def widget_asset(name):
        """`/widget/static/chat.js?v=<hash>`: a changed file gets a new URL."""
        return f"{request.script_root}/widget/static/{name}?v={versions[name]}"

    app.register_blueprint(bp)
    app.jinja_env.globals["widget_asset"] = widget_asset

    @app.after_request
    def cache_widget_assets(response):
        if request.endpoint == "widget.static" and response.status_code in (200, 304):
            name = (request.view_args or {}).get("filename")
            if name and request.args.get("v") == versions.get(name):
                response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        return response
