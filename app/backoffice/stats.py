"""Platform statistics for the back-office dashboard: totals, per-day series for the last 30
UTC days, the top businesses and the open reports. Everything is counted by the database
(counts and aggregations); no query loads whole documents, and every list is limited.

The queries mean the same on MongoDB and on the embedded store; days are counted as
app/lib/day_series.py does.

Dialogs are the customers' conversations (kept by the platform with either adapter); messages
are counted in the embedded adapter's collection, which is empty when mms3 holds them.
"""

from datetime import date, timedelta

import mongoengine

from app.lib import day_series
from app.models import Business, Conversation, QrScanDay, Report, Subscription, User

DAYS = day_series.DAYS
TOP = 10


def _raw(name):
    """A collection that has no document class yet (dialogs, messages)."""
    return mongoengine.get_db()[name]


# --- totals ----------------------------------------------------------------------------------

def total_scans() -> int:
    rows = QrScanDay._get_collection().aggregate(
        [{"$project": {"_id": 0, "count": 1}}, {"$group": {"_id": None, "n": {"$sum": "$count"}}}])
    return next(iter(rows), {}).get("n", 0)


def totals() -> dict[str, int]:
    return {
        "users": User._get_collection().estimated_document_count(),
        "businesses": Business._get_collection().count_documents({"deletedAt": None}),
        "subscriptions": Subscription._get_collection().estimated_document_count(),
        "dialogs": Conversation._get_collection().estimated_document_count(),
        "messages": _raw("messages").estimated_document_count(),
        "qrScans": total_scans(),
    }


# --- per-day series --------------------------------------------------------------------------

def scans_per_day(days: list[date]) -> list[dict]:
    """As created_per_day, for QR scans: the sum of the daily counters of all businesses."""
    boundaries = [day.isoformat() for day in days]
    boundaries.append((days[-1] + timedelta(days=1)).isoformat())
    rows = QrScanDay._get_collection().aggregate([
        {"$match": {"day": {"$gte": boundaries[0], "$lt": boundaries[-1]}}},
        {"$project": {"_id": 0, "day": 1, "count": 1}},
        {"$bucket": {"groupBy": "$day", "boundaries": boundaries,
                     "output": {"n": {"$sum": "$count"}}}},
    ])
    counts = {row["_id"]: row["n"] for row in rows}
    return [{"day": day, "count": counts.get(day, 0)} for day in boundaries[:-1]]


def series(days: list[date]) -> dict[str, list[dict]]:
    return {
        "signups": day_series.created_per_day(User._get_collection(), days),
        "businesses": day_series.created_per_day(Business._get_collection(), days),
        "subscriptions": day_series.created_per_day(Subscription._get_collection(), days),
        "messages": day_series.created_per_day(_raw("messages"), days),
        "scans": scans_per_day(days),
    }


# --- top businesses --------------------------------------------------------------------------

def _business_row(found, count):
    return {"id": found["_id"], "name": found.get("name", ""), "slug": found.get("slug"),
            "deleted": found.get("deletedAt") is not None, "count": count}


def top_by_subscribers(limit: int = TOP) -> list[dict]:
    """The businesses (not deleted) with the most subscribers, most first; ties by id."""
    found = Business._get_collection().find(
        {"deletedAt": None, "subscriberCount": {"$gt": 0}},
        {"name": 1, "slug": 1, "deletedAt": 1, "subscriberCount": 1},
    ).sort([("subscriberCount", -1), ("_id", 1)]).limit(limit)
    return [_business_row(row, row["subscriberCount"]) for row in found]


def top_by_scans(days: list[date], limit: int = TOP) -> list[dict]:
    """The businesses scanned most over `days`, most first; ties by id. Two queries: the
    aggregation, then one `$in` for the names. A business deleted since is still listed
    (its scans happened), marked as deleted."""
    rows = list(QrScanDay._get_collection().aggregate([
        {"$match": {"day": {"$gte": days[0].isoformat(), "$lte": days[-1].isoformat()}}},
        {"$project": {"_id": 0, "businessId": 1, "count": 1}},
        {"$group": {"_id": "$businessId", "n": {"$sum": "$count"}}},
        {"$match": {"n": {"$gt": 0}}},
        {"$sort": {"n": -1, "_id": 1}},
        {"$limit": limit},
    ]))
    if not rows:
        return []
    names = {found["_id"]: found for found in Business._get_collection().find(
        {"_id": {"$in": [row["_id"] for row in rows]}}, {"name": 1, "slug": 1, "deletedAt": 1})}
    return [_business_row(names.get(row["_id"], {"_id": row["_id"]}), row["n"])
            for row in rows]


# --- the dashboard ---------------------------------------------------------------------------

def open_reports() -> int:
    return Report._get_collection().count_documents({"status": "open"})


def dashboard(days: int = DAYS) -> dict:
    span = day_series.window(days)
    return {
        "days": [day.isoformat() for day in span],
        "totals": totals(),
        "series": series(span),
        "topBySubscribers": top_by_subscribers(),
        "topByScans": top_by_scans(span),
        "openReports": open_reports(),
    }
