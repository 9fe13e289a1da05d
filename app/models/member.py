from mongoengine import (
    BooleanField,
    DateTimeField,
    DictField,
    EmbeddedDocument,
    EmbeddedDocumentField,
    IntField,
    StringField,
)

from app import clock
from app.models.base import TimestampedDocument, id_field

PERMISSIONS = ("canReply", "canPublishChannel", "canManageMembers", "canManageSettings")
MEMBER_ROLES = ("owner", "manager", "operator", "viewer")


class Permissions(EmbeddedDocument):
    can_reply = BooleanField(db_field="canReply", default=False)
    can_publish_channel = BooleanField(db_field="canPublishChannel", default=False)
    can_manage_members = BooleanField(db_field="canManageMembers", default=False)
    can_manage_settings = BooleanField(db_field="canManageSettings", default=False)


class MemberRole(TimestampedDocument):
    """A role template; members without overrides get its permissions."""

    id = StringField(primary_key=True, choices=MEMBER_ROLES)
    title = StringField(required=True)
    rank = IntField(required=True)  # lower is more powerful
    permissions = EmbeddedDocumentField(Permissions, required=True)

    meta = {"collection": "member_roles"}


class BusinessMember(TimestampedDocument):
    id = id_field("mem")
    business_id = StringField(db_field="businessId", required=True)
    # None while this is an invitation: it grants nothing until the person with
    # `invited_phone` accepts it (app/businesses/invitations.py), before `expires_at`.
    user_id = StringField(db_field="userId")
    invited_phone = StringField(db_field="invitedPhone")
    expires_at = DateTimeField(db_field="expiresAt")  # an invitation's; none: cannot be accepted
    declined_at = DateTimeField(db_field="declinedAt")  # the invitee said no (is_active False)
    role = StringField(required=True, choices=MEMBER_ROLES)
    # Per-member overrides of the role's permissions: {"canReply": false, ...}
    permissions = DictField()
    invited_by = StringField(db_field="invitedBy")
    invited_at = DateTimeField(db_field="invitedAt", default=clock.now)
    joined_at = DateTimeField(db_field="joinedAt")
    is_active = BooleanField(db_field="isActive", default=True)
    on_duty = BooleanField(db_field="onDuty", default=False)  # invited by the bot

    meta = {
        "collection": "business_members",
        "indexes": [
            {"fields": ["business_id", "user_id"]},
            {"fields": ["user_id", "is_active"]},
            {"fields": ["invited_phone", "is_active"]},
        ],
    }
