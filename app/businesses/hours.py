"""A business's opening hours: whether it is open at a moment, and when it next opens. Pure
functions: no I/O, no database, no Flask.

Business hours are `{"timezone": "Europe/Moscow", "days": {"mon": [...], ...}}`, each
interval either `{"open": "09:00", "close": "18:00"}` (what the API stores) or
`["09:00", "18:00"]`. "24:00" closes at the end of the day. An interval whose close is
earlier than its open runs overnight into the next day ("22:00"-"02:00" on Monday covers
Monday 22:00 to Tuesday 02:00); one whose close equals its open is empty. A day without
intervals is closed. Hours are wall-clock times in the given zone (zoneinfo), so they hold
across DST changes.
"""

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY = 24 * 3600


def within_hours(business_hours: dict | None, at: datetime) -> bool | None:
    """Whether the business is open at `at` (naive UTC); None when no hours are configured.

    "Not configured" is: no hours, an unknown time zone, or no interval on any day.
    """
    schedule = _schedule(business_hours)
    if schedule is None:
        return None
    zone, days = schedule
    local = _utc(at).astimezone(zone)
    second = local.hour * 3600 + local.minute * 60 + local.second
    weekday = local.weekday()
    if any(start <= second < end for start, end in days[weekday]):
        return True
    # yesterday's overnight intervals run on into today
    return any(second < end - _DAY for _, end in days[(weekday - 1) % 7])


def next_opening(business_hours: dict | None, at: datetime) -> datetime | None:
    """When the business next opens, as naive UTC: `at` itself when it is open at `at`, the
    start of the next open interval otherwise; None when no hours are configured."""
    open_now = within_hours(business_hours, at)
    if open_now is None:
        return None
    if open_now:
        return at
    zone, days = _schedule(business_hours)
    today = _utc(at).astimezone(zone).date()
    openings = []
    for offset in range(8):  # a week on, and today's later hours next week
        date = today + timedelta(days=offset)
        for start, _ in days[date.weekday()]:
            local = datetime.combine(date, time(start // 3600, start % 3600 // 60))
            opening = _local_to_utc(local, zone)
            if opening > at:
                openings.append(opening)
    return min(openings)


def _utc(at):
    """An aware UTC datetime from a naive UTC (or any aware) one."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _local_to_utc(local, zone):
    """The first instant (naive UTC) when the zone's wall clock shows `local` or later.

    An ambiguous time (clocks going back) gives its first occurrence; a time the clocks skip
    (clocks going forward) gives the moment of the jump.
    """
    instants = sorted(local.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    early, late = instants

    def reached(instant):
        return instant.astimezone(zone).replace(tzinfo=None) >= local

    if reached(early):
        return early.replace(tzinfo=None)
    while late - early > timedelta(seconds=1):  # the jump lies between the two readings
        middle = early + (late - early) / 2
        if reached(middle):
            late = middle
        else:
            early = middle
    return late.replace(tzinfo=None)


def _schedule(business_hours):
    """(zone, {weekday 0-6: [(start, end) seconds from that day's midnight]}), or None."""
    if not isinstance(business_hours, dict) or not isinstance(business_hours.get("days"), dict):
        return None
    try:
        zone = ZoneInfo(business_hours.get("timezone") or "UTC")
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return None
    days = {number: [] for number in range(7)}
    for number, name in enumerate(WEEKDAYS):
        for interval in business_hours["days"].get(name) or ():
            span = _interval(interval)
            if span is not None:
                days[number].append(span)
    if not any(days.values()):
        return None
    return zone, days


def _interval(interval):
    if isinstance(interval, dict):
        interval = (interval.get("open"), interval.get("close"))
    if not isinstance(interval, list | tuple) or len(interval) != 2:
        return None
    start, end = map(_seconds, interval)
    if start is None or end is None or start == end or start >= _DAY:
        return None
    if end < start:  # overnight
        end += _DAY
    return start, end


def _seconds(clock):
    """Seconds from midnight of "HH:MM" ("24:00" is the end of the day), or None."""
    found = re.fullmatch(r"(\d{1,2}):(\d{2})", clock) if isinstance(clock, str) else None
    if found is None:
        return None
    hours, minutes = int(found[1]), int(found[2])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        return None
    return hours * 3600 + minutes * 60


def intervals_text(intervals: list | None) -> str:
    """A day's business hours as people type them: "09:00-13:00, 14:00-18:00"."""
    return ", ".join(f"{i['open']}-{i['close']}" if isinstance(i, dict) else "-".join(i)
                     for i in intervals or [])
