"""The README's walk-through against the real server: gunicorn with gunicorn.conf.py serving
wsgi:app on the embedded store, driven over HTTP, then restarted."""

import json
import os
import socket
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest
import requests

from tests.conftest import settings

# Every call in the walk-through has a timeout, so a hung server fails the test.
get, post, put = (partial(requests.request, verb, timeout=30) for verb in ("GET", "POST", "PUT"))

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn in a subprocess; its stderr (the JSON log) goes to a file we can read."""

    def __init__(self, env, log_path):
        self.env, self.log_path = env, log_path
        self.base = f"http://{env['BIND']}"

    def start(self):
        self.log = open(self.log_path, "a")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/api/health", timeout=5).ok:
                    return self
            except requests.RequestException:  # not listening, or still booting
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"gunicorn did not start: {Path(self.log_path).read_text()[-2000:]}")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()

    def code_for(self, phone):
        for line in reversed(Path(self.log_path).read_text().splitlines()):
            if line.startswith("{") and json.loads(line).get("sms_to") == phone:
                return json.loads(line)["sms_text"].split(": ")[1][:6]
        raise AssertionError(f"no SMS logged for {phone}")


@pytest.fixture
def server(tmp_path):
    if os.environ.get("MONGODB_URI"):
        pytest.skip("this walk-through is of the embedded defaults; MONGODB_URI is set")
    env = {**os.environ, **settings(tmp_path), "APP_ENV": "development",
           "BIND": f"127.0.0.1:{free_port()}", "FLASK_APP": "wsgi",
           "PUBLIC_BASE_URL": "http://127.0.0.1"}
    subprocess.run([str(BIN / "flask"), "migrate"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=60)
    srv = Server(env, tmp_path / "server.log").start()
    yield srv
    if srv.process.poll() is None:
        srv.stop()


def test_sign_in_walk_through_and_restart(server):
    base, phone = server.base, "+79123456789"
    sent = post(f"{base}/api/auth/send-code", json={"phone": "8 912 345-67-89"})
    assert sent.status_code == 200 and sent.json()["data"]["phone"] == phone
    verified = post(f"{base}/api/auth/verify-code",
                             json={"phone": phone, "code": server.code_for(phone)})
    assert verified.status_code == 200
    tokens = verified.json()["data"]
    bearer = {"Authorization": f"Bearer {tokens['accessToken']}"}

    me = get(f"{base}/api/me", headers=bearer).json()["data"]
    renamed = put(f"{base}/api/users/{me['id']}", json={"name": "Анна"}, headers=bearer)
    assert renamed.json()["data"]["name"] == "Анна"

    refreshed = post(f"{base}/api/auth/refresh",
                              headers={"Authorization": f"Bearer {tokens['refreshToken']}"})
    assert refreshed.status_code == 200
    fresh = refreshed.json()["data"]
    fresh_bearer = {"Authorization": f"Bearer {fresh['accessToken']}"}
    out = post(f"{base}/api/auth/logout", headers=fresh_bearer,
                        json={"refreshToken": fresh["refreshToken"]})
    assert out.status_code == 200
    assert get(f"{base}/api/me", headers=fresh_bearer).status_code == 401
    assert post(f"{base}/api/auth/refresh", headers={
        "Authorization": f"Bearer {fresh['refreshToken']}"}).status_code == 401

    server.stop()
    server.start()
    profile = get(f"{base}/api/users/{me['id']}")
    assert profile.status_code == 200 and profile.json()["data"]["name"] == "Анна"
