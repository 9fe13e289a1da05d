"""Fixtures in the manner of Flask's tutorial: app, client, runner, auth; plus sms (what the
console SMS provider logged) and a fresh embedded store per test.

With MONGODB_URI set, each test gets its own database on that server instead, dropped after.
"""

import os
import re
import uuid

import mongoengine
import pytest

from app import clock, create_app, migrate
from tests.push_standin import PushServiceStandIn

# Shared fixtures: the real RabbitMQ (rabbitmq_url) and the mms3 stand-in (mms3, mms3_with_events).
pytest_plugins = ["tests.broker", "tests.mms3_fixtures"]


def settings(tmp_path, **extra):
    overrides = {
        "APP_ENV": "testing",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "EMBEDDED_STORE_PATH": str(tmp_path / "store.sqlite3"),
        "UPLOADS_PATH": str(tmp_path / "uploads"),
        "PUBLIC_BASE_URL": "http://bank.test",
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
        "MMS3_API_URL": "",
        "SMS_PROVIDER": "console",
        # The push tests' stand-in push service listens here (tests/push_standin.py).
        "PUSH_ALLOWED_INTERNAL_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "INFO",
    }
    if os.environ.get("MONGODB_URI"):
        overrides["MONGODB_DB"] = f"bank_test_{uuid.uuid4().hex[:12]}"
    overrides.update(extra)
    return overrides


def build_app(tmp_path, **extra):
    app = create_app(settings(tmp_path, **extra))
    with app.app_context():
        migrate.run(echo=lambda _line: None)
    return app


@pytest.fixture
def make_app(tmp_path):
    """Build an app with extra settings; every app it built is torn down after the test."""
    built = []

    def factory(**extra):
        app = build_app(tmp_path, **extra)
        built.append(app)
        return app

    yield factory
    for app in built:
        if app.config["MONGODB_URI"]:
            mongoengine.get_connection().drop_database(app.config["MONGODB_DB"])  # per-test name
    mongoengine.disconnect()
    clock.reset()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class SmsOutbox:
    """What the console provider wrote: one log record per SMS."""

    def __init__(self, caplog):
        self.caplog = caplog

    def messages(self, phone=None):
        return [(r.sms_to, r.sms_text) for r in self.caplog.records
                if hasattr(r, "sms_to") and (phone is None or r.sms_to == phone)]

    def last_code(self, phone):
        sent = self.messages(phone)
        assert sent, f"no SMS was sent to {phone}"
        return re.search(r"\b(\d{6})\b", sent[-1][1]).group(1)


@pytest.fixture
def sms(caplog):
    caplog.set_level("INFO")
    return SmsOutbox(caplog)


class AuthActions:
    def __init__(self, client, sms):
        self.client = client
        self.sms = sms

    def send_code(self, phone, **kwargs):
        return self.client.post("/api/auth/send-code", json={"phone": phone}, **kwargs)

    def sign_in(self, phone="+79161234567"):
        """Send a code, read it from the SMS and verify it; returns the token pair + user."""
        sent = self.send_code(phone)
        assert sent.status_code == 200, sent.get_json()
        e164 = sent.get_json()["data"]["phone"]
        clock.advance(61)  # so a later sign-in of the same phone is not refused as too soon
        response = self.client.post("/api/auth/verify-code",
                                    json={"phone": phone, "code": self.sms.last_code(e164)})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["data"]

    @staticmethod
    def bearer(token):
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def auth(client, sms):
    return AuthActions(client, sms)


@pytest.fixture
def push_service(app):
    """A browser's push service on 127.0.0.1 (tests/push_standin.py), checking that pushes
    are signed with the app's VAPID key."""
    with PushServiceStandIn(app.config["VAPID_PUBLIC_KEY"]) as standin:
        yield standin
