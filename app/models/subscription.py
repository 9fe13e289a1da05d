from mongoengine import DateTimeField, Document, StringField

from app import clock
from app.models.base import id_field


class Subscription(Document):
    id = id_field("sub")
    user_id = StringField(db_field="userId", required=True)
    business_id = StringField(db_field="businessId", required=True)
    created_at = DateTimeField(db_field="createdAt", default=clock.now, required=True)

    meta = {
        "collection": "subscriptions",
        "auto_create_index": False,
        "indexes": [
            {"fields": ["user_id", "business_id"], "unique": True},
            {"fields": ["business_id", "-created_at"]},
            {"fields": ["created_at"]},  # the dashboard's subscriptions per day
        ],
    }
