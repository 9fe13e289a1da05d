"""Create the indexes of channel posts, their reactions and comments."""

from app.models.channel import CHANNEL_DOCUMENTS


def up():
    for document in CHANNEL_DOCUMENTS:
        document.ensure_indexes()
