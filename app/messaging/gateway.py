"""The messaging interface the platform talks to; the embedded and mms3 adapters implement it.

It speaks MMS3_CONTRACT.md's vocabulary and returns plain dicts shaped like its entities, with
timestamps in milliseconds since the epoch (floats), as the contract's events carry them:

- user: {userId, name, type, createdAt}
- dialog: {dialogId, tenantId, name, createdBy, meta, createdAt, updatedAt, lastMessageAt}
- member: {dialogId, userId, type, meta, state: {unreadCount, lastSeenAt, lastMessageAt,
  isActive}}
- message: {messageId, dialogId, senderId, type, content, meta, createdAt, editedAt,
  reactionCounts}
- statusUpdate: {messageId, dialogId, userId, status, readAt, createdAt}

Every change raises the matching event (events.py) to the registered listeners.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable

TEXT = "internal.text"
STATUSES = ("unread", "delivered", "read")
USER_TYPES = ("user", "bot")
PAGE_LIMIT_MAX = 100


class MessagingError(Exception):
    """Base of the errors of every adapter."""


class NotFound(MessagingError):
    """The dialog, message or member does not exist."""


class InvalidRequest(MessagingError, ValueError):
    """An argument the service would refuse (a dotted userId, an unknown status, a bad cursor)."""


class MessagingGateway(ABC):
    @abstractmethod
    def ensure_user(self, user_id: str, name: str | None = None, type: str = "user") -> dict:
        """Create the chat user or bot, or update its name and type; returns the user."""

    @abstractmethod
    def create_dialog(self, name: str, created_by: str, members: Iterable[dict] = (),
                      meta: dict | None = None, idempotency_key: str | None = None) -> dict:
        """A new dialog; `members` are {userId, type, name}, each ensured as a user. Returns the
        dialog. A retried call with the same idempotency key creates nothing new (mms3)."""

    @abstractmethod
    def add_member(self, chat_dialog_id: str, user_id: str, type: str = "user",
                   name: str | None = None) -> dict:
        """Add a member; an existing member is left as it is. Returns the member."""

    @abstractmethod
    def remove_member(self, chat_dialog_id: str, user_id: str) -> bool:
        """Remove a member; True if they were one."""

    @abstractmethod
    def post_message(self, chat_dialog_id: str, sender_id: str, content: str, type: str = TEXT,
                     meta: dict | None = None, idempotency_key: str | None = None) -> dict:
        """Store and announce a message; returns it."""

    @abstractmethod
    def edit_message(self, message_id: str, content: str) -> dict:
        """Replace a message's content (editedAt is set and `message.update` raised); returns
        the message."""

    @abstractmethod
    def list_members(self, chat_dialog_id: str) -> list[dict]:
        """Every active member of the dialog (all pages), as member dicts."""

    @abstractmethod
    def get_dialog(self, chat_dialog_id: str) -> dict:
        """The dialog (with its meta); NotFound when it does not exist."""

    @abstractmethod
    def get_message(self, message_id: str) -> dict:
        """One message (a minimal event carries no content; listeners read it here)."""

    @abstractmethod
    def list_messages(self, chat_dialog_id: str, limit: int = 20,
                      cursor: str | None = None) -> dict:
        """One page of the dialog's messages, newest first:
        {"messages": [...], "nextCursor": str or None}. Pass nextCursor back for the next page;
        messages that arrive meanwhile never shift the pages already read."""

    @abstractmethod
    def set_status(self, user_id: str, chat_dialog_id: str, message_id: str,
                   status: str) -> dict:
        """Mark a message unread, delivered or read for a member; returns the statusUpdate.
        Reading a message reads the dialog: the member's unread count drops to 0."""

    @abstractmethod
    def set_reaction(self, user_id: str, chat_dialog_id: str, message_id: str,
                     reaction: str) -> dict[str, int]:
        """Add the user's reaction (again: no change); returns the message's reactionCounts."""

    @abstractmethod
    def unset_reaction(self, user_id: str, chat_dialog_id: str, message_id: str,
                       reaction: str) -> dict[str, int]:
        """Take the user's reaction back (absent: no change); returns the reactionCounts."""

    @abstractmethod
    def typing(self, chat_dialog_id: str, user_id: str) -> None:
        """Signal that the member is typing (it expires after a few seconds)."""
