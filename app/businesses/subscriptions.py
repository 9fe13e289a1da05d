"""Subscriptions to businesses: idempotent, one per person and business, with the business's
subscriber count kept current by the same operations."""

from collections.abc import Collection
from datetime import datetime

from mongoengine import NotUniqueError

from app.businesses.permissions import require_member
from app.events import SubscriptionChanged
from app.lib import event_bus
from app.models import Business, Subscription, User


def subscribe(user: User, business: Business) -> int:
    """Subscribe; doing it again changes nothing. Returns the current subscriber count."""
    try:
        Subscription(user_id=user.id, business_id=business.id).save(force_insert=True)
    except NotUniqueError:
        pass  # already subscribed: nothing to count
    else:
        Business.objects(id=business.id).update_one(inc__subscriber_count=1)
        event_bus.publish(SubscriptionChanged(business_id=business.id, user_id=user.id,
                                              subscribed=True))
    return _count(business)


def unsubscribe(user: User, business: Business) -> int:
    removed = Subscription.objects(user_id=user.id, business_id=business.id).delete()
    if removed:
        Business.objects(id=business.id).update_one(inc__subscriber_count=-removed)
        event_bus.publish(SubscriptionChanged(business_id=business.id, user_id=user.id,
                                              subscribed=False))
    return _count(business)


def _count(business):
    return Business.objects(id=business.id).only("subscriber_count").first().subscriber_count


def subscribed_ids(user_id: str | None, business_ids: Collection[str]) -> set[str]:
    """The ids among `business_ids` that the user is subscribed to: one query for a page."""
    if not user_id or not business_ids:
        return set()
    found = Subscription._get_collection().find(
        {"userId": user_id, "businessId": {"$in": list(business_ids)}}, {"businessId": 1})
    return {row["businessId"] for row in found}


def business_ids_of(user_id: str) -> list[str]:
    """The ids of every business the user is subscribed to (the unique (userId, businessId)
    index answers it alone), for a feed that reads all of them at once."""
    found = Subscription._get_collection().find({"userId": user_id}, {"businessId": 1, "_id": 0})
    return [row["businessId"] for row in found]


def of_user(user_id: str, page: int, limit: int) -> tuple[list[tuple[Business, datetime]], int]:
    """[(business, subscribed_at)] newest first, leaving out businesses the public cannot see."""
    query = Subscription.objects(user_id=user_id).order_by("-created_at")
    total = query.count()
    rows = list(query.skip((page - 1) * limit).limit(limit))
    businesses = {b.id: b for b in Business.objects(
        id__in=[r.business_id for r in rows], deleted_at=None, blocked=False, hidden__ne=True)}
    return [(businesses[r.business_id], r.created_at) for r in rows
            if r.business_id in businesses], total


def subscribers(business: Business, actor: User, page: int,
                limit: int) -> tuple[list[tuple[User, datetime]], int]:
    """[(user, subscribed_at)] newest first; the team only."""
    require_member(business, actor)
    query = Subscription.objects(business_id=business.id).order_by("-created_at")
    total = query.count()
    rows = list(query.skip((page - 1) * limit).limit(limit))
    people = {u.id: u for u in User.objects(id__in=[r.user_id for r in rows])}
    return [(people[r.user_id], r.created_at) for r in rows if r.user_id in people], total
