"""Create the indexes the dashboard's per-day series and top lists use."""

from app.models import Business, Subscription, User


def up():
    for document in (User, Business, Subscription):
        document.ensure_indexes()
