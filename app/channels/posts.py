"""A business's channel: who may read it, publishing (with optional pre-moderation), editing,
deleting, the feed with a cursor, and the one shape the API, the live stream, the landing page
and the cabinet show.

A post is written here; its delivery into the channel dialog of the messaging service runs as
a job (delivery.py), so publishing costs the same with 10 subscribers or 10,000, and the live
updates and notifications listen to PostPublished. Reactions and comments are in feedback.py.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _

from app import clock, db
from app.businesses import businesses, subscriptions
from app.businesses.permissions import (
    effective,
    get_business,
    is_lead,
    membership,
    require,
    require_lead,
)
from app.channels import delivery
from app.errors import AppError, Conflict, Forbidden, NotFound
from app.events import PostDeleted, PostEdited, PostPublished
from app.lib import event_bus, images, storage, text
from app.messaging import shapes
from app.models import (
    Business,
    BusinessMember,
    BusinessSettings,
    ChannelPost,
    ChannelReaction,
    Guest,
    User,
)

TEXT_MAX = 4000
LANDING_POSTS = 3
# The reactions a post takes: a short list, so counts stay readable and nothing odd is stored.
REACTIONS = ("👍", "❤️", "🔥", "😂", "😮", "😢", "👏", "🎉")


def topic(business_id: str) -> str:
    return f"channel:{business_id}"


def settings_of(business_id: str) -> dict[str, bool]:
    """{allowComments, allowReactions, moderationEnabled} as booleans (unset is off)."""
    found = BusinessSettings.objects(business_id=business_id).only("channel_settings").first()
    channel = found.channel_settings if found else None
    return {"allowComments": bool(channel and channel.allow_comments),
            "allowReactions": bool(channel and channel.allow_reactions),
            "moderationEnabled": bool(channel and channel.moderation_enabled)}


# --- who may read, who may moderate ----------------------------------------------------------

def visible(business_id: str, user: User | Guest | None) -> Business:
    """The business whose channel `user` (None: anonymous) may read: anybody for a business
    the public may see; its team always; its subscribers unless the platform blocked it (as
    their feed leaves it out). 404 for everyone else, so a guess confirms nothing."""
    business = get_business(business_id)
    if businesses.visible_to_public(business):
        return business
    if user is not None and (membership(business.id, user.id) is not None
                             or (not business.blocked and
                                 subscriptions.subscribed_ids(user.id, [business.id]))):
        return business
    raise NotFound("business_not_found", _("No such business."))


def can_view(user: User | Guest | None, business_id: str) -> bool:
    """For the live stream's `channel:<business id>` topics."""
    try:
        visible(business_id, user)
    except NotFound:
        return False
    return True


def abilities(member: BusinessMember | None) -> dict[str, bool]:
    """What a member (None: anyone else) may do in the channel."""
    publish = bool(member and effective(member)["canPublishChannel"])
    return {"canPublish": publish, "canModerate": publish and is_lead(member)}


# --- publishing --------------------------------------------------------------------------------

_now = shapes.now_ms


def create(business: Business, user: User, raw_text: object,
           image: bytes | None = None) -> ChannelPost:
    """A new post by a member with canPublishChannel. With pre-moderation on, a post by anyone
    but the owner or a manager waits (`pending`) for their approval."""
    member = require(business, user, "canPublishChannel")
    if business.blocked:
        raise Forbidden("business_unavailable", _("This business cannot publish now."))
    body = text.clean_text(raw_text, TEXT_MAX)
    key = None
    if image:
        key = images.store(image, images.POST, user.id)
    waits = settings_of(business.id)["moderationEnabled"] and not is_lead(member)
    now = _now()
    post = ChannelPost(business_id=business.id, author_id=user.id, text=body, image=key,
                       status="pending" if waits else "published", feed_at=now,
                       published_at=None if waits else now,
                       delivery=None if waits else "pending").save(force_insert=True)
    if not waits:
        _entered_feed(post)
    return post


def _entered_feed(post):
    delivery.request(post.id)
    _touch(post.business_id)
    event_bus.publish(PostPublished(post=post))


def _touch(business_id):
    # The landing page's cache key is the business's updatedAt: a feed change shows at once.
    Business.objects(id=business_id).update_one(set__updated_at=clock.now())


def review(business: Business, user: User, post_id: str, approve: bool) -> ChannelPost:
    """Approve (it enters the feed as of now) or reject a pending post."""
    require_lead(business, user, "canPublishChannel")  # they moderate
    now = _now()
    changes = {"set__status": "published", "set__feed_at": now, "set__published_at": now,
               "set__delivery": "pending"} if approve else {"set__status": "rejected"}
    done = ChannelPost.objects(id=post_id, business_id=business.id, status="pending",
                               deleted_at=None).update_one(
        set__reviewed_by=user.id, set__reviewed_at=now, set__updated_at=clock.now(), **changes)
    post = find(business, post_id, statuses=("pending", "published", "rejected"))
    if not done:
        raise Conflict("not_pending", _("This post is not waiting for approval."))
    if approve:
        _entered_feed(post)
    return post


def find(business: Business, post_id: str,
         statuses: tuple[str, ...] = ("pending", "published")) -> ChannelPost:
    post = db.reread_on_miss(lambda: ChannelPost.objects(
        id=post_id, business_id=business.id, deleted_at=None,
        status__in=list(statuses)).first()) if isinstance(post_id, str) else None
    if post is None:
        raise NotFound("post_not_found", _("No such post."))
    return post


def published(business: Business, post_id: str) -> ChannelPost:
    return find(business, post_id, statuses=("published",))


