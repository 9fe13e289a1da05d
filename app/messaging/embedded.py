"""The embedded messaging adapter: conversations kept in the platform's own database (the
default when mms3 is not configured). Every change raises its contract-shaped event through
the dispatcher in-process; listeners hand any slow work to Celery."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from mongoengine import NotUniqueError

from app.messaging import events, shapes
from app.messaging.gateway import (
    PAGE_LIMIT_MAX,
    STATUSES,
    TEXT,
    USER_TYPES,
    InvalidRequest,
    MessagingGateway,
    NotFound,
)
from app.models.messaging import (
    ChatDialog,
    ChatMember,
    ChatMessage,
    ChatMessageReaction,
    ChatMessageStatus,
    ChatUser,
)

TYPING_SECONDS = 5
_PLATFORM = ("platform", "api")  # the actor of calls made by the platform itself


_now = shapes.now_ms


class EmbeddedGateway(MessagingGateway):
    def __init__(self, dispatcher: events.Dispatcher, tenant_id: str = events.DEFAULT_TENANT):
        self.dispatcher = dispatcher  # the app's (runtime.py): one per app, never global
        self.tenant_id = tenant_id

    # --- users ---------------------------------------------------------------------------

    def ensure_user(self, user_id: str, name: str | None = None, type: str = "user") -> dict:
        if not isinstance(user_id, str) or not user_id or "." in user_id:
            raise InvalidRequest("a userId is a non-empty string without dots")
        if type not in USER_TYPES:
            raise InvalidRequest(f"a user's type is one of {USER_TYPES}")
        # An existing user is updated in place, without an event (as a PUT after mms3's 409).
        changes = {"set__type": type} if name is None else {"set__type": type, "set__name": name}
        if ChatUser.objects(id=user_id).update_one(**changes):
            return shapes.user(ChatUser.objects.get(id=user_id))
        try:
            user = ChatUser(id=user_id, name=name, type=type, created_at=_now())
            user.save(force_insert=True)
        except NotUniqueError:  # created by a concurrent call: it is there now
            return shapes.user(ChatUser.objects.get(id=user_id))
        shaped = shapes.user(user)
        self._raise(events.USER_CREATE, "user", user_id, _PLATFORM, user=shaped)
        return shaped

    # --- dialogs and members -------------------------------------------------------------

    # Idempotency keys guard calls over the network; in-process calls are never half-heard.
    def create_dialog(self, name: str, created_by: str, members: Iterable[dict] = (),
                      meta: dict | None = None, idempotency_key: str | None = None) -> dict:
        now = _now()
        dialog = ChatDialog(name=name, created_by=created_by, tags=dict(meta or {}),
                        created_at=now, updated_at=now).save(force_insert=True)
        self._raise(events.DIALOG_CREATE, "dialog", dialog.id, self._actor(created_by),
                    dialog=shapes.dialog(dialog, self.tenant_id))
        for member in members:
            self._add(dialog, member["userId"], member.get("type", "user"), member.get("name"))
        return shapes.dialog(dialog, self.tenant_id)

    def add_member(self, chat_dialog_id: str, user_id: str, type: str = "user",
                   name: str | None = None) -> dict:
        return self._add(self._dialog(chat_dialog_id), user_id, type, name)

    def _add(self, dialog, user_id, type, name):
        self.ensure_user(user_id, name, type)
        try:
            ChatMember(chat_dialog_id=dialog.id, user_id=user_id, type=type,
                         created_at=_now()).save(force_insert=True)
            added = True
        except NotUniqueError:  # a member already, or once: only a former member comes back
            added = bool(ChatMember.objects(chat_dialog_id=dialog.id, user_id=user_id,
                                              is_active=False)
                         .update_one(set__is_active=True, set__unread_count=0))
        member = shapes.member(ChatMember.objects.get(chat_dialog_id=dialog.id, user_id=user_id))
        if added:
            self._raise(events.DIALOG_MEMBER_ADD, "dialogMember", user_id, _PLATFORM,
                        dialog=shapes.dialog(dialog, self.tenant_id), member=member)
        return member

    def remove_member(self, chat_dialog_id: str, user_id: str) -> bool:
        dialog = self._dialog(chat_dialog_id)
        # Kept, inactive: the member's history stays, and adding them again reactivates it.
        if not ChatMember.objects(chat_dialog_id=chat_dialog_id, user_id=user_id,
                                    is_active=True).update_one(set__is_active=False):
            return False
        member = shapes.member(ChatMember.objects.get(chat_dialog_id=chat_dialog_id,
                                                      user_id=user_id))
        self._raise(events.DIALOG_MEMBER_REMOVE, "dialogMember", user_id, _PLATFORM,
                    dialog=shapes.dialog(dialog, self.tenant_id), member=member)
        return True

    # --- messages ------------------------------------------------------------------------

    def post_message(self, chat_dialog_id: str, sender_id: str, content: str, type: str = TEXT,
                     meta: dict | None = None, idempotency_key: str | None = None) -> dict:
        dialog = self._dialog(chat_dialog_id)
        if not isinstance(content, str):
            raise InvalidRequest("content is a string")
        now = _now()
        message = ChatMessage(chat_dialog_id=chat_dialog_id, sender_id=sender_id, type=type,
                              content=content, tags=dict(meta or {}),
                              created_at=now).save(force_insert=True)
        # Counters move with the write, so reading a dialog list never counts messages.
        ChatMember.objects(chat_dialog_id=chat_dialog_id, is_active=True,
                           user_id__ne=sender_id).update(inc__unread_count=1,
                                                         set__last_message_at=now)
        ChatMember.objects(chat_dialog_id=chat_dialog_id, user_id=sender_id).update_one(
            set__last_message_at=now, set__last_seen_at=now)
        ChatDialog.objects(id=chat_dialog_id).update_one(set__last_message_at=now)
        dialog.last_message_at = now
        sender = ChatUser.objects(id=sender_id).first()
        shaped = shapes.message(message, sender)
        self._raise(events.MESSAGE_CREATE, "message", message.id, self._actor(sender_id, sender),
                    dialog=shapes.dialog(dialog, self.tenant_id), message=shaped)
        return shaped

    def edit_message(self, message_id: str, content: str) -> dict:
        if not isinstance(content, str):
            raise InvalidRequest("content is a string")
        if not ChatMessage.objects(id=message_id).update_one(set__content=content,
                                                         set__edited_at=_now()):
            raise NotFound(f"no message {message_id}")
        message = ChatMessage.objects.get(id=message_id)
        shaped = shapes.message(message, ChatUser.objects(id=message.sender_id).first())
        self._raise(events.MESSAGE_UPDATE, "message", message_id, _PLATFORM,
                    dialog=shapes.dialog(self._dialog(message.chat_dialog_id), self.tenant_id),
                    message=shaped)
        return shaped

    def list_members(self, chat_dialog_id: str) -> list[dict]:
        self._dialog(chat_dialog_id)
        return [shapes.member(m) for m in ChatMember.objects(chat_dialog_id=chat_dialog_id,
                                                               is_active=True)]

    def get_dialog(self, chat_dialog_id: str) -> dict:
        return shapes.dialog(self._dialog(chat_dialog_id), self.tenant_id)

    def get_message(self, message_id: str) -> dict:
        message = ChatMessage.objects(id=message_id).first()
        if message is None:
            raise NotFound(f"no message {message_id}")
        return shapes.message(message, ChatUser.objects(id=message.sender_id).first())

    def list_messages(self, chat_dialog_id: str, limit: int = 20,
                      cursor: str | None = None) -> dict:
        self._dialog(chat_dialog_id)
        limit = max(1, min(int(limit), PAGE_LIMIT_MAX))
        query = {"dialogId": chat_dialog_id}
        if cursor:
            at, last_id = decode_cursor(cursor)
            query["$or"] = [{"createdAt": {"$lt": at}}, {"createdAt": at, "_id": {"$lt": last_id}}]
        # One more than a page tells whether there is a next page without counting.
        rows = list(ChatMessage.objects(__raw__=query).order_by("-created_at", "-id")
                    .limit(limit + 1))
        page = rows[:limit]
        more = len(rows) > limit
        return {"messages": [shapes.message(row) for row in page],
                "nextCursor": encode_cursor(page[-1]) if more else None}

    # --- statuses, reactions, typing -----------------------------------------------------

    def set_status(self, user_id: str, chat_dialog_id: str, message_id: str,
                   status: str) -> dict:
        if status not in STATUSES:
            raise InvalidRequest(f"a status is one of {STATUSES}")
        message = self._message(chat_dialog_id, message_id)
        members = ChatMember.objects(chat_dialog_id=chat_dialog_id, user_id=user_id)
        if members.first() is None:
            raise NotFound(f"{user_id} is not a member of {chat_dialog_id}")
        now = _now()
        found = ChatMessageStatus.objects(message_id=message_id, user_id=user_id)
        if not found.update_one(set__status=status, set__at=now):
            try:
                ChatMessageStatus(message_id=message_id, chat_dialog_id=chat_dialog_id,
                                  user_id=user_id, status=status, at=now).save(force_insert=True)
            except NotUniqueError:  # a concurrent first status: ours is the later one
                found.update_one(set__status=status, set__at=now)
        if status == "read":
            members.update_one(set__unread_count=0, set__last_seen_at=now)
        elif status == "unread":  # "mark unread" in the inbox: the badge shows at least 1
            members.update_one(max__unread_count=1)
        update = shapes.status_update(found.get())
        self._raise(events.MESSAGE_STATUS_UPDATE, "messageStatus", message_id,
                    self._actor(user_id), message=shapes.message(message),
                    member=shapes.member(members.get()), statusUpdate=update)
        return update

    def set_reaction(self, user_id: str, chat_dialog_id: str, message_id: str,
                     reaction: str) -> dict[str, int]:
        return self._react(user_id, chat_dialog_id, message_id, reaction, "set")

    def unset_reaction(self, user_id: str, chat_dialog_id: str, message_id: str,
                       reaction: str) -> dict[str, int]:
        return self._react(user_id, chat_dialog_id, message_id, reaction, "unset")

    def _react(self, user_id, chat_dialog_id, message_id, reaction, action):
        if not isinstance(reaction, str) or not 0 < len(reaction) <= 32 \
                or "." in reaction or reaction.startswith("$"):
            raise InvalidRequest("a reaction is a short string without dots")
        self._message(chat_dialog_id, message_id)
        # The reaction document is the truth; the count moves only when it really changed.
        if action == "set":
            try:
                ChatMessageReaction(message_id=message_id, user_id=user_id, reaction=reaction,
                                created_at=_now()).save(force_insert=True)
                changed = True
            except NotUniqueError:
                changed = False
        else:
            changed = ChatMessageReaction.objects(message_id=message_id, user_id=user_id,
                                              reaction=reaction).delete() > 0
        messages = ChatMessage._get_collection()
        key = f"reactionCounts.{reaction}"
        if changed:
            messages.update_one({"_id": message_id}, {"$inc": {key: 1 if action == "set" else -1}})
            messages.update_one({"_id": message_id, key: {"$lte": 0}}, {"$unset": {key: ""}})
        message = ChatMessage.objects.get(id=message_id)
        if changed:
            self._raise(events.MESSAGE_REACTION_UPDATE, "messageReaction", message_id,
                        self._actor(user_id), message=shapes.message(message),
                        reactionUpdate={"userId": user_id, "reaction": reaction,
                                        "action": action})
        return dict(message.reaction_counts)

    def typing(self, chat_dialog_id: str, user_id: str) -> None:
        self._dialog(chat_dialog_id)
        expires_at = _now() + timedelta(seconds=TYPING_SECONDS)
        self._raise(events.DIALOG_TYPING, "dialog", chat_dialog_id, self._actor(user_id),
                    typing={"dialogId": chat_dialog_id, "userId": user_id, "isTyping": True,
                            "expiresAt": shapes.ms(expires_at)})

    # --- helpers -------------------------------------------------------------------------

    def _dialog(self, chat_dialog_id):
        dialog = ChatDialog.objects(id=chat_dialog_id).first()
        if dialog is None:
            raise NotFound(f"no dialog {chat_dialog_id}")
        return dialog

    def _message(self, chat_dialog_id, message_id):
        message = ChatMessage.objects(id=message_id, chat_dialog_id=chat_dialog_id).first()
        if message is None:
            raise NotFound(f"no message {message_id} in dialog {chat_dialog_id}")
        return message

    @staticmethod
    def _actor(user_id, user=None):
        if user_id is None:
            return _PLATFORM
        user = user or ChatUser.objects(id=user_id).only("type").first()
        return user_id, user.type if user else "user"

    def _raise(self, event_type, entity_type, entity_id, actor, **sections):
        self.dispatcher.dispatch(events.make_event(
            event_type, entity_type, entity_id, actor_id=actor[0], actor_type=actor[1],
            tenant_id=self.tenant_id, **sections))


def encode_cursor(message: ChatMessage) -> str:
    return shapes.encode_cursor(message.created_at, message.id)


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        return shapes.decode_cursor(cursor)
    except ValueError:
        raise InvalidRequest("a cursor from a previous page is expected") from None
