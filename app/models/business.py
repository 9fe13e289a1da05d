from mongoengine import (
    BooleanField,
    DateTimeField,
    EmbeddedDocument,
    EmbeddedDocumentField,
    IntField,
    ListField,
    PointField,
    StringField,
)

from app.models.base import TimestampedDocument, id_field
from app.models.sync_state import ChatSync


class Location(EmbeddedDocument):
    address = StringField(max_length=300)
    point = PointField(auto_index=False)  # GeoJSON [lng, lat]


class Business(TimestampedDocument):
    id = id_field("biz")
    owner_id = StringField(db_field="ownerId", required=True)
    name = StringField(required=True, max_length=120)
    description = StringField(max_length=2000, default="")
    logo = StringField()  # storage key
    slug = StringField(required=True)  # lower case
    previous_slugs = ListField(StringField(), db_field="previousSlugs")  # still redirect here
    category_ids = ListField(StringField(), db_field="categoryIds")
    # The folded words of the name and description, matched by prefix (app/lib/search_text.py).
    search_words = ListField(StringField(), db_field="searchWords")
    location = EmbeddedDocumentField(Location)
    qr_code = StringField(db_field="qrCode")  # short permanent code behind /q/<code>
    qr_downloaded_at = DateTimeField(db_field="qrDownloadedAt")  # first download by the team
    is_public = BooleanField(db_field="isPublic", default=True)
    is_active = BooleanField(db_field="isActive", default=True)
    blocked = BooleanField(default=False)
    blocked_reason = StringField(db_field="blockedReason")
    hidden = BooleanField(db_field="hidden", default=False)  # hidden by a moderator
    subscriber_count = IntField(db_field="subscriberCount", default=0)
    chat_bot_id = StringField(db_field="mms3BotId")
    chat_channel_id = StringField(db_field="mms3ChannelDialogId")
    chat_sync = EmbeddedDocumentField(ChatSync, db_field="chatSync")  # bot and channel
    deleted_at = DateTimeField(db_field="deletedAt")

    meta = {
        "collection": "businesses",
        "indexes": [
            {"fields": ["slug"], "unique": True},
            {"fields": ["previous_slugs"]},
            {"fields": ["search_words"]},  # the catalog's text search, by word prefix
            {"fields": ["qr_code"], "unique": True, "sparse": True},
            {"fields": ["owner_id", "deleted_at"]},
            {"fields": ["category_ids", "-subscriber_count"]},
            # The catalog's public filter (equalities, then hidden's $ne), then its order.
            {"fields": ["is_public", "is_active", "blocked", "deleted_at", "hidden",
                        "-subscriber_count"]},
            {"fields": [("location.point", "2dsphere")]},
            {"fields": ["created_at"]},  # the dashboard's new businesses per day
            {"fields": ["deleted_at", "-subscriber_count"]},  # its top 10 by subscribers
        ],
    }
