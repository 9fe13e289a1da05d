"""A customer↔business conversation as the platform sees it: who, which business, the dialog
in the messaging service that holds its messages, and what the inbox needs without asking
that service (last message, unread counters, status, assignment, the bot's state)."""

from enum import StrEnum

from mongoengine import (
    BooleanField,
    DateTimeField,
    DictField,
    IntField,
    ListField,
    StringField,
)

from app.models.base import TimestampedDocument, id_field

CONVERSATION_STATUSES = ("open", "archived")


class SenderKind(StrEnum):
    """Who wrote a message of a customer dialog, as stored (`lastMessage.kind`, the message's
    `meta.side`) and shown (`sender.kind`)."""

    CUSTOMER = "customer"
    TEAM = "team"
    BOT = "bot"


class Conversation(TimestampedDocument):
    id = id_field("cnv")
    business_id = StringField(db_field="businessId", required=True)
    customer_id = StringField(db_field="customerId", required=True)
    chat_dialog_id = StringField(db_field="mms3DialogId")  # None until the dialog is created
    creating_until = DateTimeField(db_field="creatingUntil")  # a lease on creating the dialog
    status = StringField(choices=CONVERSATION_STATUSES, default="open")  # the team's side
    customer_archived = BooleanField(db_field="customerArchived", default=False)
    assigned_to = StringField(db_field="assignedTo")
    participants = ListField(StringField())  # team members who joined the dialog
    # Kept by the writes, never counted on read: {userId: n}, and the team inbox's badge.
    unread = DictField()
    team_unread = IntField(db_field="teamUnread", default=0)
    last_message = DictField(db_field="lastMessage")  # {id, text, senderId, kind, at}
    last_message_at = DateTimeField(db_field="lastMessageAt")
    customer_messages = IntField(db_field="customerMessages", default=0)
    greeted = BooleanField(default=False)
    escalated = BooleanField(default=False)
    first_human_reply_at = DateTimeField(db_field="firstHumanReplyAt")
    last_human_reply_at = DateTimeField(db_field="lastHumanReplyAt")

    meta = {
        "collection": "conversations",
        "indexes": [
            # One conversation per customer and business; it also settles start-dialog races.
            {"fields": ["business_id", "customer_id"], "unique": True},
            {"fields": ["chat_dialog_id"]},
            {"fields": ["customer_id", "-last_message_at"]},
            {"fields": ["participants", "-last_message_at"]},
            {"fields": ["business_id", "status", "-last_message_at"]},
            {"fields": ["business_id", "created_at"]},  # dialogs per day
        ],
    }


class CustomerBlock(TimestampedDocument):
    """A customer a business refuses messages from until `until`."""

    id = id_field("blk")
    business_id = StringField(db_field="businessId", required=True)
    user_id = StringField(db_field="userId", required=True)
    until = DateTimeField(required=True)
    reason = StringField(max_length=300)
    blocked_by = StringField(db_field="blockedBy")

    meta = {
        "collection": "customer_blocks",
        "indexes": [{"fields": ["business_id", "user_id"], "unique": True}],
    }
