"""A business's channel: its posts, the reactions to them and the comments under them.

The posts are ours (the feed, pre-moderation, images, soft deletes are read from here); each
published post is also delivered into the channel dialog of the messaging service, whose
message id is kept on the post. Reaction and comment counts are kept by the writes, never
counted when a feed is read.
"""

from mongoengine import DateTimeField, DictField, Document, IntField, StringField

from app import clock
from app.models.base import TimestampedDocument, id_field

POST_STATUSES = ("pending", "published", "rejected")
DELIVERY_STATES = ("pending", "done", "failed")


class ChannelPost(TimestampedDocument):
    id = id_field("pst")
    business_id = StringField(db_field="businessId", required=True)
    author_id = StringField(db_field="authorId", required=True)
    text = StringField(required=True, max_length=4000)  # plain text, never rendered as HTML
    image = StringField()  # storage key
    status = StringField(required=True, choices=POST_STATUSES, default="published")
    # The feed's order: when the post entered it (its creation, or its approval), so a post
    # approved later shows at the top rather than among older ones.
    feed_at = DateTimeField(db_field="feedAt", required=True)
    published_at = DateTimeField(db_field="publishedAt")
    edited_at = DateTimeField(db_field="editedAt")
    reviewed_by = StringField(db_field="reviewedBy")
    reviewed_at = DateTimeField(db_field="reviewedAt")
    deleted_at = DateTimeField(db_field="deletedAt")
    deleted_by = StringField(db_field="deletedBy")
    reaction_counts = DictField(db_field="reactionCounts")  # {"👍": 2}
    comment_count = IntField(db_field="commentCount", default=0)
    # The copy in the channel dialog: the gateway's message id, and which edit it shows.
    message_id = StringField(db_field="messageId")
    version = IntField(default=1)  # +1 on every edit
    delivered_version = IntField(db_field="deliveredVersion", default=0)
    delivery = StringField(choices=DELIVERY_STATES)  # None until published
    delivery_error = StringField(db_field="deliveryError")
    sending_until = DateTimeField(db_field="sendingUntil")  # a lease on posting the copy

    meta = {
        "collection": "channel_posts",
        "indexes": [
            # The feed (and the pending list): newest first by (feedAt, _id) per status.
            {"fields": ["business_id", "status", "deleted_at", "-feed_at", "-id"]},
            {"fields": ["business_id", "delivery"]},  # the backfill's undelivered posts
            {"fields": ["message_id"], "sparse": True},
        ],
    }


class ChannelReaction(Document):
    """One per (post, person, emoji): the truth behind the post's reactionCounts."""

    id = id_field("crx")
    post_id = StringField(db_field="postId", required=True)
    user_id = StringField(db_field="userId", required=True)
    emoji = StringField(required=True)
    created_at = DateTimeField(db_field="createdAt", default=clock.now, required=True)

    meta = {
        "collection": "channel_reactions",
        "auto_create_index": False,
        "indexes": [
            {"fields": ["post_id", "user_id", "emoji"], "unique": True},
            {"fields": ["user_id", "post_id"]},  # my reactions on a page of the feed
        ],
    }


class ChannelComment(TimestampedDocument):
    id = id_field("cmt")
    post_id = StringField(db_field="postId", required=True)
    business_id = StringField(db_field="businessId", required=True)
    author_id = StringField(db_field="authorId", required=True)
    text = StringField(required=True, max_length=1000)
    deleted_at = DateTimeField(db_field="deletedAt")
    deleted_by = StringField(db_field="deletedBy")

    meta = {
        "collection": "channel_comments",
        "indexes": [{"fields": ["post_id", "deleted_at", "created_at", "id"]}],
    }


CHANNEL_DOCUMENTS = (ChannelPost, ChannelReaction, ChannelComment)
