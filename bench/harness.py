"""What the benchmarks share: gunicorn servers on fresh embedded stores, single requests and
signing in, the load loop, and the results table. Not a benchmark itself.

Servers run `gunicorn -c gunicorn.conf.py` (gevent, 1 worker in embedded mode) on a
free 127.0.0.1 port; load is only ever sent there.
"""

import contextlib
import http.client
import itertools
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv's bin/, for gunicorn and flask
HOST = "127.0.0.1"  # load is only ever sent here

CONCURRENCY = 8  # client threads, as many as the server's threads
WARMUP_SECONDS = 2.0
MEASURE_SECONDS = 9.0  # per target, split over ROUNDS
ROUNDS = 3
READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 20.0
REQUEST_TIMEOUT_SECONDS = 10.0

# Settings from the caller's shell that would move the app off its embedded defaults or change
# the server shape; the benches measure embedded mode with gunicorn.conf.py's own defaults.
UNSET_FROM_SHELL = ("MONGODB_URI", "CELERY_BROKER_URL", "REDIS_URL", "MMS3_API_URL",
                    "SMS_PROVIDER", "BIND", "GUNICORN_WORKERS", "LIVE_STREAMS_MAX",
                    "TRUSTED_PROXIES", "FLASK_APP", "FLASK_DEBUG")


# --- servers -------------------------------------------------------------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env(workdir, log_level):
    """The environment of one app server: a fresh store under `workdir`, codes without limits."""
    env = {name: value for name, value in os.environ.items() if name not in UNSET_FROM_SHELL}
    env.update(
        APP_ENV="development",
        LOG_LEVEL=log_level,
        FLASK_APP="wsgi",
        EMBEDDED_STORE_PATH=str(workdir / "store.sqlite3"),
        INSTANCE_PATH=str(workdir / "instance"),
        UPLOADS_PATH=str(workdir / "uploads"),
        # Each send-code uses a new phone (so the resend wait never applies); these two limits
        # would otherwise refuse the load after a handful of requests.
        SMS_LIMIT_PER_PHONE="1000000/hour",
        SMS_LIMIT_PER_IP="1000000/hour",
    )
    return env


def flask(env, *args, timeout=120):
    """Run `flask <args>` against the store in `env`; its output, or an error with it."""
    done = subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, timeout=timeout,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def migrate(env):
    flask(env, "migrate")


@contextlib.contextmanager
def gunicorn(app_spec, env, log_path, ready_path):
    """Serve `app_spec` under gunicorn.conf.py on a free port; yield the port; always stop it."""
    with gunicorn_process(app_spec, env, log_path, ready_path) as (port, _process):
        yield port


@contextlib.contextmanager
def gunicorn_process(app_spec, env, log_path, ready_path):
    """As gunicorn(), yielding (port, the master's Popen) for those who need its pid."""
    port = free_port()
    command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", f"{HOST}:{port}",
               app_spec]
    # Output goes to a file, not a pipe: a pipe nobody drains would block the server's logging.
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_ready(process, port, ready_path, log_path)
        yield port, process
    finally:
        stop(process)


def wait_ready(process, port, path, log_path):
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n"
                               + Path(log_path).read_text()[-3000:])
        with contextlib.suppress(OSError, http.client.HTTPException):
            if request(port, "GET", path)[0] == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn not ready on port {port} after {READY_TIMEOUT_SECONDS} s")


def stop(process):
    """SIGTERM lets the master stop its worker gracefully; the process group is the fallback."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # our own group: any worker left behind
    process.wait()


# --- single requests and signing in ---------------------------------------------------------

@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float  # from sending the request to the end of the body

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def fetch(conn, method, path, body=None, headers=None):
    """One request on an open (keep-alive) connection, timed."""
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    raw = response.read()
    return Reply(response.status, response.headers, raw, time.perf_counter() - started)


def connect(port):
    return http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_SECONDS)


def request(port, method, path, payload=None, headers=None):
    """One request on a new connection: (status, parsed JSON body or None)."""
    conn = connect(port)
    try:
        body = json.dumps(payload) if payload is not None else None
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        reply = fetch(conn, method, path, body=body, headers=all_headers)
        return reply.status, reply.json()
    finally:
        conn.close()


def read_code(log_path, phone):
    """The last code the console SMS provider logged for `phone` (a JSON line with sms_to)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        code = None
        for line in Path(log_path).read_text(errors="replace").splitlines():
            if '"sms_to"' not in line:
                continue
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if entry.get("sms_to") == phone:
                    code = re.search(r"\b\d{6}\b", entry["sms_text"]).group()
        if code:
            return code
        time.sleep(0.05)  # the line may not have reached the file yet
    raise RuntimeError(f"no SMS code for {phone} in {log_path}")


