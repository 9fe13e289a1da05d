"""The real RabbitMQ and Redis of this machine, for tests: reachable, or skip (outside CI) /
fail (CI)."""

import os
import uuid

import kombu
import pytest

BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"


def broker_problem(url=BROKER_URL):
    """None when the broker answers, otherwise why it does not."""
    try:
        with kombu.Connection(url, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:  # any failure to connect means "unreachable" here
        return f"{exc.__class__.__name__}: {exc}"
    return None


@pytest.fixture(scope="session")
def rabbitmq_url():
    """The broker URL; skips when RabbitMQ is unreachable outside CI, fails under CI."""
    problem = broker_problem()
    if problem:
        reason = f"RabbitMQ unreachable at {BROKER_URL} ({problem})"
        if "CI" in os.environ:
            pytest.fail(f"{reason}; CI is set, so broker tests must run")
        pytest.skip(f"{reason}; set CI to make this a failure")
    return BROKER_URL


def pika_parameters(url=BROKER_URL):
    """pika reads the vhost of `amqp://…//` (kombu's way to say "/") as empty; say %2F."""
    import pika

    if url.endswith("//"):
        url = url[:-1] + "%2F"
    return pika.URLParameters(url)


def require_redis(url):
    """Skip when the Redis at `url` is unreachable outside CI; fail under CI."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        reason = f"Redis unreachable at {url} ({error!r})"
        if "CI" in os.environ:
            pytest.fail(f"{reason}; CI is set, so the Redis tests must run")
        pytest.skip(f"{reason}; set CI to make this a failure")


REDIS_URL = "redis://127.0.0.1:6379/15"  # db 15: tests only


@pytest.fixture
def redis_settings():
    """REDIS_URL and a prefix of our own; the keys under it are deleted afterwards. Skips when
    Redis is unreachable outside CI, fails under CI."""
    require_redis(REDIS_URL)
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    prefix = f"bank_test_live_{uuid.uuid4().hex[:10]}"
    yield {"REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": prefix}
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