def _require_editor(business, user, post_id):
    """The post, if `user` may change it: its author or an owner or manager, with
    canPublishChannel."""
    member = require(business, user, "canPublishChannel")
    post = find(business, post_id)
    if not may_delete(member, user, post):
        raise Forbidden("forbidden", _("Only the author, the owner or a manager can do this."))
    return post, member


def _approved_lock(post, member, moderated):
    """With moderation on, an approved post is changed by the owner or a manager only:
    otherwise it could be turned into anything."""
    return moderated and post.status == "published" and not is_lead(member)


def may_delete(member: BusinessMember | None, user: User, post: ChannelPost) -> bool:
    """Whether `delete` lets `user` (their membership `member`) remove `post`, for pages
    that offer it: its author or an owner or manager, with canPublishChannel."""
    return (member is not None and effective(member)["canPublishChannel"]
            and (post.author_id == user.id or is_lead(member)))


def may_edit(member: BusinessMember | None, user: User, post: ChannelPost,
             moderated: bool) -> bool:
    """Whether `edit` lets them change it; `moderated`: settings_of(...)["moderationEnabled"]."""
    return may_delete(member, user, post) and not _approved_lock(post, member, moderated)


def edit(business: Business, user: User, post_id: str, raw_text: object) -> ChannelPost:
    post, member = _require_editor(business, user, post_id)
    if _approved_lock(post, member, settings_of(business.id)["moderationEnabled"]):
        raise Forbidden("moderated", _("Posts are checked before publishing: ask the owner or "
                                       "a manager to change this one."))
    body = text.clean_text(raw_text, TEXT_MAX)
    changes = {"set__delivery": "pending"} if post.status == "published" else {}
    ChannelPost.objects(id=post.id).update_one(set__text=body, set__edited_at=_now(),
                                               set__updated_at=clock.now(), inc__version=1,
                                               **changes)
    post.reload()
    if post.status == "published":
        delivery.request(post.id)  # the channel dialog's copy follows the edit
        _touch(business.id)
        event_bus.publish(PostEdited(post=post))
    return post


def delete(business: Business, user: User, post_id: str) -> None:
    """A soft delete: the post leaves the feed at once."""
    post, _member = _require_editor(business, user, post_id)
    ChannelPost.objects(id=post.id, deleted_at=None).update_one(
        set__deleted_at=clock.now(), set__deleted_by=user.id, set__updated_at=clock.now())
    if post.status == "published":
        _touch(business.id)
        event_bus.publish(PostDeleted(business_id=business.id, post_id=post.id))


# --- reading -------------------------------------------------------------------------------------

def feed(business_id: str, user: User | None, status: str = "published",
         cursor: str | None = None,
         limit: int = 20) -> tuple[Business, list[ChannelPost], str | None]:
    """(business, a page of posts newest first, the next cursor or None). Pending posts only
    for the owner and managers."""
    business = visible(business_id, user)
    if status != "published":
        require_lead(business, user, "canPublishChannel")  # they moderate
    query = {"businessId": business.id, "status": status, "deletedAt": None}
    if cursor:
        at, last_id = decode_cursor(cursor)
        query["$or"] = [{"feedAt": {"$lt": at}}, {"feedAt": at, "_id": {"$lt": last_id}}]
    # One more than a page tells whether there is a next page without counting.
    rows = list(ChannelPost.objects(__raw__=query).order_by("-feed_at", "-id").limit(limit + 1))
    page = rows[:limit]
    return business, page, encode_cursor(page[-1]) if len(rows) > limit else None


def latest(business_id: str, count: int = LANDING_POSTS) -> list[ChannelPost]:
    """The newest published posts (documents), for the landing page."""
    return list(ChannelPost.objects(business_id=business_id, status="published",
                                    deleted_at=None).order_by("-feed_at", "-id").limit(count))


def encode_cursor(post: ChannelPost) -> str:
    return shapes.encode_cursor(post.feed_at, post.id)


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        return shapes.decode_cursor(cursor)
    except ValueError:
        raise AppError("invalid_cursor", _("The cursor is not one from a previous page."),
                       status=422, details={"fields": [{"field": "cursor"}]}) from None


def shape_page(posts: list[ChannelPost], viewer: User | None = None) -> list[dict]:
    """The posts as the API shows them, with two lookups for the whole page (authors, and the
    viewer's reactions); `myReactions` is null for an anonymous viewer."""
    authors = {u.id: u for u in User.objects(id__in=list({p.author_id for p in posts}))
               .only("id", "name", "phone")}
    mine = {}
    if viewer is not None and posts:
        for row in ChannelReaction.objects(user_id=viewer.id,
                                           post_id__in=[p.id for p in posts]):
            mine.setdefault(row.post_id, []).append(row.emoji)
    return [{
        "id": post.id,
        "businessId": post.business_id,
        "text": post.text,
        "imageUrl": storage.media_url(post.image),
        "author": {"id": post.author_id,
                   "name": authors[post.author_id].name if post.author_id in authors else None},
        "status": post.status,
        "createdAt": clock.isoformat(post.created_at),
        "publishedAt": clock.isoformat(post.published_at),
        "editedAt": clock.isoformat(post.edited_at),
        "reactionCounts": {k: v for k, v in (post.reaction_counts or {}).items() if v > 0},
        "myReactions": sorted(mine.get(post.id, []), key=_order) if viewer is not None else None,
        "commentCount": post.comment_count,
    } for post in posts]


def _order(emoji):
    return REACTIONS.index(emoji) if emoji in REACTIONS else len(REACTIONS)
