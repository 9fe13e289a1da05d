"""The one source of "now", so tests can move time; and the API's timestamp format."""

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)
_frozen = None


def now():
    """Current UTC time as a naive datetime (the way MongoDB stores and returns it)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC).replace(tzinfo=None) + _offset


def freeze(at=None):
    """Stop the clock (tests only)."""
    global _frozen
    _frozen = at or now()
    return _frozen


def advance(seconds):
    """Move the clock forward (tests only)."""
    global _frozen, _offset
    if _frozen is not None:
        _frozen += timedelta(seconds=seconds)
    else:
        _offset += timedelta(seconds=seconds)


def reset():
    global _frozen, _offset
    _frozen = None
    _offset = timedelta(0)


def isoformat(value):
    """ISO 8601 in UTC with a `Z`, to the millisecond; None stays None."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="milliseconds") + "Z"


def epoch():
    """Seconds since the epoch, by the same clock as now()."""
    return now().replace(tzinfo=UTC).timestamp()
