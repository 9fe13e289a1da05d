"""The domain events: every name one domain tells the others, and what each carries.

An action of a domain package (the one function that makes a change in the database) publishes
its event after the change: `bus.publish(MessageRecorded(...))` (app/lib/bus.py). Other domains
never call it across; they listen. Who listens to what is written in app/listeners.py, the one
file to read for it. The bus is synchronous: when `publish` returns every listener has run, so
a request still answers after its effects (the bot's greeting, the live updates) are done.
"""

from dataclasses import dataclass
from datetime import datetime

from app.models import Business, BusinessMember, ChannelPost, Conversation, SenderKind, User

# --- accounts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserRegistered:
    """A phone signed in for the first time (or an admin registered it)."""

    user: User


# --- businesses ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BusinessCreated:
    business: Business


@dataclass(frozen=True)
class BusinessRenamed:
    business: Business


@dataclass(frozen=True)
class MemberInvited:
    """A team invitation was sent to `member.invited_phone` (`member` is the invitation: no
    user yet). Whether that phone has an account is for the listeners to find out; the
    inviter is never told."""

    member: BusinessMember
    business: Business


@dataclass(frozen=True)
class SubscriptionChanged:
    """Someone subscribed to a business's channel, or unsubscribed."""

    business_id: str
    user_id: str
    subscribed: bool


# --- conversations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DialogStarted:
    """A customer opened their dialog with a business (the first time, or again): it exists
    in the messaging service now."""

    conversation: Conversation
    business: Business


@dataclass(frozen=True)
class MessageRecorded:
    """A message of a customer dialog was counted on the dialog (last message, unread
    counters). `conversation` is the dialog as it was before this message. `first` is False
    when the messaging service delivered the message again: counted already, shown again."""

    conversation: Conversation
    business: Business
    message: dict  # as app/conversations/messages.py's shape() gives it
    kind: SenderKind
    first: bool
    copied: bool  # a guest's earlier message copied into the account's dialog: old news
    at: datetime


@dataclass(frozen=True)
class DialogAssigned:
    """A dialog was given to a team member: taken by them, or handed to them by a lead."""

    conversation: Conversation
    assignee_id: str
    by_id: str
    at: datetime


@dataclass(frozen=True)
class DialogRead:
    """Someone read a dialog up to `message_id` (the read receipt)."""

    conversation_id: str
    user_id: str
    message_id: str | None
    read_at: datetime | None


@dataclass(frozen=True)
class Typing:
    conversation_id: str
    user_id: str
    kind: SenderKind
    name: str
    until: datetime


# --- the bot ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamCalled:
    """The bot called the owner and the on-duty operators into a dialog (they joined it)."""

    conversation: Conversation
    business: Business
    user_ids: tuple[str, ...]
    reason: str  # "keyword" | "human_requested"
    matched: str | None  # the keyword as configured
    at: datetime


# --- channels --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostPublished:
    """A channel post entered the feed (published at once, or approved)."""

    post: ChannelPost


@dataclass(frozen=True)
class PostEdited:
    post: ChannelPost


@dataclass(frozen=True)
class PostDeleted:
    business_id: str
    post_id: str


@dataclass(frozen=True)
class ReactionsChanged:
    business_id: str
    post_id: str
    reaction_counts: dict


@dataclass(frozen=True)
class CommentAdded:
    business_id: str
    comment: dict  # as app/channels/feedback.py's shape_comments() gives it


@dataclass(frozen=True)
class CommentDeleted:
    business_id: str
    post_id: str
    comment_id: str
