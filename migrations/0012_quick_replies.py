"""Create the index of the businesses' quick replies."""

from app.models import QuickReply


def up():
    QuickReply.ensure_indexes()
