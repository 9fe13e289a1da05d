"""A business's saved answer: a short title to find it by and the text the inbox inserts
into the reply box."""

from mongoengine import StringField

from app.models.base import TimestampedDocument, id_field

TITLE_MAX = 60
TEXT_MAX = 1000


class QuickReply(TimestampedDocument):
    id = id_field("qrp")
    business_id = StringField(db_field="businessId", required=True)
    title = StringField(required=True, max_length=TITLE_MAX)
    text = StringField(required=True, max_length=TEXT_MAX)
    created_by = StringField(db_field="createdBy")

    meta = {
        "collection": "quick_replies",
        "indexes": [{"fields": ["business_id", "created_at"]}],
    }
