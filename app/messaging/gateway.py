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
    def ensure_user(self, user_id, name=None, type="user"):
        """Create the chat user or bot, or update its name and type; returns the user."""

    @abstractmethod
    def create_dialog(self, name, created_by, members=(), meta=None, idempotency_key=None):
        """A new dialog; `members` are {userId, type, name}, each ensured as a user. Returns the
        dialog. A retried call with the same idempotency key creates nothing new (mms3)."""

    @abstractmethod
    def add_member(self, chat_dialog_id, user_id, type="user", name=None):
        """Add a member; an existing member is left as it is. Returns the member."""

    @abstractmethod
    def remove_member(self, chat_dialog_id, user_id):
        """Remove a member; True if they were one."""

    @abstractmethod
    def post_message(self, chat_dialog_id, sender_id, content, type=TEXT, meta=None,
                     idempotency_key=None):
        """Store and announce a message; returns it."""

    @abstractmethod
    def edit_message(self, message_id, content):
        """Replace a message's content (editedAt is set and `message.update` raised); returns
        the message."""

    @abstractmethod
    def list_members(self, chat_dialog_id):
        """Every active member of the dialog (all pages), as member dicts."""

    @abstractmethod
    def get_dialog(self, chat_dialog_id):
        """The dialog (with its meta); NotFound when it does not exist."""

    @abstractmethod
    def get_message(self, message_id):
        """One message (a minimal event carries no content; listeners read it here)."""

    @abstractmethod
    def list_messages(self, chat_dialog_id, limit=20, cursor=None):
        """One page of the dialog's messages, newest first:
        {"messages": [...], "nextCursor": str or None}. Pass nextCursor back for the next page;
        messages that arrive meanwhile never shift the pages already read."""

    @abstractmethod
    def set_status(self, user_id, chat_dialog_id, message_id, status):
        """Mark a message unread, delivered or read for a member; returns the statusUpdate.
        Reading a message reads the dialog: the member's unread count drops to 0."""

    @abstractmethod
    def set_reaction(self, user_id, chat_dialog_id, message_id, reaction):
        """Add the user's reaction (again: no change); returns the message's reactionCounts."""

    @abstractmethod
    def unset_reaction(self, user_id, chat_dialog_id, message_id, reaction):
        """Take the user's reaction back (absent: no change); returns the reactionCounts."""

    @abstractmethod
    def typing(self, chat_dialog_id, user_id):
        """Signal that the member is typing (it expires after a few seconds)."""
