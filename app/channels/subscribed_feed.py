"""A person's own feed: the posts of every channel they subscribe to, newest first, paged by
the same cursor as one channel's feed (posts.encode_cursor), in the same shape
(posts.shape_page) plus the business each post is from.

Which channels: those posts.visible lets a subscriber read (any business that is not
deleted, hidden ones included), less the blocked ones: a block by the moderators takes a
business off every page, and the feed is one. Five queries a page whatever its size or the
number of subscriptions: the subscriptions, their businesses, the posts, and shape_page's
authors and reactions.
"""

from dataclasses import dataclass, field

from app.businesses import subscriptions
from app.channels import posts
from app.lib import storage
from app.models import Business, ChannelPost, User


@dataclass
class FeedPage:
    posts: list[ChannelPost]
    businesses: dict[str, Business] = field(default_factory=dict)  # by id, for the page's posts
    next_cursor: str | None = None


def readable_businesses(user: User) -> dict[str, Business]:
    """{id: business} of the channels in `user`'s feed (only what a post card shows)."""
    ids = subscriptions.business_ids_of(user.id)
    if not ids:
        return {}
    found = Business.objects(id__in=ids, deleted_at=None, blocked__ne=True) \
        .only("id", "name", "slug", "logo")
    return {business.id: business for business in found}


def page(user: User, cursor: str | None = None, limit: int = 20) -> FeedPage:
    """A page of published, not deleted posts of `user`'s readable channels, newest first."""
    after = posts.decode_cursor(cursor) if cursor else None  # a bad one is a 422 always
    readable = readable_businesses(user)
    if not readable:
        return FeedPage([])
    query = {"businessId": {"$in": list(readable)}, "status": "published", "deletedAt": None}
    if after:
        at, last_id = after
        # The bound on feedAt keeps the read on the feed index ((businessId, status,
        # deletedAt, -feedAt, -_id), one range per channel merged in order); the $or only
        # settles the posts of the cursor's own millisecond.
        query["feedAt"] = {"$lte": at}
        query["$or"] = [{"feedAt": {"$lt": at}}, {"_id": {"$lt": last_id}}]
    # One more than a page tells whether there is a next page without counting.
    rows = list(ChannelPost.objects(__raw__=query).order_by("-feed_at", "-id").limit(limit + 1))
    found = rows[:limit]
    return FeedPage(found, {post.business_id: readable[post.business_id] for post in found},
                    posts.encode_cursor(found[-1]) if len(rows) > limit else None)


def shape(found: FeedPage, viewer: User) -> list[dict]:
    """The page's posts as the channel feed shows them, each with `business`."""
    shaped = posts.shape_page(found.posts, viewer)
    for item in shaped:
        business = found.businesses[item["businessId"]]
        item["business"] = {"id": business.id, "name": business.name, "slug": business.slug,
                            "logoUrl": storage.media_url(business.logo)}
    return shaped
