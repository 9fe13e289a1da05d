"""Every failure under /api/ answers with the JSON error envelope, never HTML or a trace;
elsewhere (the pages) with an HTML error page (app/web/errors.py)."""

import logging

from flask import request
from flask_babel import lazy_gettext as _
from werkzeug.exceptions import HTTPException

from app.api.responses import error
from app.errors import AppError
from app.messaging.gateway import InvalidRequest, MessagingError
from app.messaging.gateway import NotFound as MessagingNotFound
from app.web.errors import render_error_page

log = logging.getLogger("bank.errors")

_HTTP_ERRORS = {
    400: ("bad_request", _("The request could not be understood.")),
    401: ("unauthorized", _("Sign in to continue.")),
    403: ("forbidden", _("You are not allowed to do this.")),
    404: ("not_found", _("Nothing was found at this address.")),
    405: ("method_not_allowed", _("This method is not allowed here.")),
    409: ("conflict", _("The request conflicts with the current state.")),
    413: ("payload_too_large", _("The request body is too large.")),
    415: ("unsupported_media_type", _("This content type is not supported.")),
    422: ("validation_error", _("Some fields are not valid.")),
    429: ("rate_limited", _("Too many requests. Try again later.")),
}


def _is_api():
    """The API, and any live stream (the cabinet's too): its reader wants JSON, not a page."""
    return request.path == "/api" or request.path.startswith("/api/") \
        or request.headers.get("Accept") == "text/event-stream"


def init_error_handlers(app):
    @app.errorhandler(AppError)
    def app_error(exc):
        if not _is_api():
            return render_error_page(exc.status, message=exc.message, headers=exc.headers)
        return error(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.errorhandler(MessagingError)
    def messaging_error(exc):
        # The messaging service refused a request we built from validated input (a stale
        # cursor, a message gone) or could not be reached.
        if isinstance(exc, InvalidRequest):
            return app_error(AppError("validation_error", _("Some fields are not valid."),
                                      status=422, details={"reason": str(exc)}))
        if isinstance(exc, MessagingNotFound):
            return app_error(AppError("not_found", _("Nothing was found at this address."),
                                      status=404))
        log.warning("messaging unavailable: %s", exc)
        return app_error(AppError("messaging_unavailable",
                                  _("Messages are unavailable for a moment. Try again."),
                                  status=503, headers={"Retry-After": "5"}))

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if exc.code is None or exc.code < 400:
            return exc
        headers = {}
        if exc.code == 405 and exc.valid_methods:
            headers["Allow"] = ", ".join(exc.valid_methods)
        if not _is_api():
            return render_error_page(exc.code, headers=headers)
        code, message = _HTTP_ERRORS.get(exc.code, ("error", exc.description))
        return error(exc.code, code, message, headers=headers)

    @app.errorhandler(Exception)
    def unexpected(exc):
        log.exception("unhandled error")
        if not _is_api():
            return render_error_page(500)
        return error(500, "internal_error", _("Something went wrong on our side."))
