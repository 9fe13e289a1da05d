"""The JSON API under /api/."""

from flask import Blueprint

from app.api import (
    auth,
    bot_settings,
    businesses,
    catalog,
    channels,
    dialogs,
    health,
    members,
    openapi,
    push,
    qr,
    reports,
    stream,
    subscriptions,
    users,
    widget_config,
    widget_sessions,
)
from app.api.errors import init_error_handlers


def init_api(app):
    api = Blueprint("api", __name__, url_prefix="/api")
    for module in (auth, users, businesses, members, bot_settings, catalog, subscriptions, dialogs,
                   channels, push, qr, reports, stream, health, openapi, widget_config,
                   widget_sessions):
        api.register_blueprint(module.bp)
    app.register_blueprint(api)
    init_error_handlers(app)
