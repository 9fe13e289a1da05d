"""Counts per UTC day, as the statistics show them: the window of the last days, and how many
documents of a collection were created on each of them.

Days are counted with `$bucket` over the day boundaries (a `$match` on the time window first,
so MongoDB can use an index on `createdAt`): unlike `$group` on `$dateToString` it needs no
per-document date formatting, which matters on the embedded store, where every stage runs in
Python.
"""

from datetime import date, datetime, time, timedelta

import mongomock
from pymongo.collection import Collection

from app import clock

DAYS = 30


def window(days: int = DAYS) -> list[date]:
    """The last `days` UTC days ending today, oldest first, as `date`s."""
    if days < 1:
        raise ValueError("days must be at least 1")
    today = clock.now().date()
    return [today - timedelta(days=back) for back in range(days - 1, -1, -1)]


def created_per_day(collection: Collection | mongomock.Collection, days: list[date],
                    match: dict | None = None) -> list[dict]:
    """[{"day": "YYYY-MM-DD", "count": n}, …] of the documents of `collection` (those that
    also `match`, a filter) whose `createdAt` falls on each of `days` (consecutive `date`s):
    one aggregation."""
    boundaries = [datetime.combine(day, time.min) for day in days]
    boundaries.append(boundaries[-1] + timedelta(days=1))
    rows = collection.aggregate([
        {"$match": {**(match or {}),
                    "createdAt": {"$gte": boundaries[0], "$lt": boundaries[-1]}}},
        {"$project": {"_id": 0, "createdAt": 1}},
        {"$bucket": {"groupBy": "$createdAt", "boundaries": boundaries,
                     "output": {"n": {"$sum": 1}}}},
    ])
    counts = {row["_id"].date(): row["n"] for row in rows}
    return [{"day": day.isoformat(), "count": counts.get(day, 0)} for day in days]
