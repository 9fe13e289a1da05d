"""Public pages. For now: uploaded media, served with long caching."""

from flask import Blueprint, abort, send_file

from app.services.storage import storage

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


def init_web(app):
    from app.web import qr

    app.register_blueprint(bp)
    app.register_blueprint(qr.bp)
