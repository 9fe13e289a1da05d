"""Create the indexes of every collection."""

from app.models import ALL_DOCUMENTS


def up():
    for document in ALL_DOCUMENTS:
        document.ensure_indexes()
