"""The JSON API under /api/."""

from flask import Blueprint
from werkzeug.routing import BaseConverter

from app.api import (
    admin,
    auth,
    bot_settings,
    businesses,
    catalog,
    channels,
    dialogs,
    health,
    invitations,
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
    widget_settings,
)
from app.api.errors import init_error_handlers


class IdConverter(BaseConverter):
    """`<id(biz):business_id>`: a path segment that is an id with that prefix (`biz_…`), so
    a word of the same place ("/businesses/nearby") is never taken for one, and the OpenAPI
    document gives its pattern."""

    def __init__(self, url_map, prefix):
        super().__init__(url_map)
        self.regex = f"{prefix}_[0-9a-z]{{1,40}}"


def init_api(app):
    app.url_map.converters["id"] = IdConverter
    api = Blueprint("api", __name__, url_prefix="/api")
    for module in (auth, users, businesses, members, invitations, bot_settings, catalog,
                   subscriptions, dialogs, channels, push, qr, reports, stream, health, openapi,
                   widget_config, widget_sessions, widget_settings, admin):
        api.register_blueprint(module.bp)
    app.register_blueprint(api)
    init_error_handlers(app)
