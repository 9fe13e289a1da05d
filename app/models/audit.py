from mongoengine import DateTimeField, DictField, Document, StringField

from app import clock
from app.models.base import id_field


class AuditEntry(Document):
    """One change or action done in /admin or /cabinet, or on the site where a person answers
    something addressed to them (a team invitation). Written once, never edited."""

    id = id_field("aud")
    at = DateTimeField(default=clock.now, required=True)
    actor_id = StringField(db_field="actorId", required=True)
    actor_name = StringField(db_field="actorName")
    area = StringField(required=True, choices=("admin", "cabinet", "site"))
    action = StringField(required=True)  # create, update, delete, block, unblock, ...
    target_type = StringField(db_field="targetType", required=True)
    target_id = StringField(db_field="targetId")
    business_id = StringField(db_field="businessId")  # for the cabinet's own trail
    # {"field": {"before": ..., "after": ...}}
    changes = DictField()
    reason = StringField()
    ip = StringField()

    meta = {
        "collection": "audit_log",
        "auto_create_index": False,
        "indexes": [
            {"fields": ["-at"]},
            {"fields": ["target_type", "target_id", "-at"]},
            {"fields": ["actor_id", "-at"]},
            {"fields": ["business_id", "-at"]},
        ],
    }
