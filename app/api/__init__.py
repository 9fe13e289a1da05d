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
    qr,
    reports,
    stream,
    subscriptions,
    users,
)
from app.api.errors import init_error_handlers


def init_api(app):
    api = Blueprint("api", __name__, url_prefix="/api")
    for module in (auth, users, businesses, members, bot_settings, catalog, subscriptions, dialogs,
                   channels, qr, reports, stream, health, openapi):
        api.register_blueprint(module.bp)
    app.register_blueprint(api)
    init_error_handlers(app)
