"""A device that receives push notifications: for Web Push, one browser's subscription.

`token` is the subscription's endpoint (the plan's push token): it names the device at its
push service, so there is one row per endpoint, whoever registered it last. `keys` are the
browser's P-256 public key and auth secret that every payload is encrypted for.
"""

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


class PushKeys(EmbeddedDocument):
    p256dh = StringField(required=True)  # base64url, as the browser gives it
    auth = StringField(required=True)


class PushToken(TimestampedDocument):
    id = id_field("psh")
    user_id = StringField(db_field="userId", required=True)
    token = StringField(required=True)  # for Web Push: the subscription's endpoint URL
    keys = EmbeddedDocumentField(PushKeys)
    platform = StringField(choices=("web", "ios", "android"), default="web")
    # Which of our apps subscribed it: the public site's (scope "/") or the cabinet's (the
    # team's own app, scope "/cabinet/"). Team news prefers the cabinet's.
    app = StringField(choices=("site", "cabinet"), default="site")
    device_id = StringField(db_field="deviceId")
    # The language of the pages it was registered from: the notifications' language.
    language = StringField()
    preferences = EmbeddedDocumentField(PushPreferences, default=PushPreferences)
    last_used_at = DateTimeField(db_field="lastUsedAt")

    meta = {
        "collection": "push_tokens",
        "indexes": [{"fields": ["token"], "unique": True}, {"fields": ["user_id"]}],
    }
