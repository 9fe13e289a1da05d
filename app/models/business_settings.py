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


class WidgetSettings(EmbeddedDocument):
    """The embeddable chat widget of a business (issue 6)."""

    color = StringField(regex=r"^#[0-9a-fA-F]{6}$")
    position = StringField(choices=("left", "right"))
    launcher_text = StringField(db_field="launcherText", max_length=40)
    away_message = StringField(db_field="awayMessage", max_length=1000)
    # Pixels between the launcher and the bottom of the visitor's screen (None: the default).
    bottom_offset = IntField(db_field="bottomOffset", min_value=0, max_value=400)
    # Origins (scheme://host[:port]) allowed to frame the widget: CSP frame-ancestors.
    allowed_origins = ListField(StringField(max_length=200), db_field="allowedOrigins")
    # The business's server signs its customer's id with this (HMAC-SHA256).
    identity_secret = StringField(db_field="identitySecret")
    # "Mandatory": only verified customers or phone sign-in; no anonymous guests.
    identity_required = BooleanField(db_field="identityRequired", default=False)


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
    widget = EmbeddedDocumentField(WidgetSettings, default=WidgetSettings)

    meta = {
        "collection": "business_settings",
        "indexes": [{"fields": ["business_id"], "unique": True}],
    }
