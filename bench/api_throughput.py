"""API throughput against a bare Flask route, all under the same gunicorn settings.

Run by hand from the repo root:  .venv/bin/python bench/api_throughput.py
(servers, load loop and table are in bench/harness.py, shared with the other benches)

It starts three servers itself, each with gunicorn -c gunicorn.conf.py (gevent, 1 worker in
embedded mode) on a free 127.0.0.1 port, the app ones on fresh temporary embedded
stores; loads them with keep-alive connections from stdlib threads, one target at a time in
interleaved rounds; stops them; and prints requests per second and p50/p99 latency for:

  GET /api/me                   with a valid Bearer access token
  POST /api/auth/send-code      a different phone each request (limits raised by env)
  GET /api/me at LOG_LEVEL=INFO as production logs (the other rows log at WARNING)
  bare Flask JSON route         bench/bare_app.py, the baseline

The goal it reports on (as information, not an assertion): GET /api/me reaches at least one
third of the bare route's requests per second.
"""

import contextlib
import json
import signal
import sys
import tempfile
from pathlib import Path

from harness import (
    Target,
    access_token,
    describe_load,
    gunicorn,
    measure,
    migrate,
    next_phone,
    print_table,
    server_env,
)

GOAL_RATIO = 1 / 3


def send_code_body():
    return json.dumps({"phone": next_phone()})


def me_target(name, token):
    return Target(name, "GET", "/api/me", headers={"Authorization": f"Bearer {token}"})


# --- the runs --------------------------------------------------------------------------------

def start_app(servers, workdir, log_level, with_send_code):
    """An app server on a fresh store, signed in; returns its (port, target) pairs."""
    workdir.mkdir()
    env = server_env(workdir, log_level)
    migrate(env)
    log_path = workdir / "gunicorn.log"
    port = servers.enter_context(gunicorn("wsgi:app", env, log_path, "/api/health"))
    token = access_token(port, log_path, next_phone())
    suffix = "" if log_level == "WARNING" else f" (LOG_LEVEL={log_level})"
    targets = [(port, me_target("GET /api/me" + suffix, token))]
    if with_send_code:
        targets.append((port, Target("POST /api/auth/send-code" + suffix, "POST",
                                     "/api/auth/send-code",
                                     headers={"Content-Type": "application/json"},
                                     make_body=send_code_body)))
    return targets


def start_bare(servers, workdir):
    workdir.mkdir()
    env = server_env(workdir, "WARNING")
    port = servers.enter_context(
        gunicorn("bench.bare_app:app", env, workdir / "gunicorn.log", "/bare"))
    return [(port, Target("bare Flask JSON route", "GET", "/bare"))]


def main():
    # A plain `kill` then also runs the clean-up below (finally blocks stop the servers).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(describe_load(), flush=True)
    # The servers stop (ExitStack) before their temporary directory goes.
    with tempfile.TemporaryDirectory(prefix="bank-bench-") as tmp, \
            contextlib.ExitStack() as servers:
        tmp = Path(tmp)
        targets = start_app(servers, tmp / "app", "WARNING", with_send_code=True)
        targets += start_app(servers, tmp / "app-info", "INFO", with_send_code=False)
        targets += start_bare(servers, tmp / "bare")
        results = measure(targets)
    baseline = results[-1]
    print()
    print_table(results, baseline)
    ratio = results[0].rate / baseline.rate
    verdict = "reaches" if ratio >= GOAL_RATIO else "does NOT reach"
    print(f"\nGET /api/me runs at {ratio:.2f}x the bare route: it {verdict} the goal of "
          f"at least 1/3 ({GOAL_RATIO:.2f}x).")
    errors = sum(result.errors for result in results)
    if errors:
        print(f"WARNING: {errors} requests failed; these figures do not measure the API.")


if __name__ == "__main__":
    main()
