"""Reactions to channel posts and comments under them, each only while the business's channel
settings allow it, from signed-in people who may read the channel. Counts on the post move
with the writes, so a feed never counts."""

from flask import current_app
from flask_babel import lazy_gettext as _
from mongoengine import NotUniqueError

from app import clock
from app.businesses import customer_blocks
from app.businesses.permissions import is_lead, membership
from app.channels import posts
from app.errors import AppError, Forbidden, NotFound
from app.events import CommentAdded, CommentDeleted, ReactionsChanged
from app.lib import event_bus, rate_limits, text
from app.models import ChannelComment, ChannelPost, ChannelReaction, User

COMMENT_MAX = 1000


def _require_allowed(business, setting, code, message):
    if not posts.settings_of(business.id)[setting]:
        raise Forbidden(code, message)


# --- reactions -----------------------------------------------------------------------------------

def react(business_id: str, user: User, post_id: str, emoji: str, action: str) -> dict:
    """Set or unset the user's `emoji` on a published post (again: no change). Returns
    {reactionCounts, myReactions}."""
    business = posts.visible(business_id, user)
    _require_allowed(business, "allowReactions", "reactions_off",
                     _("This channel does not take reactions."))
    if emoji not in posts.REACTIONS:
        raise AppError("validation_error", _("Choose one of the offered reactions."), status=422,
                       details={"fields": [{"field": "emoji"}],
                                "allowed": list(posts.REACTIONS)})
    post = posts.published(business, post_id)
    if action == "set":
        try:
            ChannelReaction(post_id=post.id, user_id=user.id, emoji=emoji).save(
                force_insert=True)
            changed = True
        except NotUniqueError:
            changed = False
    else:
        changed = ChannelReaction.objects(post_id=post.id, user_id=user.id,
                                          emoji=emoji).delete() > 0
    # The reaction documents are the truth; the count moves only when one really changed.
    if changed:
        collection = ChannelPost._get_collection()
        key = f"reactionCounts.{emoji}"
        collection.update_one({"_id": post.id}, {"$inc": {key: 1 if action == "set" else -1}})
        collection.update_one({"_id": post.id, key: {"$lte": 0}}, {"$unset": {key: ""}})
    post.reload()
    shaped = posts.shape_page([post], user)[0]
    if changed:
        event_bus.publish(ReactionsChanged(business_id=business.id, post_id=post.id,
                                           reaction_counts=shaped["reactionCounts"]))
    return {"reactionCounts": shaped["reactionCounts"], "myReactions": shaped["myReactions"]}


# --- comments ------------------------------------------------------------------------------------

def _comments_allowed(business):
    _require_allowed(business, "allowComments", "comments_off",
                     _("This channel does not take comments."))


def comments(business_id: str, user: User | None, post_id: str, page: int,
             limit: int) -> tuple[list[dict], int]:
    """([comment], total) of a published post, oldest first."""
    business = posts.visible(business_id, user)
    _comments_allowed(business)
    return comments_of(posts.published(business, post_id), page, limit)


def comments_of(post: ChannelPost, page: int, limit: int) -> tuple[list[dict], int]:
    """The same without the checks, for the cabinet (which shows them even when switched off)."""
    query = ChannelComment.objects(post_id=post.id, deleted_at=None).order_by("created_at", "id")
    total = query.count()
    return shape_comments(list(query.skip((page - 1) * limit).limit(limit))), total


def add_comment(business_id: str, user: User, post_id: str, raw_text: object) -> dict:
    business = posts.visible(business_id, user)
    _comments_allowed(business)
    post = posts.published(business, post_id)
    body = text.clean_text(raw_text, COMMENT_MAX)
    rate_limits.hit(current_app.config["MESSAGES_PER_MINUTE"], "comment", user.id,
                    _("You are writing too fast. Wait a moment."))
    customer_blocks.check(business.id, user.id)
    comment = ChannelComment(post_id=post.id, business_id=business.id, author_id=user.id,
                             text=body).save(force_insert=True)
    ChannelPost.objects(id=post.id).update_one(inc__comment_count=1)
    shaped = shape_comments([comment])[0]
    event_bus.publish(CommentAdded(business_id=business.id, comment=shaped))
    return shaped


def delete_comment(business_id: str, user: User, post_id: str, comment_id: str) -> None:
    """By its author, or by the business's owner or a manager (soft: it leaves the list)."""
    business = posts.visible(business_id, user)
    post = posts.published(business, post_id)
    comment = ChannelComment.objects(id=comment_id, post_id=post.id, deleted_at=None).first() \
        if isinstance(comment_id, str) else None
    if comment is None:
        raise NotFound("comment_not_found", _("No such comment."))
    if comment.author_id != user.id and \
            not is_lead(membership(business.id, user.id)):
        raise Forbidden("forbidden", _("Only the author, the owner or a manager can do this."))
    if ChannelComment.objects(id=comment.id, deleted_at=None).update_one(
            set__deleted_at=clock.now(), set__deleted_by=user.id):
        ChannelPost.objects(id=post.id).update_one(dec__comment_count=1)
        event_bus.publish(CommentDeleted(business_id=business.id, post_id=post.id,
                                         comment_id=comment.id))


def shape_comments(rows: list[ChannelComment]) -> list[dict]:
    authors = {u.id: u for u in User.objects(id__in=list({c.author_id for c in rows}))
               .only("id", "name", "phone")}
    return [{
        "id": row.id,
        "postId": row.post_id,
        "text": row.text,
        "author": {"id": row.author_id,
                   # Their name only: a comment is public, a phone's digits are not.
                   "name": authors[row.author_id].name if row.author_id in authors else None},
        "createdAt": clock.isoformat(row.created_at),
    } for row in rows]
