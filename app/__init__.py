"""The application factory."""

from datetime import timedelta
from pathlib import Path

import redis
from flask import Flask, current_app, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

import admin
import tasks
import widget
from app import listeners, logs
from app.api import init_api
from app.api.metrics import bp as metrics_bp
from app.cli import init_cli
from app.compression import init_compression
from app.config import load_config, load_dotenv_file
from app.db import init_db
from app.extensions import babel, cors, init_limiter, jwt
from app.lib.event_bus import init_event_bus
from app.lib.images import init_images
from app.lib.metrics import init_request_metrics
from app.lib.storage import init_storage
from app.live.bus import init_live
from app.live.slots import init_slots
from app.messaging.runtime import init_messaging
from app.sessions import ServerSideSessionInterface
from app.web import init_web

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
    app.session_interface = ServerSideSessionInterface()
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"],
                                x_proto=app.config["TRUSTED_PROXIES"],
                                x_host=app.config["TRUSTED_PROXIES"])

    logs.configure_logging(logs.level_for(app.config))
    logs.init_request_ids(app)
    init_request_metrics(app)
    _init_extensions(app)
    init_db(app)
    init_storage(app)
    init_images(app)
    init_live(app)
    init_slots(app)
    messaging = init_messaging(app)
    listeners.subscribe_all(init_event_bus(app), messaging.dispatcher)
    init_api(app)
    app.register_blueprint(metrics_bp)  # GET /metrics, outside /api: for the scraper
    init_web(app)
    init_cli(app)
    admin.init_admin(app)
    widget.init_widget(app)
    tasks.celery_init_app(app)
    return app


def _init_extensions(app):
    init_compression(app)  # registered early: it runs after the pages' own after_request hooks
    jwt.init_app(app)  # makes the tokens; app/api/guard.py checks them
    init_limiter(app)
    babel.init_app(app, locale_selector=select_locale)
    cors.init_app(app, resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}},
                  expose_headers=["X-Request-ID", "Retry-After"])
    app.extensions["redis"] = redis.Redis.from_url(
        app.config["REDIS_URL"], socket_timeout=2, socket_connect_timeout=2) \
        if app.config["REDIS_URL"] else None
