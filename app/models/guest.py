from mongoengine import DateTimeField, StringField

from app.models.base import TimestampedDocument, id_field


class Guest(TimestampedDocument):
    """A widget visitor who has not signed in: an anonymous session of one business's widget,
    or a customer the business's own server vouched for (identity verification)."""

    id = id_field("gst")
    business_id = StringField(db_field="businessId", required=True)
    secret_hash = StringField(db_field="secretHash", required=True)  # sha256 of the secret
    external_id = StringField(db_field="externalId")  # set when verified by the business
    name = StringField(max_length=64)
    merged_into = StringField(db_field="mergedInto")  # the user who claimed this guest
    last_seen_at = DateTimeField(db_field="lastSeenAt")

    phone = None  # guests have no phone; chat names fall back to a short code

    meta = {
        "collection": "guests",
        "indexes": [
            # One guest per customer a business vouched for; anonymous guests have no id.
            {"fields": ["business_id", "external_id"], "unique": True,
             "partialFilterExpression": {"externalId": {"$exists": True}}},
            {"fields": ["created_at"]},
        ],
    }

    @property
    def is_guest(self):
        return True
