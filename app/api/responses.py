"""The JSON envelope: {"data": ...} on success, {"error": {...}} on failure."""

from flask import jsonify


def ok(data, status=200, headers=None):
    response = jsonify({"data": data})
    response.status_code = status
    if headers:
        response.headers.update(headers)
    return response


def paginated(items, page, limit, total, status=200):
    response = jsonify({"data": items, "pagination": {
        "page": page, "limit": limit, "total": total, "pages": -(-total // limit) if total else 0,
    }})
    response.status_code = status
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