def access_token(port, log_path, phone):
    status, body = request(port, "POST", "/api/auth/send-code", {"phone": phone})
    if status != 200:
        raise RuntimeError(f"send-code answered {status}: {body}")
    code = read_code(log_path, phone)
    status, body = request(port, "POST", "/api/auth/verify-code", {"phone": phone, "code": code})
    if status != 200:
        raise RuntimeError(f"verify-code answered {status}: {body}")
    return body["data"]["accessToken"]


# Phones +7999xxxxxxx, all valid Russian mobiles. next() on itertools.count is atomic in
# CPython, so the load threads can share it and never send the same phone twice.
_phone_numbers = itertools.count(1)


def next_phone():
    return f"+7999{next(_phone_numbers) % 10**7:07d}"


# --- load ------------------------------------------------------------------------------------

@dataclass
class Target:
    name: str
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    make_body: object = None  # called per request when the body must differ each time


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies: list

    def add(self, other):
        self.requests += other.requests
        self.errors += other.errors
        self.seconds += other.seconds
        self.latencies += other.latencies

    @property
    def rate(self):
        return self.requests / self.seconds

    def percentile_ms(self, fraction):
        return percentile(self.latencies, fraction) * 1000


def percentile(values, fraction):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    index = max(0, math.ceil(fraction * len(ordered)) - 1)
    return ordered[index]


def load(port, target, seconds):
    """CONCURRENCY threads, one keep-alive connection each, for `seconds`."""
    stop_at = time.perf_counter() + seconds
    per_thread = [([], [0]) for _ in range(CONCURRENCY)]  # (latencies, [errors]) per thread

    def client(latencies, errors):
        conn = connect(port)
        while time.perf_counter() < stop_at:  # bounded by the clock
            body = target.make_body() if target.make_body else None
            started = time.perf_counter()
            try:
                conn.request(target.method, target.path, body=body, headers=target.headers)
                response = conn.getresponse()
                response.read()
                failed = not 200 <= response.status < 300
            except (OSError, http.client.HTTPException):
                conn.close()  # reopened by the next request
                failed = True
            latencies.append(time.perf_counter() - started)
            errors[0] += failed
        conn.close()

    threads = [threading.Thread(target=client, args=slot, daemon=True) for slot in per_thread]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = [value for slot in per_thread for value in slot[0]]
    errors = sum(slot[1][0] for slot in per_thread)
    return Result(target.name, len(latencies), errors, elapsed, latencies)


def measure(targets, warmup_seconds=WARMUP_SECONDS, measure_seconds=MEASURE_SECONDS,
            rounds=ROUNDS):
    """Warm every (port, target) up, then measure them in `rounds` interleaved rounds: other
    load on the machine then drifts over all targets alike instead of skewing one of them."""
    for port, target in targets:
        load(port, target, warmup_seconds)  # imports, caches, code paths warmed; discarded
    totals = {target.name: Result(target.name, 0, 0, 0.0, []) for _port, target in targets}
    for round_number in range(1, rounds + 1):
        for port, target in targets:
            totals[target.name].add(load(port, target, measure_seconds / rounds))
        print(f"  round {round_number}/{rounds} done", flush=True)
    return list(totals.values())


def describe_load(warmup_seconds=WARMUP_SECONDS, measure_seconds=MEASURE_SECONDS,
                  rounds=ROUNDS):
    return (f"gunicorn -c gunicorn.conf.py (gevent, 1 worker); {CONCURRENCY} client "
            f"threads, keep-alive; per target {warmup_seconds:g} s warm-up, then "
            f"{measure_seconds:g} s over {rounds} interleaved rounds")


def print_table(results, baseline, name_width=38):
    """Requests, errors (non-2xx), req/s, p50/p99 and req/s as a fraction of `baseline`'s."""
    width = max(name_width, *(len(result.name) for result in results))
    header = (f"{'target':<{width}} {'requests':>9} {'errors':>7} {'req/s':>8} "
              f"{'p50 ms':>7} {'p99 ms':>7} {'vs bare':>8}")
    print(header)
    print("-" * len(header))
    for result in results:
        print(f"{result.name:<{width}} {result.requests:>9} {result.errors:>7} "
              f"{result.rate:>8.0f} {result.percentile_ms(0.50):>7.2f} "
              f"{result.percentile_ms(0.99):>7.2f} {result.rate / baseline.rate:>8.2f}")
