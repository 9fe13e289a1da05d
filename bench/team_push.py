"""The team's push: the time from a customer's message to the push for the on-duty team
member leaving the server, next to the time of the message's own POST, in the same run.

Run by hand from the repo root:  .venv/bin/python bench/team_push.py [--messages 200]

The push service is the tests' stand-in (tests/push_standin.py), an HTTP server in this
process that checks each push's VAPID signature and decrypts it, and notes when its POST
came in (on this process's clock, as the customer's POST is timed). Two set-ups:

1. `make run`'s: gunicorn -c gunicorn.conf.py on a fresh embedded store, Celery eager, so the
   push is sent inside the customer's request before it answers.
2. Production's: the same server with a Celery worker over RabbitMQ (127.0.0.1:5672, a queue
   of this run's own) and Redis (presence shared between the processes), so the request only
   enqueues the job and the worker decides who is told and sends it.

Each: the owner goes on duty and registers the cabinet app's device; a customer sends
--messages messages one after another, each waiting for its push. Figures: the POST's
duration (the baseline), and the time from sending the POST to its push arriving at the
push service, p50 / p99 / max.
"""

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from harness import (
    BIN,
    ROOT,
    access_token,
    connect,
    fetch,
    flask,
    gunicorn_process,
    percentile,
    request,
    server_env,
    stop,
)

sys.path.insert(0, str(ROOT))

from tests.push_standin import PushServiceStandIn  # noqa: E402 - after the path

AMQP = "amqp://guest:guest@127.0.0.1:5672//"
REDIS = "redis://127.0.0.1:6379/0"
OWNER, CUSTOMER = "+79990002001", "+79990002002"


def env_for(workdir, broker):
    env = server_env(workdir, "INFO")  # the console SMS lines carry the sign-in codes
    env.update(PUSH_ALLOWED_INTERNAL_HOSTS="127.0.0.1",
               MESSAGES_PER_MINUTE="1000000/minute")
    if broker:
        run = uuid.uuid4().hex[:8]
        env.update(CELERY_BROKER_URL=AMQP, CELERY_TASK_QUEUE=f"bench-push-{run}",
                   REDIS_URL=REDIS, REDIS_KEY_PREFIX=f"bench-push-{run}")
    return env


@contextlib.contextmanager
def celery_worker(env, log_path):
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [str(BIN / "celery"), "-A", "wsgi:celery", "worker", "--loglevel=INFO",
             "--concurrency=2", "-Q", env["CELERY_TASK_QUEUE"]],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        stop(process)


def set_up(port, log_path, push_service):
    """The owner's business, the owner on duty with the cabinet app's device, and a
    customer's dialog with it: (the customer's headers, the dialog id)."""
    owner = {"Authorization": f"Bearer {access_token(port, log_path, OWNER)}"}
    status, body = request(port, "POST", "/api/businesses",
                           {"name": "Кофейня", "slug": "bench-push-coffee"}, owner)
    assert status == 201, body
    business_id = body["data"]["id"]
    status, body = request(port, "PUT", f"/api/businesses/{business_id}/duty",
                           {"onDuty": True}, owner)
    assert status == 200, body
    status, body = request(port, "POST", "/api/push/register",
                           {"subscription": push_service.subscription("owner"),
                            "app": "cabinet"}, owner)
    assert status == 201, body
    customer = {"Authorization": f"Bearer {access_token(port, log_path, CUSTOMER)}",
                "Content-Type": "application/json"}
    status, body = request(port, "POST", f"/api/businesses/{business_id}/start-dialog",
                           None, customer)
    assert status == 200, body
    return customer, body["data"]["id"]


def run_messages(port, push_service, customer, dialog_id, count):
    """(POST seconds, push seconds from sending the POST) per message."""
    posts, pushes = [], []
    conn = connect(port)
    try:
        for number in range(count + 5):  # the first five warm up and are not counted
            marker = f"#{number}-{uuid.uuid4().hex[:6]}"
            body = json.dumps({"text": f"Можно заказать торт к субботе? {marker}"}).encode()
            sent = time.perf_counter()
            reply = fetch(conn, "POST", f"/api/dialogs/{dialog_id}/messages", body, customer)
            assert reply.status == 201, reply.body
            push_service.wait_for(lambda received, m=marker: any(
                m in r["payload"]["body"] for r in received), timeout=30)
            [arrived] = [r["at"] for r in push_service.received
                         if marker in r["payload"]["body"]]
            if number >= 5:
                posts.append(reply.seconds)
                pushes.append(arrived - sent)
    finally:
        conn.close()
    return posts, pushes


def measure(broker, count):
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = env_for(workdir, broker)
        log_path = workdir / "server.log"
        flask(env, "migrate")
        with PushServiceStandIn() as push_service, contextlib.ExitStack() as stack:
            if broker:
                stack.enter_context(celery_worker(env, log_path))
            port, _process = stack.enter_context(
                gunicorn_process("wsgi:app", env, log_path, "/api/health"))
            # Pushes must be signed with the key the server publishes.
            status, body = request(port, "GET", "/api/push/vapid-public-key")
            assert status == 200, body
            push_service.vapid_public_key = body["data"]["publicKey"]
            customer, dialog_id = set_up(port, log_path, push_service)
            posts, pushes = run_messages(port, push_service, customer, dialog_id, count)
            assert push_service.refused == [], push_service.refused
            return posts, pushes


def row(name, values):
    ms = [value * 1000 for value in values]
    return (f"{name:<58} {percentile(ms, 0.50):>8.1f} {percentile(ms, 0.99):>8.1f} "
            f"{max(ms):>8.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--skip-broker", action="store_true",
                        help="only the embedded set-up (no RabbitMQ or Redis needed)")
    args = parser.parse_args()
    print(f"{args.messages} customer messages, one after another; ms")
    print(f"{'':<58} {'p50':>8} {'p99':>8} {'max':>8}")
    setups = [("make run (Celery eager)", False)]
    if not args.skip_broker:
        setups.append(("Celery worker over RabbitMQ, Redis", True))
    for title, broker in setups:
        posts, pushes = measure(broker, args.messages)
        print(f"{title}:")
        print(row("  the message's POST (baseline)", posts))
        print(row("  customer's message -> the team's push at the push service", pushes))


if __name__ == "__main__":
    main()
