"""A business's inbox statistics: dialogs started per day, and the median time to the first
human reply. Both read the conversations (one document per dialog, with its created_at and
first_human_reply_at kept by the message listener), never the messages.

The wait is measured from the conversation's created_at (when the customer opened the dialog;
the time of the customer's first message is not stored) to the first reply of a person from
the team; bot replies do not count. It covers the dialogs started in the window and answered
so far; dialogs still waiting are counted apart ("unanswered")."""

from datetime import datetime, time

from app.lib import day_series
from app.models import Conversation


def dialogs_per_day(business_id: str, days: int = 30) -> list[dict]:
    """[{"day": "YYYY-MM-DD", "count": n}, …] over the last `days` UTC days, oldest first,
    empty days as 0. One aggregation over the (businessId, createdAt) index."""
    return day_series.created_per_day(Conversation._get_collection(), day_series.window(days),
                                 {"businessId": business_id})


def first_reply_median(business_id: str, since: datetime) -> tuple[float | None, int]:
    """(median seconds to the first human reply or None, how many dialogs it covers).

    The database sorts the waits and hands back only the middle one or two, so the app never
    loads the dialogs themselves ($percentile would do it in one step, but needs MongoDB 7
    and the embedded store lacks it)."""
    match = {"businessId": business_id, "createdAt": {"$gte": since},
             "firstHumanReplyAt": {"$ne": None}}
    collection = Conversation._get_collection()
    answered = collection.count_documents(match)
    if not answered:
        return None, 0
    middle = list(collection.aggregate([
        {"$match": match},
        {"$project": {"wait": {"$subtract": ["$firstHumanReplyAt", "$createdAt"]}}},
        {"$sort": {"wait": 1, "_id": 1}},
        {"$skip": (answered - 1) // 2},
        {"$limit": 1 if answered % 2 else 2},
    ]))
    milliseconds = sum(row["wait"] for row in middle) / len(middle)
    return max(0.0, milliseconds / 1000), answered


def summary(business_id: str, days: int = 30) -> dict:
    start = datetime.combine(day_series.window(days)[0], time.min)
    per_day = dialogs_per_day(business_id, days)
    total = sum(row["count"] for row in per_day)
    median, answered = first_reply_median(business_id, start)
    return {"days": days, "dialogs": total, "perDay": per_day, "answered": answered,
            "unanswered": total - answered, "medianFirstReplySeconds": median}

