"""Liveness and readiness probes."""

import requests
from flask import Blueprint, current_app

from app import db
from app.api.responses import ok, responds

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    """Liveness: the process answers."""
    return ok({"status": "ok"})


def _check_broker(url):
    from kombu import Connection

    with Connection(url, connect_timeout=2) as connection:
        connection.ensure_connection(max_retries=1)


def _check_mms3(url):
    response = requests.get(url, timeout=(2, 3))
    if response.status_code >= 500:
        raise RuntimeError(f"mms3 answered {response.status_code}")


@bp.get("/ready")
@responds(200, 503)
def ready():
    """Readiness: the store, and the broker and mms3 when they are configured."""
    config = current_app.config
    checks = {"store": db.ping}
    if config["CELERY_BROKER_URL"]:
        checks["broker"] = lambda: _check_broker(config["CELERY_BROKER_URL"])
    if config["REDIS_URL"]:
        checks["redis"] = lambda: current_app.extensions["redis"].ping()
    if config["MMS3_API_URL"]:
        checks["mms3"] = lambda: _check_mms3(config["MMS3_API_URL"])
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure means "not ready"; say which
            results[name] = f"error: {exc.__class__.__name__}"
    ready_now = all(value == "ok" for value in results.values())
    return ok({"status": "ready" if ready_now else "unavailable", "checks": results},
              status=200 if ready_now else 503)
