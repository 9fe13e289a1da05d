"""Create the indexes of the embedded messaging store: chat users, dialogs, members, messages,
statuses and reactions."""

from app.models.messaging import MESSAGING_DOCUMENTS


def up():
    for document in MESSAGING_DOCUMENTS:
        document.ensure_indexes()
