"""Tests over the real RabbitMQ: they skip only when the broker is down and CI is not set."""

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


@pytest.fixture
def broker_queue(rabbitmq_url):
    """A queue name of this test's own, so parallel runs on one broker never share tasks;
    the queue (and the direct exchange Celery declares with the same name) is deleted after."""
    name = f"bank-test-{uuid.uuid4().hex[:12]}"
    yield name
    with kombu.Connection(rabbitmq_url, connect_timeout=3) as connection:
        channel = connection.default_channel
        channel.queue_delete(name)
        channel.exchange_delete(name)
