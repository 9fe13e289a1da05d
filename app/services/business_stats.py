"""One business's own statistics, for its team's cabinet: subscribers (in all, and new ones
per day), QR scans per day and dialogs. Counted by the database, never by loading documents."""

from datetime import datetime, time, timedelta

from app import clock
from app.models import Conversation, Subscription
from app.services import qr_scans


def _days(days):
    today = clock.now().date()
    return [today - timedelta(days=back) for back in range(days - 1, -1, -1)]


def subscribers(business_id, days=30):
    """{"total": n, "perDay": [{"day": "YYYY-MM-DD", "count": n}, …]}: the subscribers now,
    and the new ones on each of the last `days` UTC days (oldest first, empty days as 0).
    One aggregation over the (businessId, createdAt) index."""
    if days < 1:
        raise ValueError("days must be at least 1")
    span = _days(days)
    start = datetime.combine(span[0], time.min)
    pipeline = [
        {"$match": {"businessId": business_id}},
        {"$facet": {
            "total": [{"$count": "n"}],
            "days": [
                {"$match": {"createdAt": {"$gte": start}}},
                {"$group": {"_id": {"$dateToString": {"format": "%Y-%m-%d",
                                                      "date": "$createdAt"}},
                            "n": {"$sum": 1}}},
            ],
        }},
    ]
    found = next(iter(Subscription._get_collection().aggregate(pipeline)), {})
    total = (found.get("total") or [{"n": 0}])[0]["n"]
    counts = {row["_id"]: row["n"] for row in found.get("days", [])}
    return {"total": total,
            "perDay": [{"day": day.isoformat(), "count": counts.get(day.isoformat(), 0)}
                       for day in span]}


def dialogs(business_id):
    """How many dialogs customers have opened with the business (its channel is not one)."""
    return Conversation._get_collection().count_documents({"businessId": business_id})


def summary(business_id, days=30):
    scans = qr_scans.scans_per_day(business_id, days)
    return {
        "days": days,
        "subscribers": subscribers(business_id, days),
        "scans": {"total": sum(row["count"] for row in scans), "perDay": scans},
        "dialogs": dialogs(business_id),
    }
