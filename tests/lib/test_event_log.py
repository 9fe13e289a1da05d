"""The event log (app/lib/event_log.py): a key is claimed once per window, on the
embedded store and on Redis alike."""

import threading
import uuid

import pytest

from app import clock
from app.lib import event_log
from app.models import HandledEvent

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(params=["store", "redis"])
def log_app(request, make_app):
    """An app whose event log is the database collection, or Redis (a prefix of its own)."""
    if request.param == "store":
        app = make_app()
    else:
        prefix = f"bank-test-{uuid.uuid4().hex[:8]}"
        app = make_app(REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=prefix)
    with app.app_context():
        yield app
    redis = app.extensions["redis"]
    if redis is not None:
        keys = redis.keys(f"{app.config['REDIS_KEY_PREFIX']}:*")
        if keys:
            redis.delete(*keys)


def test_a_key_is_claimed_once_and_again_after_release(log_app):
    assert event_log.claim("evt:1", 24) is True
    assert event_log.claim("evt:1", 24) is False
    assert event_log.handled("evt:1") is True
    assert event_log.claim("evt:2", 24) is True  # keys are independent

    event_log.release("evt:1")

    assert event_log.handled("evt:1") is False
    assert event_log.claim("evt:1", 24) is True


def test_a_lease_is_not_handled_until_kept(log_app):
    assert event_log.claim("evt:lease", 24, lease_seconds=300) is True
    assert event_log.claim("evt:lease", 24, lease_seconds=300) is False
    assert event_log.handled("evt:lease") is False

    event_log.keep("evt:lease", 24)

    assert event_log.handled("evt:lease") is True
    assert event_log.claim("evt:lease", 24) is False


def test_only_one_of_many_racing_claims_wins(log_app):
    results = []
    start = threading.Barrier(8)

    def race():
        with log_app.app_context():
            start.wait()
            results.append(event_log.claim("bot:msg_race", 1))

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False] * 7 + [True]


def test_an_expired_claim_is_free_again_on_the_store(make_app):
    app = make_app()
    with app.app_context():
        assert event_log.claim("evt:old", 1) is True
        row = HandledEvent.objects.get(id="evt:old")
        assert row.done is True

        clock.advance(3601)  # past the window; no TTL monitor has removed the row yet

        assert event_log.handled("evt:old") is False
        assert event_log.claim("evt:old", 1) is True
        assert event_log.claim("evt:old", 1) is False


def test_redis_keys_carry_the_prefix_and_expire(make_app):
    prefix = f"bank-test-{uuid.uuid4().hex[:8]}"
    app = make_app(REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=prefix)
    redis = app.extensions["redis"]
    with app.app_context():
        event_log.claim("evt:r", 2)
        event_log.claim("evt:l", 2, lease_seconds=30)
    try:
        assert 7100 < redis.ttl(f"{prefix}:event-log:evt:r") <= 7200
        assert 0 < redis.ttl(f"{prefix}:event-log:evt:l") <= 30
        assert HandledEvent.objects.count() == 0  # Redis only
    finally:
        redis.delete(f"{prefix}:event-log:evt:r", f"{prefix}:event-log:evt:l")
