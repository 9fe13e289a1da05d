"""The application factory."""

from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import load_config, load_dotenv_file

ROOT = Path(__file__).resolve().parent.parent


def select_locale():
    """The `lang` cookie (the pages' language switch), else Accept-Language, else the default."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or \
        current_app.config["BABEL_DEFAULT_LOCALE"]


def create_app(overrides=None):
    """Build the app. `overrides` (a mapping of environment-style settings) wins over the
    environment; tests use it."""
    overrides = {key: str(value) for key, value in (overrides or {}).items()}
    environ = {**load_dotenv_file(ROOT), **overrides}
    app = Flask(__name__, instance_path=environ.get("INSTANCE_PATH") or str(ROOT / "instance"))
    app.config.update(load_config(environ, app.instance_path))
    app.config["TESTING"] = app.config["APP_ENV"] == "testing"
    app.config.update(
        JWT_TOKEN_LOCATION=["headers"],
        JWT_ACCESS_TOKEN_EXPIRES=timedelta(minutes=app.config["JWT_ACCESS_TOKEN_MINUTES"]),
        JWT_REFRESH_TOKEN_EXPIRES=timedelta(days=app.config["JWT_REFRESH_TOKEN_DAYS"]),
        RATELIMIT_STORAGE_URI=app.config["REDIS_URL"] or "memory://",
        RATELIMIT_HEADERS_ENABLED=False,  # our 429 handlers set Retry-After themselves
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "app" / "translations"),
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False
    app.json.ensure_ascii = False  # Cyrillic as text: shorter and readable
    from app.sessions import ServerSideSessionInterface

    app.session_interface = ServerSideSessionInterface()
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"],
                                x_proto=app.config["TRUSTED_PROXIES"],
                                x_host=app.config["TRUSTED_PROXIES"])

    from app import logs

    logs.configure_logging(app.config["LOG_LEVEL"])
    logs.init_request_ids(app)
    _init_extensions(app)

    from app.db import init_db
    from app.lib.storage import init_storage

    init_db(app)
    init_storage(app)
    from app.live.bus import init_live

    init_live(app)
    _init_messaging(app)

    from app.api import init_api
    from app.web import init_web

    init_api(app)
    init_web(app)

    from app.cli import init_cli

    init_cli(app)

    from admin import init_admin

    init_admin(app)

    from widget import init_widget

    init_widget(app)

    from tasks import celery_init_app

    celery_init_app(app)
    return app


def _init_messaging(app):
    from app.listeners import all_listeners
    from app.messaging.runtime import init_messaging

    init_messaging(app, all_listeners())


def _init_extensions(app):
    from app.compression import init_compression
    from app.extensions import babel, cors, init_limiter, jwt

    init_compression(app)  # registered early: it runs after the pages' own after_request hooks
    jwt.init_app(app)  # makes the tokens; app/api/guard.py checks them
    init_limiter(app)
    babel.init_app(app, locale_selector=select_locale)
    cors.init_app(app, resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}},
                  expose_headers=["X-Request-ID", "Retry-After"])
    if app.config["REDIS_URL"]:
        import redis

        app.extensions["redis"] = redis.Redis.from_url(app.config["REDIS_URL"],
                                                       socket_timeout=2, socket_connect_timeout=2)
    else:
        app.extensions["redis"] = None
