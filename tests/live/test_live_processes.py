"""Live updates across processes and in the browser: an event published in one process
reaches a stream served by another through the real Redis of this machine, and the pages'
client (live.js) gets events and refreshes an expired token."""

import codecs
import http.client
import json
import queue
import socket
import subprocess
import sys
import threading
import time

import jwt
from playwright.sync_api import expect

from tests.live_server import ROOT, Watched, chromium, running_server

# Process A: the app built from the same settings, publishing as a request there would.
PUBLISHER = """
import sys, time
from app import create_app
from app.live import bus
app = create_app()
with app.app_context():
    event_id = bus.publish(sys.argv[1], "message", {"text": sys.argv[2]})
print(event_id, repr(time.time()))
"""


def publish_from_another_process(server, topic, text):
    """Publish in a new process on the server's settings; (event id, when it was published)."""
    done = subprocess.run([sys.executable, "-c", PUBLISHER, topic, text], cwd=ROOT,
                          env=server.env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    event_id, at = done.stdout.strip().splitlines()[-1].split()
    return int(event_id), float(at)


class StreamReader:
    """An SSE response read in a thread: frames ({"id", "event", "data"}) and when each came.
    http.client rather than requests: its socket can be shut down from here, which wakes
    the reading thread at once."""

    def __init__(self, server, path, headers):
        host, port = server.env["BIND"].split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        connection.request("GET", path, headers=headers)
        self.socket = connection.sock
        self.response = connection.getresponse()
        assert self.response.status == 200, self.response.read()
        self.frames = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        decoder, text = codecs.getincrementaldecoder("utf-8")(), ""
        try:
            while chunk := self.response.read1(65536):
                text += decoder.decode(chunk)
                while "\n\n" in text:
                    raw, text = text.split("\n\n", 1)
                    fields = dict(line.split(": ", 1) for line in raw.split("\n")
                                  if line and not line.startswith(":") and ": " in line)
                    if "event" in fields:
                        self.frames.put((time.time(), fields))
        except (OSError, http.client.HTTPException):
            pass  # closed below
        self.frames.put((time.time(), None))

    def next_frame(self, timeout=10):
        arrived, frame = self.frames.get(timeout=timeout)
        assert frame is not None, "the stream ended"
        return arrived, frame

    def close(self):
        self.socket.shutdown(socket.SHUT_RDWR)
        self.socket.close()


def test_an_event_published_in_one_process_reaches_a_stream_served_by_another(
        tmp_path, redis_settings):
    with running_server(tmp_path, **redis_settings) as server:
        tokens = server.sign_in_api("+79160000001")
        topic = f"user:{tokens['user']['id']}"
        path = f"/api/stream?topics={topic}"
        auth = {"Authorization": f"Bearer {tokens['accessToken']}"}
        reader = StreamReader(server, path, auth)
        assert reader.next_frame()[1]["event"] == "ready"

        event_id, published_at = publish_from_another_process(server, topic, "Здравствуйте")
        arrived, frame = reader.next_frame()
        assert (frame["event"], int(frame["id"])) == ("message", event_id)
        assert json.loads(frame["data"]) == {"topic": topic, "data": {"text": "Здравствуйте"}}
        assert arrived - published_at < 2.0  # the budget for a new message
        reader.close()

        # Published while the page was away: the reconnect with Last-Event-ID gets it, from
        # the buffer in Redis.
        missed_id, _at = publish_from_another_process(server, topic, "Вы здесь?")
        again = StreamReader(server, path, {**auth, "Last-Event-ID": str(event_id)})
        _arrived, frame = again.next_frame()
        assert (frame["event"], int(frame["id"])) == ("message", missed_id)
        assert again.next_frame()[1]["event"] == "ready"
        again.close()

        # A stopping server ends its streams at once rather than wait graceful_timeout (20 s).
        last = StreamReader(server, path, auth)
        last.next_frame()
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 10
        assert last.frames.get(timeout=5)[1] is None


def test_the_browser_client_gets_events_and_refreshes_an_expired_token(
        tmp_path, redis_settings):
    with running_server(tmp_path, **redis_settings) as server, chromium() as browser:
        tokens = server.sign_in_api("+79160000001")
        topic = f"user:{tokens['user']['id']}"
        claims = jwt.decode(tokens["accessToken"], options={"verify_signature": False})
        expired = jwt.encode({**claims, "exp": int(time.time()) - 60},
                             server.secret("JWT_SECRET_KEY"), algorithm="HS256")
        context = browser.new_context(base_url=server.base)
        context.set_default_timeout(15000)
        watched = Watched(context.new_page())
        page = watched.page
        page.goto("/")
        page.evaluate("""([access, refresh]) => {
            localStorage.setItem('bank.accessToken', access);
            localStorage.setItem('bank.refreshToken', refresh);
        }""", [expired, tokens["refreshToken"]])
        page.add_script_tag(url="/static/js/live.js")
        # What the client reports goes into attributes too, for expect() to wait on (the
        # page's CSP forbids the eval behind wait_for_function).
        page.evaluate("""url => {
            const root = document.documentElement;
            window.liveEvents = []; window.liveStates = [];
            window.liveStream = BankLive.open({
                url: url,
                onEvent: e => {
                    window.liveEvents.push(e);
                    root.dataset.liveEvents = window.liveEvents.length;
                },
                onState: s => { window.liveStates.push(s); root.dataset.liveState = s; },
            });
        }""", f"/api/stream?topics={topic}")
        root = page.locator("html")
        expect(root).to_have_attribute("data-live-state", "open")

        event_id, _at = publish_from_another_process(server, topic, "Здравствуйте")
        expect(root).to_have_attribute("data-live-events", "1", timeout=2000)
        assert page.evaluate("window.liveEvents") == [{
            "id": str(event_id), "event": "message", "topic": topic,
            "data": {"text": "Здравствуйте"}}]
        assert page.evaluate("localStorage.getItem('bank.accessToken')") != expired
        page.evaluate("window.liveStream.close()")
        assert page.evaluate("window.liveStates")[-1] == "closed"
        watched.expect_failed_request(401)  # the expired token's first try
        watched.assert_clean()
        context.close()
