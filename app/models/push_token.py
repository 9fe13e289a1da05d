from mongoengine import (
    BooleanField,
    DateTimeField,
    EmbeddedDocument,
    EmbeddedDocumentField,
    StringField,
)

from app.models.base import TimestampedDocument, id_field


class PushPreferences(EmbeddedDocument):
    new_message = BooleanField(db_field="newMessage", default=True)
    channel_update = BooleanField(db_field="channelUpdate", default=True)
    mentions = BooleanField(default=True)


class PushToken(TimestampedDocument):
    id = id_field("psh")
    user_id = StringField(db_field="userId", required=True)
    token = StringField(required=True)  # for Web Push: the subscription JSON
    platform = StringField(choices=("web", "ios", "android"), default="web")
    device_id = StringField(db_field="deviceId")
    preferences = EmbeddedDocumentField(PushPreferences, default=PushPreferences)
    last_used_at = DateTimeField(db_field="lastUsedAt")

    meta = {
        "collection": "push_tokens",
        "indexes": [{"fields": ["token"], "unique": True}, {"fields": ["user_id"]}],
    }
