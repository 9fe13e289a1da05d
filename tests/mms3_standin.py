"""An mms3 stand-in: a real HTTP server on 127.0.0.1 implementing the endpoints of
MMS3_CONTRACT.md that the platform uses, with its data in memory.

It checks `X-API-Key`, honours `X-Idempotency-Key` (a repeated POST with the same key gets the
first answer and creates nothing), answers with the contract's envelopes, and, given an AMQP
URL, publishes events to RabbitMQ (tests/mms3_events.py). The endpoints are in
tests/mms3_endpoints.py. Scripted failures let tests exercise
the adapter's retries and timeouts: `fail_next`, `drop_next`, `slow_next`.
"""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.mms3_endpoints import ROUTES, Fail, Mms3Endpoints
from tests.mms3_events import EventPublisher

DROP = object()  # answer nothing: close the connection


class Mms3StandIn(Mms3Endpoints):
    def __init__(self, api_key="test-mms3-key", amqp_url=None, exchange="chat3_events"):
        self.api_key = api_key
        self.publisher = EventPublisher(amqp_url, exchange) if amqp_url else None
        self.lock = threading.RLock()
        self.release = threading.Event()  # set at stop so a slow answer stops waiting
        self.users, self.dialogs, self.messages = {}, {}, {}  # keyed by (tenant, id)
        self.idempotent = {}  # (tenant, key) → (status, body) of the first answer
        self.requests = []  # {"method", "path", "headers", "json"} per request received
        self.script = []  # scripted failures, consumed one per request
        self.old_style_ids = False  # answer creates with the id at the top level only
        self._seq = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.standin = self
        self.url = f"http://127.0.0.1:{self.server.server_port}/api"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        if self.publisher:
            self.publisher.close()

    def fail_next(self, count, status=500):
        self.script += [("status", status)] * count

    def drop_next(self, count):
        self.script += [("drop", None)] * count

    def slow_next(self, count, seconds):
        self.script += [("slow", seconds)] * count

    def handle(self, method, target, headers, body):
        url = urlsplit(target)
        self.requests.append({"method": method, "path": url.path, "headers": headers,
                              "json": body, "query": parse_qs(url.query)})
        with self.lock:
            step = self.script.pop(0) if self.script else None
        if step and step[0] == "drop":
            return DROP
        if step and step[0] == "status":
            return step[1], {"error": "internal_error", "message": "scripted failure"}
        if step and step[0] == "slow":
            self.release.wait(step[1])
        if headers.get("X-API-Key") != self.api_key:
            return 401, {"error": "unauthorized", "message": "invalid API key"}
        tenant = headers.get("X-Tenant-ID") or "tnt_default"
        key = headers.get("X-Idempotency-Key")
        with self.lock:  # one request at a time: the store stays consistent
            if method == "POST" and key and (tenant, key) in self.idempotent:
                return self.idempotent[(tenant, key)]
            answer = self._route(method, url.path, parse_qs(url.query), tenant, body or {})
            if method == "POST" and key and answer[0] < 300:
                self.idempotent[(tenant, key)] = answer
            return answer

    def _route(self, method, path, query, tenant, body):
        path = path.removeprefix("/api")
        for verb, pattern, action in ROUTES:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                try:
                    return action(self, tenant, body, query, *match.groups())
                except Fail as exc:
                    status, error, message = exc.args
                    return status, {"error": error, "message": message}
        return 404, {"error": "not_found", "message": f"no route {method} {path}"}


class Handler(BaseHTTPRequestHandler):
    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:  # a malformed body reads as empty: the route answers 400
            body = None
        answer = self.server.standin.handle(self.command, self.path, dict(self.headers), body)
        if answer is DROP:
            self.close_connection = True
            return  # no status line: the client sees the connection closed
        status, payload = answer
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout test)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, *args):
        pass  # keep test output quiet
