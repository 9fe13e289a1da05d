"""Create the TTL index of the event log (handled_events), so claimed keys expire."""

from app.models import HandledEvent


def up():
    HandledEvent.ensure_indexes()
