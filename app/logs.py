"""JSON logs, each line carrying the request id that is echoed in X-Request-ID."""

import logging
import re
import time
import uuid

import click
from flask import g, has_request_context, request
from flask.cli import FlaskGroup
from pythonjsonlogger.json import JsonFormatter

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_log = logging.getLogger("bank.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = g.get("request_id") if has_request_context() else None
        return True


def level_for(config):
    """LOG_LEVEL; for a `flask` command, at least WARNING unless CLI_LOG_LEVEL says otherwise:
    the command prints its own short summary, and the INFO lines (every job run inline, every
    request) belong in the server's log."""
    context = click.get_current_context(silent=True)
    if context is None or not isinstance(context.find_root().command, FlaskGroup):
        return config["LOG_LEVEL"]  # the server, a Celery worker (click too), a test
    return config.get("CLI_LOG_LEVEL") or max(
        config["LOG_LEVEL"], "WARNING", key=logging.getLevelName)


def configure_logging(level):
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        json_ensure_ascii=False,
    ))
    handler.addFilter(RequestIdFilter())
    handler.bank_json = True
    root = logging.getLogger()
    # Replace ours, keep others (pytest's): the factory may run more than once in a process.
    root.handlers = [h for h in root.handlers if not getattr(h, "bank_json", False)] + [handler]
    root.setLevel(level)


def init_request_ids(app):
    @app.before_request
    def assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def echo_request_id(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-ID"] = request_id
            elapsed_ms = (time.perf_counter() - g.started) * 1000
            _log.info("request", extra={
                "method": request.method, "path": request.path,
                "status": response.status_code, "duration_ms": round(elapsed_ms, 2),
            })
        return response
