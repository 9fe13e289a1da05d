"""One business's own statistics, for its team's cabinet: subscribers (in all, and new ones
per day), QR scans per day and dialogs. Counted by the database, never by loading documents."""

from app.businesses import qr_scans
from app.lib import day_series
from app.models import Conversation, Subscription


def subscribers(business_id: str, days: int = 30) -> dict:
    """{"total": n, "perDay": [{"day": "YYYY-MM-DD", "count": n}, …]}: the subscribers now,
    and the new ones on each of the last `days` UTC days (oldest first, empty days as 0).
    A count and one aggregation over the (businessId, createdAt) index."""
    collection = Subscription._get_collection()
    return {"total": collection.count_documents({"businessId": business_id}),
            "perDay": day_series.created_per_day(collection, day_series.window(days),
                                            {"businessId": business_id})}


def dialogs(business_id: str) -> int:
    """How many dialogs customers have opened with the business (its channel is not one)."""
    return Conversation._get_collection().count_documents({"businessId": business_id})


def summary(business_id: str, days: int = 30) -> dict:
    scans = qr_scans.scans_per_day(business_id, days)
    return {
        "days": days,
        "subscribers": subscribers(business_id, days),
        "scans": {"total": sum(row["count"] for row in scans), "perDay": scans},
        "dialogs": dialogs(business_id),
    }
