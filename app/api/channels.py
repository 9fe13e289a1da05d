"""A business's channel: the channel itself, its feed (public for public businesses), posting,
pre-moderation, editing and deleting posts, reactions and comments; and my feed, the posts of
every channel I subscribe to."""

from typing import Annotated, Literal

from flask import Blueprint, request
from flask_babel import lazy_gettext as _
from pydantic import Field, ValidationError

from app.api.guard import Unauthorized, login_required, me, optional_login
from app.api.presenters import business_public
from app.api.responses import ok, paginated, responds
from app.api.validation import Body, Paging, Query, _invalid, body, query, read_json
from app.businesses import subscriptions
from app.businesses.permissions import get_business, membership
from app.channels import feedback, posts, subscribed_feed
from app.errors import AppError

bp = Blueprint("channels", __name__)

_POSTS = "/businesses/<id(biz):business_id>/channel/messages"
_POST = _POSTS + "/<message_id>"


class FeedQuery(Query):
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    cursor: Annotated[str, Field(max_length=200)] | None = None
    status: Literal["published", "pending"] = "published"


class MyFeedQuery(Query):
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    cursor: Annotated[str, Field(max_length=200)] | None = None


class NewPost(Body):
    """Send as application/json, or as multipart/form-data with the same `text` field and an
    optional `image` file (JPEG, PNG or WebP up to 5 MB; stored re-encoded as WebP)."""

    text: Annotated[str, Field(min_length=1, max_length=posts.TEXT_MAX)]


class EditedPost(Body):
    text: Annotated[str, Field(min_length=1, max_length=posts.TEXT_MAX)]


class Reaction(Body):
    emoji: Annotated[str, Field(min_length=1, max_length=16,
                                description="One of: " + " ".join(posts.REACTIONS))]
    action: Literal["set", "unset"] = "set"


class NewComment(Body):
    text: Annotated[str, Field(min_length=1, max_length=feedback.COMMENT_MAX)]


def _post_view(post):
    return posts.shape_page([post], me())[0]


@bp.get("/businesses/<id(biz):business_id>/channel")
@optional_login
def channel(business_id):
    """The channel: the business, its subscribers, its settings, and what I may do."""
    business = posts.visible(business_id, me())
    member = membership(business.id, me().id) if me() else None
    return ok({
        "business": business_public(business),
        "subscriberCount": business.subscriber_count,
        "settings": posts.settings_of(business.id),
        "reactions": list(posts.REACTIONS),
        "subscribed": business.id in subscriptions.subscribed_ids(me() and me().id,
                                                                  [business.id]),
        **posts.abilities(member),
    })


@bp.get(_POSTS)
@optional_login
@query(FeedQuery)
def feed(params, business_id):
    """The feed, newest first; pass `nextCursor` back as `cursor` for older posts.
    `status=pending` lists the posts waiting for approval (owner and managers)."""
    if params.status == "pending" and me() is None:
        raise Unauthorized("unauthorized", _("Sign in to continue."))
    _business, found, next_cursor = posts.feed(business_id, me(), params.status,
                                               params.cursor, params.limit)
    return ok({"items": posts.shape_page(found, me()), "nextCursor": next_cursor})


@bp.get("/me/feed")
@login_required
@query(MyFeedQuery)
def my_feed(params):
    """The posts of every channel I subscribe to, newest first, each with its `business`;
    pass `nextCursor` back as `cursor` for older posts."""
    found = subscribed_feed.page(me(), params.cursor, params.limit)
    return ok({"items": subscribed_feed.shape(found, me()), "nextCursor": found.next_cursor})


def _new_post_input():
    """(NewPost, image bytes or None) from a JSON or a multipart body."""
    image = None
    if request.mimetype == "multipart/form-data":
        unknown = set(request.files) - {"image"}
        if unknown:
            raise AppError("validation_error", _("Some fields are not valid."), status=422,
                           details={"fields": [{"field": name} for name in sorted(unknown)]})
        raw = request.form.to_dict()
        upload = request.files.get("image")
        image = upload.read() if upload is not None else None
    else:
        raw = read_json()
    try:
        return NewPost.model_validate(raw), image or None
    except ValidationError as error:
        raise _invalid(error) from None


@bp.post(_POSTS)
@responds(201)
@login_required
def publish(business_id):
    """Publish a post (canPublishChannel). With pre-moderation on, a post by anyone but the
    owner or a manager is `pending` until approved."""
    data, image = _new_post_input()
    post = posts.create(get_business(business_id), me(), data.text, image)
    return ok(_post_view(post), status=201)


publish.body_schema = NewPost  # OpenAPI: the JSON form (the schema describes the multipart one)


@bp.patch(_POST)
@login_required
@body(EditedPost)
def edit(data, business_id, message_id):
    """Change a post's text: its author or the owner or a manager (canPublishChannel)."""
    return ok(_post_view(posts.edit(get_business(business_id), me(), message_id, data.text)))


@bp.delete(_POST)
@login_required
def delete(business_id, message_id):
    """Delete a post: its author or the owner or a manager (canPublishChannel)."""
    posts.delete(get_business(business_id), me(), message_id)
    return ok({"deleted": True})


@bp.post(_POST + "/approve")
@login_required
def approve(business_id, message_id):
    """Approve a pending post (owner or manager): it enters the feed now."""
    return ok(_post_view(posts.review(get_business(business_id), me(), message_id, True)))


@bp.post(_POST + "/reject")
@login_required
def reject(business_id, message_id):
    """Reject a pending post (owner or manager)."""
    return ok(_post_view(posts.review(get_business(business_id), me(), message_id, False)))


@bp.post(_POST + "/reactions")
@login_required
@body(Reaction)
def react(data, business_id, message_id):
    """Set or unset my reaction (when the channel allows reactions; again: no change)."""
    return ok(feedback.react(business_id, me(), message_id, data.emoji, data.action))


@bp.get(_POST + "/comments")
@optional_login
@query(Paging)
def comments(params, business_id, message_id):
    """A post's comments, oldest first (when the channel allows comments)."""
    rows, total = feedback.comments(business_id, me(), message_id, params.page,
                                            params.limit)
    return paginated(rows, params.page, params.limit, total)


@bp.post(_POST + "/comments")
@responds(201)
@login_required
@body(NewComment)
def add_comment(data, business_id, message_id):
    """Comment on a post (when the channel allows comments)."""
    return ok(feedback.add_comment(business_id, me(), message_id, data.text),
              status=201)


@bp.delete(_POST + "/comments/<comment_id>")
@login_required
def delete_comment(business_id, message_id, comment_id):
    """Delete a comment: its author, or the owner or a manager."""
    feedback.delete_comment(business_id, me(), message_id, comment_id)
    return ok({"deleted": True})
