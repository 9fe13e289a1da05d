from mongoengine import (
    BooleanField,
    DateTimeField,
    EmbeddedDocumentField,
    ListField,
    StringField,
)

from app.models.base import TimestampedDocument, id_field
from app.models.sync_state import ChatSync

PLATFORM_ROLES = ("superadmin", "moderator", "support")


class User(TimestampedDocument):
    id = id_field("usr")
    phone = StringField(required=True)  # E.164, immutable
    name = StringField(max_length=64)
    avatar = StringField(db_field="avatar")  # storage key of an uploaded avatar
    last_login_at = DateTimeField(db_field="lastLoginAt")
    is_active = BooleanField(db_field="isActive", default=True)
    is_blocked = BooleanField(db_field="isBlocked", default=False)
    blocked_reason = StringField(db_field="blockedReason")
    platform_roles = ListField(StringField(choices=PLATFORM_ROLES), db_field="platformRoles")
    chat_sync = EmbeddedDocumentField(ChatSync, db_field="chatSync")  # the chat user's

    meta = {
        "collection": "users",
        "indexes": [
            {"fields": ["phone"], "unique": True},
            {"fields": ["platform_roles"]},
            {"fields": ["created_at"]},  # the dashboard's sign-ups per day
        ],
    }
