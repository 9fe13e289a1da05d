"""QR scans: one counter per business and UTC day, and the daily series statistics show."""

from datetime import timedelta

from flask import current_app
from mongoengine import NotUniqueError

from app import clock, db
from app.lib import rate_limits
from app.models import Business, QrScanDay


def find_business(code: object) -> Business | None:
    """The business behind a QR code while its public pages are up (not deleted, blocked,
    hidden by a moderator or deactivated); else None."""
    if not isinstance(code, str) or not code:
        return None
    return db.reread_on_miss(lambda: Business.objects(
        qr_code=code.lower(), deleted_at=None, blocked=False, hidden__ne=True,
        is_active=True).only("id", "slug").first())


def record_scan(code: object, visitor: str | None = None) -> Business | None:
    """The business behind `code` (None if there is none to show), its scan counted for today
    once per `visitor` (a hash of who scanned) and QR_SCAN_WINDOW_MINUTES; None as the visitor
    counts nothing (a request no person made)."""
    business = find_business(code)
    if business is not None and visitor is not None and _first_in_window(business, visitor):
        _increment(business.id, clock.now().date().isoformat())
    return business


def _first_in_window(business, visitor):
    minutes = current_app.config["QR_SCAN_WINDOW_MINUTES"]
    window = int(clock.epoch() // (minutes * 60))
    return rate_limits.first(f"1 per {2 * minutes} minutes", "qr-scan",
                             f"{business.id}:{visitor}:{window}")


def _increment(business_id, day):
    scans = QrScanDay.objects(business_id=business_id, day=day)
    try:
        scans.update_one(upsert=True, inc__count=1)
    except NotUniqueError:
        # Two first scans of the day raced to insert the row: it exists now, so add to it.
        scans.update_one(inc__count=1)


def scans_per_day(business_id: str, days: int = 30) -> list[dict]:
    """[{"day": "YYYY-MM-DD", "count": n}, …] for the last `days` UTC days ending today,
    oldest first, days without scans included with 0."""
    if days < 1:
        raise ValueError("days must be at least 1")
    today = clock.now().date()
    span = [(today - timedelta(days=back)).isoformat() for back in range(days - 1, -1, -1)]
    rows = QrScanDay.objects(business_id=business_id, day__gte=span[0], day__lte=span[-1])
    counts = {row.day: row.count for row in rows.only("day", "count")}
    return [{"day": day, "count": counts.get(day, 0)} for day in span]
