"""Prometheus metrics: every series the product exports at `GET /metrics` (app/api/metrics.py),
defined here once; the places where things happen count them in a line.

With PROMETHEUS_MULTIPROC_DIR set (gunicorn.conf.py sets and empties one per run) each process
writes its values to files there and a scrape adds up every worker's; unset, the values are
this process's (prometheus_client's default registry). Label values are bounded: an endpoint
is Flask's endpoint name, never the raw path.
"""

import os
import time

from flask import Flask, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from app import clock

# Any other method (a client may send any token) counts as "other": labels stay bounded.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter("bank_http_requests_total", "HTTP requests answered, by endpoint and status",
                   ["method", "endpoint", "status"])
REQUEST_SECONDS = Histogram(
    "bank_http_request_duration_seconds",
    "Time to answer a request (a live stream: until its headers), by endpoint",
    ["method", "endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
LIVE_STREAMS_OPEN = Gauge("bank_live_streams_open", "Live-update streams open now",
                          multiprocess_mode="livesum")
LIVE_STREAMS_OPENED = Counter("bank_live_streams_opened_total", "Live-update streams opened")
# handled, duplicate, ignored (an unknown type), retried, dead_lettered
EVENTS = Counter("bank_events_total", "mms3 events taken by the consumer, by outcome",
                 ["outcome"])
EVENT_LAG_SECONDS = Histogram(
    "bank_event_lag_seconds", "From an mms3 event's createdAt to its handling",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600))
# success, failure, retry
JOBS = Counter("bank_celery_tasks_total", "Celery tasks run, by task and outcome",
               ["task", "outcome"])
# sent, failed
SMS_SENDS = Counter("bank_sms_sends_total", "SMS handed to the provider, by outcome",
                    ["provider", "outcome"])
# sent, gone (the subscription was dropped), failed (retried)
PUSH_SENDS = Counter("bank_push_sends_total", "Web Push sends to one subscription, by outcome",
                     ["outcome"])


def event_taken(outcome: str, created_at_ms: object = None) -> None:
    """Count one event of the consumer; a handled one's createdAt (ms) gives its lag."""
    EVENTS.labels(outcome).inc()
    if outcome == "handled" and isinstance(created_at_ms, int | float) \
            and not isinstance(created_at_ms, bool):
        EVENT_LAG_SECONDS.observe(max(0.0, clock.epoch() - created_at_ms / 1000))


def exposition() -> tuple[bytes, str]:
    """The text format of every series: all processes' with PROMETHEUS_MULTIPROC_DIR, else
    this one's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def init_request_metrics(app: Flask) -> None:
    """Count every request by endpoint and status, and time it."""
    @app.before_request
    def start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def count_request(response):
        started = g.pop("metrics_started", None)
        endpoint = request.endpoint or "unmatched"
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(method, endpoint, str(response.status_code)).inc()
        if started is not None:
            REQUEST_SECONDS.labels(method, endpoint).observe(
                time.perf_counter() - started)
        return response
