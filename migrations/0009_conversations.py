"""Create the indexes of conversations and customer blocks."""

from app.models import Conversation, CustomerBlock


def up():
    Conversation.ensure_indexes()
    CustomerBlock.ensure_indexes()
