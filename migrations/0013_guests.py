"""Create the indexes of widget guests."""

from app.models import Guest


def up():
    Guest.ensure_indexes()
