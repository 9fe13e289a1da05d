"""Fixtures that run the mms3 stand-in (tests/mms3_standin.py); tests/conftest.py loads this
module as a plugin, so every test can ask for `mms3` or `mms3_with_events`."""

import uuid

import pytest

from app.messaging.mms3 import Mms3Gateway
from tests.mms3_standin import Mms3StandIn


@pytest.fixture
def mms3():
    """A stand-in without events (no broker needed)."""
    standin = Mms3StandIn().start()
    yield standin
    standin.stop()


@pytest.fixture
def mms3_with_events(rabbitmq_url):
    """A stand-in that publishes its events to the real RabbitMQ."""
    standin = Mms3StandIn(amqp_url=rabbitmq_url).start()
    yield standin
    standin.stop()


@pytest.fixture
def mms3_tenant():
    """A tenant id of this test's own, so its routing keys never meet another run's."""
    return f"tnt_{uuid.uuid4().hex[:12]}"


def gateway_for(standin, tenant="tnt_default", **options):
    """The adapter pointed at a stand-in, with quick backoff so retry tests stay fast."""
    options = {"timeout": 2.0, "retries": 3, "backoff": 0.01, **options}
    return Mms3Gateway(standin.url, standin.api_key, tenant, **options)
