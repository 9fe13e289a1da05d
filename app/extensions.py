"""Extensions, created unbound here and bound to an app in create_app()."""

from flask import current_app
from flask_babel import Babel
from flask_cors import CORS
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def _client_key():
    # The prefix lives in the key itself: Flask-Limiter keeps the first app's key prefix for
    # good, and one process can build several apps (tests) on one Redis.
    return f"{current_app.config['REDIS_KEY_PREFIX']}:{get_remote_address()}"


jwt = JWTManager()
limiter = Limiter(key_func=_client_key)
babel = Babel()
cors = CORS()


_route_checks_off = []


def init_limiter(app):
    """Flask-Limiter's storage (memory, or Redis) behind app/lib/rate_limits.py, which
    counts every limit by name (a phone, an IP, a user). No route carries a limit, so its
    per-request check is switched off: it only cost time."""
    limiter.init_app(app)
    if not _route_checks_off:  # the limiter is shared by every app built in a process
        limiter.request_filter(lambda: True)
        _route_checks_off.append(True)
