from mongoengine import DateTimeField, Document, IntField, StringField

from app import clock
from app.models.base import id_field

SMS_STATES = ("queued", "sent", "failed")


class SmsCode(Document):
    """A sign-in code. Only a keyed hash of the digits is kept."""

    phone = StringField(required=True)
    code_hash = StringField(db_field="codeHash", required=True)
    attempts = IntField(default=0)
    created_at = DateTimeField(db_field="createdAt", default=clock.now, required=True)
    expires_at = DateTimeField(db_field="expiresAt", required=True)
    used_at = DateTimeField(db_field="usedAt")

    meta = {
        "collection": "sms_codes",
        "auto_create_index": False,
        "indexes": [
            {"fields": ["phone", "-created_at"]},
            # MongoDB deletes a code once it has expired.
            {"fields": ["expires_at"], "expireAfterSeconds": 0},
        ],
    }


class SmsMessage(Document):
    """The SMS log: what was sent to whom, through which provider, and how it went. No text."""

    id = id_field("sms")
    phone = StringField(required=True)
    purpose = StringField(required=True)
    provider = StringField(required=True)
    status = StringField(choices=SMS_STATES, default="queued")
    attempts = IntField(default=0)
    error = StringField()
    provider_message_id = StringField(db_field="providerMessageId")
    created_at = DateTimeField(db_field="createdAt", default=clock.now, required=True)
    sent_at = DateTimeField(db_field="sentAt")

    meta = {
        "collection": "sms_log",
        "auto_create_index": False,
        "indexes": [{"fields": ["-created_at"]}, {"fields": ["phone", "-created_at"]}],
    }
