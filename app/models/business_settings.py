from mongoengine import (
    BooleanField,
    DictField,
    EmbeddedDocument,
    EmbeddedDocumentField,
    IntField,
    ListField,
    StringField,
)

from app.models.base import TimestampedDocument


class ChannelSettings(EmbeddedDocument):
    allow_comments = BooleanField(db_field="allowComments")
    allow_reactions = BooleanField(db_field="allowReactions")
    moderation_enabled = BooleanField(db_field="moderationEnabled")


class BusinessSettings(TimestampedDocument):
    business_id = StringField(db_field="businessId", required=True)
    # Unset fields stay None, and the API shows them as null.
    auto_reply_enabled = BooleanField(db_field="autoReplyEnabled")
    auto_reply_message = StringField(db_field="autoReplyMessage", max_length=1000)
    invite_owner_on_keywords = ListField(StringField(max_length=64),
                                         db_field="inviteOwnerOnKeywords", default=None)
    channel_settings = EmbeddedDocumentField(ChannelSettings, db_field="channelSettings")
    greeting = StringField(max_length=1000)
    # {"timezone": "Europe/Moscow", "days": {"mon": [["09:00", "18:00"]], ...}}
    business_hours = DictField(db_field="businessHours", default=None)
    # After a team member answers, the bot keeps quiet in that dialog this long.
    human_quiet_minutes = IntField(db_field="humanQuietMinutes", min_value=0, max_value=10080)

    meta = {
        "collection": "business_settings",
        "indexes": [{"fields": ["business_id"], "unique": True}],
    }
