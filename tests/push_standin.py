"""A browser's push service, played on 127.0.0.1: a real HTTP server that takes Web Push
POSTs (RFC 8030) for the devices it made, as Chrome's or Firefox's would.

Each device has an ECDH P-256 key pair and an auth secret made here with `cryptography`,
like a browser's; `subscription(name)` gives what PushSubscription.toJSON() would. A POST
must carry a VAPID Authorization (RFC 8292: `vapid t=<JWT>,k=<public key>`) whose key is the
one the platform publishes and whose ES256 JWT checks out for this origin; its aes128gcm
body (RFC 8291) is decrypted with the device's private key and auth secret (`http_ece`) and
kept in `received`. `answer(name, status)` makes a device's endpoint answer 404, 410, 500…
"""

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Refused(Exception):
    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status


class PushServiceStandIn:
    def __init__(self, vapid_public_key=None):
        self.vapid_public_key = vapid_public_key  # the key the Authorization must carry
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.devices = {}  # name -> (private key, auth secret)
        self.answers = {}  # name -> [status, …]: consumed one per POST; the last one stays
        self.received = []  # {"device", "payload", "ttl", "urgency"} per accepted POST
        self.refused = []  # (device, status, reason) per refused POST
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.standin = self
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def subscription(self, name):
        """A new device's subscription, shaped as PushSubscription.toJSON()."""
        key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        with self.lock:
            self.devices[name] = (key, auth)
        public = key.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": f"{self.origin}/push/{name}", "expirationTime": None,
                "keys": {"p256dh": b64url(public), "auth": b64url(auth)}}

    def answer(self, name, *statuses):
        """The statuses the device's endpoint answers next, in order; the last one stays."""
        with self.lock:
            self.answers[name] = list(statuses)

    def payloads(self, device=None):
        with self.lock:
            return [r["payload"] for r in self.received if device in (None, r["device"])]

    def wait_for(self, predicate, timeout=15):
        """Wait until predicate(received) is true (for pushes sent by another process)."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while not predicate(self.received):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no such push arrived; received {self.received}, "
                                         f"refused {self.refused}")
                self.arrived.wait(left)

    # --- the push service's side -------------------------------------------------------------

    def _check_vapid(self, authorization):
        scheme, _sep, params = (authorization or "").partition(" ")
        if scheme.lower() != "vapid":
            raise Refused(401, f"not a VAPID authorization: {authorization!r}")
        parts = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
        if "t" not in parts or "k" not in parts:
            raise Refused(401, "the VAPID authorization lacks t or k")
        if self.vapid_public_key and parts["k"].rstrip("=") != self.vapid_public_key:
            raise Refused(403, "signed with a key other than the published one")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(),
                                                              unb64url(parts["k"]))
        try:
            claims = jwt.decode(parts["t"], public, algorithms=["ES256"], audience=self.origin,
                                options={"require": ["aud", "exp", "sub"]})
        except jwt.InvalidTokenError as error:
            raise Refused(403, f"bad VAPID JWT: {error}") from None
        if claims["exp"] > time.time() + 24 * 3600:
            raise Refused(403, "VAPID JWT valid for more than 24 hours")
        if not claims["sub"].startswith(("mailto:", "https:")):
            raise Refused(403, f"bad VAPID subject {claims['sub']!r}")

    def handle(self, path, headers, body, arrived_at=None):
        name = path.removeprefix("/push/")
        with self.lock:
            device = self.devices.get(name)
            scripted = self.answers.get(name) or []
            status = scripted.pop(0) if len(scripted) > 1 else (scripted[0] if scripted else 201)
        try:
            if device is None:
                raise Refused(404, "no such device")
            self._check_vapid(headers.get("Authorization"))
            if headers.get("Content-Encoding") != "aes128gcm":
                raise Refused(415, f"content encoding {headers.get('Content-Encoding')!r}")
            if headers.get("TTL") is None:
                raise Refused(400, "no TTL header")
            if status >= 300:
                raise Refused(status, "scripted")
            key, auth = device
            plain = http_ece.decrypt(body, private_key=key, auth_secret=auth,
                                     version="aes128gcm")
            record = {"device": name, "payload": json.loads(plain), "ttl": int(headers["TTL"]),
                      "at": arrived_at}  # time.perf_counter() when the POST came in
        except Refused as refused:
            with self.arrived:
                self.refused.append((name, refused.status, str(refused)))
                self.arrived.notify_all()
            return refused.status
        with self.arrived:
            self.received.append(record)
            self.arrived.notify_all()
        return 201


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - the http.server API
        arrived_at = time.perf_counter()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status = self.server.standin.handle(self.path, self.headers, body, arrived_at)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


# For a page in Chromium, before any of its scripts (add_init_script, % the device's
# subscription as JSON): Chromium cannot reach a real push service here, so
# PushManager.subscribe resolves to the stand-in's subscription, as a browser's push service
# would hand one out. The page, permission, worker, API, job and encryption stay real.
BROWSER_STUB = """
(() => {
  let given = %s;
  const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  const raw = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")),
                                        (c) => c.charCodeAt(0));
  let current = null;
  const make = (options) => {
    const mine = given;
    return {
      endpoint: mine.endpoint, expirationTime: null,
      options: { userVisibleOnly: options.userVisibleOnly,
                 applicationServerKey: new Uint8Array(options.applicationServerKey).buffer },
      getKey: (name) => raw(mine.keys[name]).buffer,
      toJSON: () => ({ endpoint: mine.endpoint, expirationTime: null, keys: mine.keys }),
      unsubscribe: () => { current = null; return Promise.resolve(true); },
    };
  };
  PushManager.prototype.subscribe = function (options) {
    window.__applicationServerKey = b64(options.applicationServerKey);
    current = make(options);
    return Promise.resolve(current);
  };
  // The push service replacing the subscription, as it may at any time.
  window.__replaceSubscription = (replacement) => {
    given = replacement;
    current = make(current.options);
  };
  PushManager.prototype.getSubscription = function () { return Promise.resolve(current); };
})();
"""
