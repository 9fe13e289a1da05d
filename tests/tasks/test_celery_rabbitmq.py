"""The Celery path over the real RabbitMQ: the web app publishes, a worker process delivers.

The worker is `celery -A wsgi:celery worker` started by the test, on the same embedded store
file (or MongoDB database) and settings as the test's app, consuming a queue of its own.
"""

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import kombu
import pytest

from app.db import refresh
from app.models import SmsMessage, User

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")  # the venv's celery, next to this python
PHONE = "+79161234567"
DEADLINE_SECONDS = 30


def worker_environment(app):
    """The settings of `app` (tests/conftest.py settings()) as the worker's environment."""
    config = app.config
    env = dict(
        os.environ,
        APP_ENV="testing",
        INSTANCE_PATH=app.instance_path,
        EMBEDDED_STORE_PATH=config["EMBEDDED_STORE_PATH"],
        UPLOADS_PATH=config["UPLOADS_PATH"],
        PUBLIC_BASE_URL=config["PUBLIC_BASE_URL"],
        CELERY_BROKER_URL=config["CELERY_BROKER_URL"],
        CELERY_TASK_QUEUE=config["CELERY_TASK_QUEUE"],
        REDIS_URL="",
        MMS3_API_URL="",
        SMS_PROVIDER=config["SMS_PROVIDER"],
        LOG_LEVEL="INFO",
        MONGODB_DB=config["MONGODB_DB"] or "",
        PYTHONUNBUFFERED="1",  # so log lines reach us as they are written
    )
    if config["MONGODB_URI"]:
        env["MONGODB_URI"] = config["MONGODB_URI"]
    return env


class Worker:
    """A Celery worker subprocess whose output (stdout and stderr) is collected line by line."""

    def __init__(self, app):
        self.app = app
        self.process = None
        self.lines = []

    def start(self):
        queue = self.app.config["CELERY_TASK_QUEUE"]
        self.process = subprocess.Popen(
            [str(CELERY), "-A", "wsgi:celery", "worker", "--pool=solo", "--concurrency=1",
             "-Q", queue, "--loglevel=INFO",
             # Keep to ourselves on a shared broker: our own node name, no chatter with
             # other workers (which would also slow the start).
             "-n", f"{queue}@%h", "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=worker_environment(self.app),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self):
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self):
        return "".join(self.lines)

    def wait_for(self, pattern, deadline):
        """The first match of `pattern` in the output, or None once the deadline has passed."""
        while True:
            match = re.search(pattern, self.output)
            if match or time.monotonic() > deadline or self.process.poll() is not None:
                return match
            time.sleep(0.1)

    def stop(self):
        if self.process is None:
            return
        self.process.terminate()  # a warm shutdown
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def broker_app(make_app, rabbitmq_url, broker_queue):
    """An app that publishes to RabbitMQ (not eager), on a queue of this test's own."""
    app = make_app(CELERY_BROKER_URL=rabbitmq_url, CELERY_TASK_QUEUE=broker_queue)
    yield app
    app.extensions["celery"].close()  # the publisher's broker connections


@pytest.fixture
def worker(broker_app):
    """A worker on the broker app's settings; the test starts it, teardown always stops it."""
    worker = Worker(broker_app)
    yield worker
    worker.stop()


def waiting_messages(app):
    with kombu.Connection(app.config["CELERY_BROKER_URL"], connect_timeout=3) as connection:
        queue = connection.default_channel.queue_declare(
            app.config["CELERY_TASK_QUEUE"], passive=True)
    return queue.message_count


def sms_row(app):
    with app.app_context():
        refresh(app)  # pick up the worker's writes to the shared store
        return SmsMessage.objects(phone=PHONE).first()


def wait_while_queued(app, worker, deadline):
    """The SMS log row once the worker has dealt with it (or the deadline passed, or it died)."""
    while True:
        row = sms_row(app)
        gone = worker.process.poll() is not None
        if row.status != "queued" or gone or time.monotonic() > deadline:
            return row
        time.sleep(0.1)


def test_a_worker_delivers_the_sign_in_code_over_rabbitmq(broker_app, worker):
    client = broker_app.test_client()

    response = client.post("/api/auth/send-code", json={"phone": "8 916 123-45-67"})

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["data"]["phone"] == PHONE
    # No worker yet: the SMS waits in RabbitMQ and the log shows it queued.
    assert sms_row(broker_app).status == "queued"
    assert waiting_messages(broker_app) == 1

    worker.start()
    deadline = time.monotonic() + DEADLINE_SECONDS
    row = wait_while_queued(broker_app, worker, deadline)

    assert row.status == "sent", worker.output
    assert (row.provider, row.attempts, row.error) == ("console", 1, None)
    assert row.sent_at is not None
    # The console provider's line in the worker's output: the phone in E.164 and the code.
    line = worker.wait_for(rf"SMS to {re.escape(PHONE)}: [^\n]*?\b(\d{{6}})\b", deadline)
    assert line, worker.output
    # As a JSON log line, like the web process's: the worker keeps the app's logging.
    [logged] = [json.loads(text) for text in worker.lines
                if text.startswith("{") and '"sms_to"' in text]
    assert (logged["logger"], logged["sms_to"]) == ("bank.sms", PHONE)
    assert line.group(1) in logged["sms_text"]
    # The code the worker sent is the one that signs the user in.
    verified = client.post("/api/auth/verify-code", json={"phone": PHONE, "code": line.group(1)})
    assert verified.status_code == 200, verified.get_json()
    token = verified.get_json()["data"]["accessToken"]
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["data"]["phone"] == PHONE
    # Registering queued the chat user's provisioning; the worker does that job too.
    while waiting_messages(broker_app) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert waiting_messages(broker_app) == 0  # acknowledged, not left for redelivery
    with broker_app.app_context():
        refresh(broker_app)
        user = User.objects.get(phone=PHONE)
        assert user.chat_sync.state == "done", worker.output
