"""HTML error pages for everything outside /api/ (the API answers errors in JSON)."""

import logging

from flask import make_response, render_template
from flask_babel import lazy_gettext as _
from markupsafe import escape

log = logging.getLogger("bank.web")

TITLES = {
    400: _("Bad request"),
    401: _("Sign in to continue"),
    403: _("Access denied"),
    404: _("Page not found"),
    405: _("Method not allowed"),
    413: _("Too large"),
    429: _("Too many requests"),
    500: _("Something went wrong"),
}
MESSAGES = {
    400: _("The request could not be understood."),
    403: _("You are not allowed to see this page."),
    404: _("There is nothing at this address. Check the link or find the business in the "
           "catalog."),
    429: _("Too many requests. Try again a little later."),
    500: _("Something went wrong on our side. Try again in a minute."),
}


def render_error_page(status, title=None, message=None, headers=None):
    """The error page with `status`; the title and text default to ones for the status."""
    title = title or TITLES.get(status) or TITLES[500 if status >= 500 else 400]
    message = message or MESSAGES.get(status) or MESSAGES[500 if status >= 500 else 400]
    try:
        html = render_template("error.html", status=status, title=title, message=message)
    except Exception:  # the page itself failed (a broken template): still answer something
        log.exception("error page failed")
        html = f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
    response = make_response(html, status)
    if headers:
        response.headers.update(headers)
    return response
