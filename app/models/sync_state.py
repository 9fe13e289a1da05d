from mongoengine import DateTimeField, EmbeddedDocument, IntField, StringField

SYNC_STATES = ("pending", "done", "failed")


class ChatSync(EmbeddedDocument):
    """Where provisioning in the messaging service stands for a user or a business."""

    state = StringField(choices=SYNC_STATES, default="pending")
    attempts = IntField(default=0)
    last_error = StringField(db_field="lastError")
    updated_at = DateTimeField(db_field="updatedAt")
