"""The real server and a real browser, shared by the walk-through tests: gunicorn (with
gunicorn.conf.py, serving wsgi:app, as in production) on a free 127.0.0.1 port over a fresh
embedded store prepared by `flask` commands, the sign-in codes read from its log, and
Debian's Chromium driven by Playwright with console errors kept."""

import json
import os
import random
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.conftest import settings

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _below_ephemeral():
    """Ports below the ones Linux gives outgoing connections (32768 and up by default)."""
    try:
        first = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        first = 32768
    return range(min(10000, first // 2), first)


def free_port():
    """A port for a server that binds it later: below the ephemeral range, so no outgoing
    connection can be given it in the seconds before the server binds it."""
    ports = _below_ephemeral()
    while True:
        port = random.choice(ports)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:  # in use: another
                continue
            return port


def server_env(tmp_path, **extra):
    """The environment of a development server on a free port over a store in `tmp_path`."""
    port = free_port()
    return {**os.environ, **settings(tmp_path), "APP_ENV": "development",
            "BIND": f"127.0.0.1:{port}", "FLASK_APP": "wsgi",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", **extra}


class LiveServer:
    """gunicorn in a subprocess; its stdout and stderr (the JSON log) go to a file."""

    def __init__(self, env, log_path):
        self.env, self.log_path = env, log_path
        self.base = f"http://{env['BIND']}"

    def flask(self, *args):
        """Run a `flask` command with the server's environment; its output."""
        done = subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"flask {' '.join(args)}: {done.stderr[-2000:]}"
        return done.stdout

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

    def code_for(self, phone, timeout=10):
        """The sign-in code in the console SMS provider's log line for `phone` (E.164)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in reversed(Path(self.log_path).read_text().splitlines()):
                if line.startswith("{"):
                    record = json.loads(line)
                    if record.get("sms_to") == phone:
                        return record["sms_text"].split(": ")[1][:6]
            time.sleep(0.1)  # the log line is written as the request finishes
        raise AssertionError(f"no SMS logged for {phone}")

    def sign_in_api(self, phone):
        """`phone` signed in through the JSON API (the SMS code from the log): the answer's
        data, with accessToken, refreshToken and user."""
        sent = requests.post(f"{self.base}/api/auth/send-code", json={"phone": phone},
                             timeout=10)
        assert sent.status_code == 200, sent.text
        verified = requests.post(f"{self.base}/api/auth/verify-code", timeout=10,
                                 json={"phone": phone, "code": self.code_for(phone)})
        assert verified.status_code == 200, verified.text
        return verified.json()["data"]

    def secret(self, name):
        """A secret of the server: from its environment, else the development one it
        generated into its instance folder."""
        if self.env.get(name):
            return self.env[name]
        return json.loads((Path(self.env["INSTANCE_PATH"]) / "secrets.json").read_text())[name]


@contextmanager
def running_server(tmp_path, *commands, **extra_env):
    """A started LiveServer over a fresh store: `flask migrate`, then each of `commands`
    (e.g. ("seed-demo",)), run first. Stopped afterwards; a per-run database on a real
    MongoDB server (MONGODB_URI) is dropped."""
    server = LiveServer(server_env(tmp_path, **extra_env), tmp_path / "server.log")
    for command in (("migrate",), *commands):
        server.flask(*command)
    server.start()
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.stop()
        if server.env.get("MONGODB_URI"):
            import pymongo

            pymongo.MongoClient(server.env["MONGODB_URI"]).drop_database(
                server.env["MONGODB_DB"])


@contextmanager
def chromium():
    """Debian's headless Chromium under Playwright; the test is skipped when it is missing,
    except under CI, where that is a failure."""
    if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); under CI this fails")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def fill_sign_in_form(target, server, phone):
    """The public sign-in form (a page, or the widget's frame): phone, then the SMS code."""
    from playwright.sync_api import expect

    target.fill("#phone", phone)
    target.click("#send-code")
    expect(target.locator("#code-form")).to_be_visible()
    target.fill("#code", server.code_for(phone))
    target.click("#verify-code")


def sign_in_cabinet(page, server, phone, area="cabinet"):
    """Sign `page` in at /cabinet/login (or /admin/login, with area="admin": the same form)
    with the code from the server's SMS log."""
    from playwright.sync_api import expect

    page.goto(f"/{area}/login")
    page.fill("#phone", phone)
    page.click("#get-code")
    expect(page.locator("#code")).to_be_visible()
    page.fill("#code", server.code_for(phone))
    page.click("#sign-in")
    expect(page).to_have_url(f"{server.base}/{area}/")


class Watched:
    """A page whose console errors, uncaught exceptions, CSP violations and dialogs are kept."""

    def __init__(self, page, prefix=""):
        self.page, self.prefix = page, prefix
        self.errors, self.dialogs = [], []
        page.on("console", lambda message: message.type == "error" and self.errors.append(
            f"console: {message.text} ({message.location.get('url') or page.url})"))
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("dialog", self._dialog)
        # Record CSP violations from inside the page too (they also reach the console).
        page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                             "console.error('CSP violation: ' + e.violatedDirective + ' '"
                             " + e.blockedURI));")

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def shot(self, name):
        """A full-page screenshot: test-output/screenshots/<prefix><name>.png."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{self.prefix}{name}.png"), full_page=True)

    def expect_failed_request(self, status):
        """Chromium logs an error answer as a console error: forget those that a step
        caused on purpose."""
        self.errors = [e for e in self.errors if f"status of {status}" not in e]

    def assert_clean(self):
        assert not self.errors, self.errors
        assert not self.dialogs, self.dialogs
