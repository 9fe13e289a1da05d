"""The libraries on the request path, run the way the server runs them: gevent's monkey patch
first, then the app, then each library from many greenlets at once. Run as a script by
tests/live/test_gevent_libraries.py (the patch must come before anything else is imported);
prints one JSON object {check: "ok" or what went wrong}.

usage: python tests/gevent_probe.py <workdir> <rabbitmq url>
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app, migrate  # noqa: E402
from app.accounts import users  # noqa: E402
from app.errors import RateLimited  # noqa: E402
from app.lib import rate_limits  # noqa: E402
from app.messaging import dead_letters, event_queues  # noqa: E402
from app.models import User  # noqa: E402
from app.notifications import devices, sender  # noqa: E402
from tests.conftest import settings  # noqa: E402
from tests.push_standin import PushServiceStandIn  # noqa: E402


def embedded_store(app):
    """Writes and reads of the store (its locks, mongomock, the SQLite journal) from 100
    greenlets at once: every user registered once, and found."""
    def register(n):
        with app.app_context():
            users.ensure_user(f"+7916500{n:04d}")
            return User.objects(phone=f"+7916500{n:04d}").count()

    found = gevent.joinall([gevent.spawn(register, n) for n in range(100)], raise_error=True)
    assert [g.value for g in found] == [1] * 100
    with app.app_context():
        assert User.objects(phone__startswith="+7916500").count() == 100


def celery_eager(app):
    """A registration enqueues the chat user's provisioning; eager, it ran in the greenlet."""
    with app.app_context():
        user = users.ensure_user("+79165019999")
        assert User.objects.get(id=user.id).chat_sync.state == "done"


def flask_limiter(app):
    """Its memory storage, hit by 10 greenlets at once against a limit of 3."""
    def hit():
        with app.test_request_context():
            try:
                rate_limits.hit("3/minute", "probe", "203.0.113.1", "too many")
                return True
            except RateLimited:
                return False

    allowed = gevent.joinall([gevent.spawn(hit) for _ in range(10)], raise_error=True)
    assert sum(1 for g in allowed if g.value) == 3


def pika_blocking(app):
    """The back office's dead letters, read with pika's BlockingConnection, from greenlets
    while another keeps running."""
    ticks = []
    ticker = gevent.spawn(lambda: [ticks.append(time.monotonic()) or gevent.sleep(0.01)
                                   for _ in range(20)])
    try:
        results = gevent.joinall([gevent.spawn(dead_letters.peek, app.config)
                                  for _ in range(3)], raise_error=True)
        assert all(g.value == (0, []) for g in results)
    finally:
        with event_queues.connect(app.config["RABBITMQ_URL"]) as connection:
            connection.channel().queue_delete(event_queues.names(app.config).dead)
    ticker.join()
    assert len(ticks) == 20


def pywebpush(app):
    """A push sent to a local push service (requests and pywebpush over patched sockets),
    from five greenlets at once."""
    with PushServiceStandIn(app.config["VAPID_PUBLIC_KEY"]) as service:
        with app.test_request_context():
            people = [users.ensure_user(f"+7916502000{n}") for n in range(5)]
            subscriptions = [service.subscription(f"d{n}") for n in range(5)]
            tokens = [devices.register(person, s["endpoint"], s["keys"])[0].id
                      for person, s in zip(people, subscriptions, strict=True)]

        def deliver(token_id):
            with app.app_context():
                return sender.deliver([token_id], {"title": "t", "body": "b", "url": "/"})

        failed = gevent.joinall([gevent.spawn(deliver, t) for t in tokens], raise_error=True)
        assert [g.value for g in failed] == [[]] * 5
        assert sorted(len(service.payloads(f"d{n}")) for n in range(5)) == [1] * 5


def cooperative():
    """A greenlet that sleeps does not hold up another one (time.sleep is gevent's)."""
    started = time.monotonic()
    quick = gevent.spawn(lambda: time.monotonic())
    slow = gevent.spawn(time.sleep, 0.5)
    quick.join()
    assert quick.value - started < 0.4
    slow.join()


def main():
    workdir, rabbitmq_url = Path(sys.argv[1]), sys.argv[2]
    app = create_app({**settings(workdir), "RABBITMQ_URL": rabbitmq_url,
                      "EVENTS_QUEUE": f"bank-probe-{uuid.uuid4().hex[:8]}"})
    with app.app_context():
        migrate.run(echo=lambda _line: None)
    checks = {"embedded_store": lambda: embedded_store(app),
              "celery_eager": lambda: celery_eager(app),
              "flask_limiter": lambda: flask_limiter(app),
              "pika": lambda: pika_blocking(app),
              "pywebpush": lambda: pywebpush(app),
              "cooperative": cooperative,
              "patched": lambda: (monkey.is_module_patched("socket")
                                  and monkey.is_module_patched("threading")) or 1 / 0}
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception:  # noqa: BLE001 - each check reports its own failure
            results[name] = traceback.format_exc(limit=3)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
