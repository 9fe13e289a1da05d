"""Conversations stored by the embedded messaging adapter, in the shape of mms3's entities
(MMS3_CONTRACT.md): chat users, dialogs, their members, messages, statuses and reactions.

The contract calls an entity's key/value tags `meta`; mongoengine reserves that attribute for
the class's settings, so the field is `tags` in Python and `meta` in the database.
"""

from mongoengine import (
    BooleanField,
    DateTimeField,
    DictField,
    Document,
    IntField,
    StringField,
)

from app import clock
from app.models.base import id_field

CHAT_USER_TYPES = ("user", "bot")
MESSAGE_STATUSES = ("unread", "delivered", "read")


class ChatUser(Document):
    id = StringField(primary_key=True)  # the contract's userId: a platform id or bot_<biz>
    name = StringField()
    type = StringField(required=True, choices=CHAT_USER_TYPES, default="user")
    created_at = DateTimeField(db_field="createdAt", default=clock.now, required=True)

    meta = {"collection": "chat_users", "auto_create_index": False}


class ChatDialog(Document):
    id = id_field("dlg")
    name = StringField()
    created_by = StringField(db_field="createdBy")
    tags = DictField(db_field="meta")  # type, businessId, clientId, …
    created_at = DateTimeField(db_field="createdAt", default=clock.now, required=True)
    updated_at = DateTimeField(db_field="updatedAt", default=clock.now, required=True)
    last_message_at = DateTimeField(db_field="lastMessageAt")

    meta = {
        "collection": "dialogs",
        "auto_create_index": False,
        "indexes": [
            {"fields": ["tags.businessId", "tags.type"]},  # a business's channel and dialogs
            {"fields": ["created_at"]},  # the dashboard's per-day series
        ],
    }


class ChatMember(Document):
    id = id_field("dmb")
    chat_dialog_id = StringField(db_field="dialogId", required=True)
    user_id = StringField(db_field="userId", required=True)
    type = StringField(required=True, choices=CHAT_USER_TYPES, default="user")
    # Kept by the writes (+1 on every post by someone else, 0 on read), never counted on read.
    unread_count = IntField(db_field="unreadCount", default=0, min_value=0)
    last_seen_at = DateTimeField(db_field="lastSeenAt")
    last_message_at = DateTimeField(db_field="lastMessageAt")
    is_active = BooleanField(db_field="isActive", default=True)
    created_at = DateTimeField(db_field="createdAt", default=clock.now, required=True)

    meta = {
        "collection": "dialog_members",
        "auto_create_index": False,
        "indexes": [
            {"fields": ["chat_dialog_id", "user_id"], "unique": True},
            {"fields": ["user_id", "is_active", "-last_message_at"]},  # a user's dialog list
        ],
    }


class ChatMessage(Document):
    id = id_field("msg")
    chat_dialog_id = StringField(db_field="dialogId", required=True)
    sender_id = StringField(db_field="senderId", required=True)
    type = StringField(required=True, default="internal.text")
    content = StringField(default="")
    tags = DictField(db_field="meta")  # e.g. authorId of a channel post
    created_at = DateTimeField(db_field="createdAt", default=clock.now, required=True)
    edited_at = DateTimeField(db_field="editedAt")
    reaction_counts = DictField(db_field="reactionCounts")  # {"👍": 2}, kept by set/unset

    meta = {
        "collection": "messages",
        "auto_create_index": False,
        "indexes": [
            # The cursor: newest first by (createdAt, _id) within a dialog.
            {"fields": ["chat_dialog_id", "-created_at", "-id"]},
            {"fields": ["created_at"]},  # the dashboard's per-day series
        ],
    }


class ChatMessageStatus(Document):
    id = id_field("mst")
    message_id = StringField(db_field="messageId", required=True)
    chat_dialog_id = StringField(db_field="dialogId", required=True)
    user_id = StringField(db_field="userId", required=True)
    status = StringField(required=True, choices=MESSAGE_STATUSES)
    at = DateTimeField(default=clock.now, required=True)

    meta = {
        "collection": "message_statuses",
        "auto_create_index": False,
        "indexes": [{"fields": ["message_id", "user_id"], "unique": True}],
    }


class ChatMessageReaction(Document):
    id = id_field("mrx")
    message_id = StringField(db_field="messageId", required=True)
    user_id = StringField(db_field="userId", required=True)
    reaction = StringField(required=True)
    created_at = DateTimeField(db_field="createdAt", default=clock.now, required=True)

    meta = {
        "collection": "message_reactions",
        "auto_create_index": False,
        "indexes": [{"fields": ["message_id", "user_id", "reaction"], "unique": True}],
    }


MESSAGING_DOCUMENTS = (ChatUser, ChatDialog, ChatMember, ChatMessage, ChatMessageStatus,
                       ChatMessageReaction)
