"""Moderation indexes: one open report per reporter and target; the resolved history."""

from pymongo import ASCENDING, DESCENDING

from app.models import Report


def up():
    reports = Report._get_collection()
    # Held by the database too, so two identical reports sent at once cannot both be open.
    reports.create_index([("reporterId", ASCENDING), ("targetType", ASCENDING),
                          ("targetId", ASCENDING)], name="one_open_report",
                         unique=True, partialFilterExpression={"status": "open"})
    # The back office's history tab: resolved reports, the latest resolved first.
    reports.create_index([("status", ASCENDING), ("resolvedAt", DESCENDING),
                          ("_id", DESCENDING)], name="status_resolved_at")
