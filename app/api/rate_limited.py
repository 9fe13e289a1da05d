"""Per-route limits (Flask-Limiter), checked only on the routes that declare one.

Flask-Limiter evaluates its rules before every request; for a route without limits that cost a
quarter of a bare request's time (bench/api_throughput.py). A request filter tells it to skip
every route not marked here.
"""

from flask import current_app, request

from app.extensions import limiter


def rate_limited(limit, scope):
    def decorator(view):
        view = limiter.limit(limit, scope=scope)(view)
        view.rate_limited = True
        return view
    return decorator


def _not_limited():
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, "rate_limited", False)


_installed = []


def init_rate_limits():
    if not _installed:  # the limiter is shared by every app that create_app builds (tests)
        limiter.request_filter(_not_limited)
        _installed.append(True)
