"""The `http` SMS provider against a stub gateway: a real HTTP server on 127.0.0.1.

Celery is eager in tests, so the send-code request itself calls the gateway; each test then
looks at what the gateway received and at the SMS log row that the back office shows.
"""

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.models import SmsMessage

PHONE = "+79161234567"


class StubGateway:
    """Answers each POST from a script of (status, body, delay) and records what it got."""

    def __init__(self):
        self.script = []  # answers in order; the last one repeats
        self.received = []  # {"headers": …, "json": …} per request
        self.release = threading.Event()  # set at teardown so a slow answer stops waiting
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"

    def answer(self, *answers):
        self.script = list(answers)

    def _next(self):
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]

    def _handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                gateway.received.append({"headers": dict(self.headers),
                                         "json": json.loads(self.rfile.read(length))})
                status, body, delay = gateway._next()
                if delay:
                    gateway.release.wait(delay)  # a slow gateway, cut short at teardown
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args):
                pass  # keep test output quiet

        return Handler


@pytest.fixture
def gateway():
    stub = StubGateway()
    thread = threading.Thread(target=stub.server.serve_forever, daemon=True)
    thread.start()
    yield stub
    stub.release.set()
    stub.server.shutdown()
    stub.server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def http_app(make_app, gateway):
    """An app whose SMS go to the stub; settings can be overridden per test."""

    def build(**extra):
        settings = {"SMS_PROVIDER": "http", "SMS_HTTP_URL": gateway.url,
                    "SMS_HTTP_TOKEN": "t0ken", "SMS_HTTP_RETRIES": 1}
        settings.update(extra)
        return make_app(**settings)

    return build


def send_code(app):
    return app.test_client().post("/api/auth/send-code", json={"phone": PHONE})


def log_rows(app):
    with app.app_context():
        return list(SmsMessage.objects(phone=PHONE))


def test_an_sms_reaches_the_gateway_and_its_id_is_logged(http_app, gateway):
    gateway.answer((200, {"id": "gw-42"}, 0))
    app = http_app()

    response = send_code(app)

    assert response.status_code == 200
    [request] = gateway.received
    assert request["headers"]["Authorization"] == "Bearer t0ken"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["json"]["to"] == PHONE
    assert request["json"]["sender"] == "Bank"
    code = re.search(r"\b(\d{6})\b", request["json"]["text"]).group(1)
    [row] = log_rows(app)
    assert (row.status, row.provider, row.provider_message_id, row.attempts, row.error) == \
        ("sent", "http", "gw-42", 1, None)
    assert row.sent_at is not None
    # The code the gateway delivered is the one that signs the user in.
    verified = app.test_client().post("/api/auth/verify-code", json={"phone": PHONE, "code": code})
    assert verified.status_code == 200, verified.get_json()


def test_a_gateway_that_fails_once_still_delivers(http_app, gateway):
    gateway.answer((503, {"error": "busy"}, 0), (200, {"messageId": "gw-7"}, 0))
    app = http_app(SMS_HTTP_RETRIES=1)

    assert send_code(app).status_code == 200

    assert len(gateway.received) == 2  # the provider retried the 503 itself
    [row] = log_rows(app)
    assert (row.status, row.provider_message_id, row.attempts) == ("sent", "gw-7", 1)


def test_a_gateway_that_keeps_failing_leaves_the_row_failed_not_the_request(http_app, gateway):
    gateway.answer((503, {"error": "down"}, 0))
    app = http_app(SMS_HTTP_RETRIES=1)

    response = send_code(app)

    # The user is told the code is on its way; the operator sees the failure in the SMS log.
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["data"]["phone"] == PHONE
    assert len(gateway.received) == 2  # one provider call: the first try and one retry
    [row] = log_rows(app)
    assert row.status == "failed"
    assert row.error == "gateway answered 503"
    assert row.provider_message_id is None and row.sent_at is None


def test_a_slow_gateway_times_out(http_app, gateway):
    gateway.answer((200, {"id": "too-late"}, 10))
    app = http_app(SMS_HTTP_TIMEOUT_SECONDS=1, SMS_HTTP_RETRIES=3)

    started = time.monotonic()
    response = send_code(app)
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert 1 <= elapsed < 5, elapsed  # the 1 s read timeout, not the gateway's 10 s
    # Reached once and never again: the gateway may have taken it, so a retry could send the
    # customer the same SMS twice.
    assert len(gateway.received) == 1
    [row] = log_rows(app)
    assert row.status == "failed"
    assert row.error == "gateway timed out"
