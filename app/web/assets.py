"""Static files under versioned URLs: `asset_url("css/site.css")` in a template gives
`/static/css/site.css?v=<hash of the file>`.

The hashes are computed once at start-up (no per-request work), so a changed file gets a new
URL and browsers may keep every versioned asset for a year.
"""

import hashlib
from pathlib import Path

from flask import request

YEAR = 31536000


def _versions(folder):
    root = Path(folder)
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            for path in sorted(root.rglob("*")) if path.is_file()}


def init_assets(app):
    versions = _versions(app.static_folder)
    urls = {name: f"{app.static_url_path}/{name}?v={version}" for name, version in versions.items()}

    def asset_url(filename):
        # script_root: the app may be mounted under a path prefix.
        return request.script_root + urls.get(filename, f"{app.static_url_path}/{filename}")

    app.jinja_env.globals["asset_url"] = asset_url
    app.extensions["asset_url"] = asset_url

    @app.after_request
    def cache_versioned_assets(response):
        if request.endpoint == "static" and response.status_code in (200, 304):
            filename = (request.view_args or {}).get("filename")
            if filename and request.args.get("v") == versions.get(filename):
                response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        return response
