from mongoengine import DateTimeField, Document, StringField

from app import clock
from app.models.base import id_field

REPORT_TARGETS = ("business", "post", "message", "user")
REPORT_REASONS = ("spam", "fraud", "abuse", "illegal", "other")
REPORT_STATES = ("open", "dismissed", "actioned")


class Report(Document):
    """A customer's complaint about a business, a post, a message or a user."""

    id = id_field("rep")
    reporter_id = StringField(db_field="reporterId", required=True)
    target_type = StringField(db_field="targetType", required=True, choices=REPORT_TARGETS)
    target_id = StringField(db_field="targetId", required=True)
    reason = StringField(required=True, choices=REPORT_REASONS)
    comment = StringField(max_length=1000)
    status = StringField(default="open", choices=REPORT_STATES)
    created_at = DateTimeField(db_field="createdAt", default=clock.now, required=True)
    resolved_at = DateTimeField(db_field="resolvedAt")
    resolved_by = StringField(db_field="resolvedBy")
    resolution = StringField()  # dismiss, hide, block_business, block_user
    resolution_reason = StringField(db_field="resolutionReason")

    meta = {
        "collection": "reports",
        "auto_create_index": False,
        "indexes": [
            {"fields": ["status", "target_type", "target_id"]},
            {"fields": ["reporter_id", "target_type", "target_id", "status"]},
            {"fields": ["-created_at"]},
        ],
    }
