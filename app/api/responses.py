"""The JSON envelope: {"data": ...} on success, {"error": {...}} on failure.

A view declares the statuses it answers with (`@responds(201)`; 200 unless it says so): the
same declaration sets `ok()`'s status and the OpenAPI document's responses, so they cannot
drift apart, and answering with a status a view did not declare is a bug that fails loudly.
"""

from collections.abc import Callable

from flask import current_app, jsonify, request

DEFAULT_STATUSES = (200,)


def responds(*statuses: int) -> Callable:
    """The statuses the view answers with on success (its first is `ok()`'s default)."""
    def decorator(view):
        view.statuses = statuses
        return view
    return decorator


def declared_statuses(view: Callable) -> tuple[int, ...]:
    return getattr(view, "statuses", DEFAULT_STATUSES)


def _status(status):
    declared = declared_statuses(current_app.view_functions[request.endpoint])
    if status is None:
        return declared[0]
    if status not in declared:
        raise AssertionError(f"{request.endpoint} answers {status}, documented {declared}")
    return status


def ok(data, status=None, headers=None):
    response = jsonify({"data": data})
    response.status_code = _status(status)
    if headers:
        response.headers.update(headers)
    return response


def paginated(items, page, limit, total, status=None):
    response = jsonify({"data": items, "pagination": {
        "page": page, "limit": limit, "total": total, "pages": -(-total // limit) if total else 0,
    }})
    response.status_code = _status(status)
    return response
def error(status, code, message, details=None, headers=None):
    payload = {"code": code, "message": str(message)}
    if details:
        payload["details"] = details
    response = jsonify({"error": payload})
    response.status_code = status
    if headers:
        response.headers.update(headers)
    return response
