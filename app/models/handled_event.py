from mongoengine import BooleanField, DateTimeField, Document, StringField


class HandledEvent(Document):
    """A claimed key of the event log (app/lib/event_log.py) when no Redis is configured:
    `evt:<eventId>` for the consumer, `bot:<messageId>` for the bot. The unique _id makes a
    claim atomic; MongoDB drops the row once `expiresAt` has passed."""

    id = StringField(primary_key=True)
    expires_at = DateTimeField(db_field="expiresAt", required=True)
    # False while a consumer holds a short lease on it; True once handled.
    done = BooleanField(default=True)

    meta = {
        "collection": "handled_events",
        "auto_create_index": False,
        "indexes": [{"fields": ["expires_at"], "expireAfterSeconds": 0}],
    }
