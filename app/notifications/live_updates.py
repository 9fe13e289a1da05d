"""Live updates for open pages: what happened, published on the live bus (app/live/bus.py) to
the topics whose pages show it. One listener per domain event; topics.py says who may listen
to which topic.

- `dialog:<id>`: a dialog's messages, read receipts and typing;
- `business:<id>`: the team's inbox (a dialog's new last message);
- `user:<id>`: one person's dialogs, and the bot calling them into one;
- `channel:<business id>`: the business's channel feed.
"""

from app import clock
from app.channels import posts
from app.events import (
    CommentAdded,
    CommentDeleted,
    DialogAssigned,
    DialogRead,
    MessageRecorded,
    PostDeleted,
    PostEdited,
    PostPublished,
    ReactionsChanged,
    TeamCalled,
    Typing,
)
from app.live import bus


def message_recorded(event: MessageRecorded) -> None:
    """Published again when the message is delivered twice: pages drop a message they show."""
    conversation = event.conversation
    bus.publish(f"dialog:{conversation.id}", "message", event.message)
    summary = {"dialogId": conversation.id, "lastMessage": event.message}
    bus.publish(f"business:{conversation.business_id}", "dialog", summary)
    bus.publish(f"user:{conversation.customer_id}", "dialog", summary)


def dialog_assigned(event: DialogAssigned) -> None:
    """The inbox shows who has each dialog."""
    conversation = event.conversation
    bus.publish(f"business:{conversation.business_id}", "dialog", {
        "dialogId": conversation.id, "assignedTo": event.assignee_id})


def dialog_read(event: DialogRead) -> None:
    bus.publish(f"dialog:{event.conversation_id}", "read", {
        "dialogId": event.conversation_id, "userId": event.user_id,
        "messageId": event.message_id, "readAt": clock.isoformat(event.read_at)})


def typing(event: Typing) -> None:
    bus.publish(f"dialog:{event.conversation_id}", "typing", {
        "dialogId": event.conversation_id, "userId": event.user_id, "kind": event.kind.value,
        "name": event.name, "expiresAt": clock.isoformat(event.until)})


def team_called(event: TeamCalled) -> None:
    for user_id in event.user_ids:
        bus.publish(f"user:{user_id}", "invited", {
            "dialogId": event.conversation.id, "businessId": event.business.id,
            "businessName": event.business.name, "reason": event.reason,
            "matched": event.matched, "at": clock.isoformat(event.at)})


def post_published(event: PostPublished) -> None:
    bus.publish(posts.topic(event.post.business_id), "post", posts.shape_page([event.post])[0])


def post_edited(event: PostEdited) -> None:
    bus.publish(posts.topic(event.post.business_id), "post.updated",
                posts.shape_page([event.post])[0])


def post_deleted(event: PostDeleted) -> None:
    bus.publish(posts.topic(event.business_id), "post.deleted", {"id": event.post_id})


def reactions_changed(event: ReactionsChanged) -> None:
    bus.publish(posts.topic(event.business_id), "post.reactions",
                {"id": event.post_id, "reactionCounts": event.reaction_counts})


def comment_added(event: CommentAdded) -> None:
    bus.publish(posts.topic(event.business_id), "comment", event.comment)


def comment_deleted(event: CommentDeleted) -> None:
    bus.publish(posts.topic(event.business_id), "comment.deleted",
                {"id": event.comment_id, "postId": event.post_id})
