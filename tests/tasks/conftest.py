"""Tests over the real RabbitMQ: they skip only when the broker is down and CI is not set
(the rabbitmq_url fixture lives in tests/broker.py, a plugin of tests/conftest.py)."""

import uuid

import kombu
import pytest


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
