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
