"""The embedded messaging adapter: each operation, what it stores and the event it raises in
the shape of MMS3_CONTRACT.md; unread counters, cursor pagination, reactions; the dispatcher."""

from datetime import datetime, timedelta

import pytest

from app import clock
from app.messaging import events
from app.messaging.embedded import EmbeddedGateway
from app.messaging.gateway import InvalidRequest, NotFound
from app.models import ChatMember, ChatMessage

EVENT_KEYS = {"eventId", "tenantId", "eventType", "entityType", "entityId", "actorId",
              "actorType", "createdAt", "data"}


class Recorder:
    """A handler subscribed to every event type it cares about, as app/listeners.py does."""

    TYPES = (events.USER_CREATE, events.DIALOG_CREATE, events.DIALOG_MEMBER_ADD,
             events.DIALOG_MEMBER_REMOVE, events.MESSAGE_CREATE, events.MESSAGE_STATUS_UPDATE,
             events.MESSAGE_REACTION_UPDATE, events.DIALOG_TYPING)

    def __init__(self):
        self.events = []

    def _record(self, event):
        self.events.append(event)

    def subscribed(self, dispatcher):
        for event_type in self.TYPES:
            dispatcher.subscribe(event_type, self._record)
        return dispatcher

    def of(self, event_type):
        return [event for event in self.events if event["eventType"] == event_type]


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def chat(app, recorder):
    with app.app_context():
        yield EmbeddedGateway(dispatcher=recorder.subscribed(events.Dispatcher()))


def client_dialog(chat, business_id="biz_1"):
    return chat.create_dialog(
        "Кофейня", "cus_1",
        members=[{"userId": "cus_1", "type": "user", "name": "Анна"},
                 {"userId": "bot_biz_1", "type": "bot", "name": "Кофейня"}],
        meta={"type": "client_bot", "businessId": business_id, "clientId": "cus_1"})


def test_ensure_user_creates_once_then_updates(chat, recorder):
    assert chat.ensure_user("usr_1", "Анна")["type"] == "user"
    again = chat.ensure_user("usr_1", "Анна К.")
    assert again["name"] == "Анна К."
    created = recorder.of(events.USER_CREATE)
    assert len(created) == 1 and created[0]["data"]["user"]["userId"] == "usr_1"
    with pytest.raises(InvalidRequest):
        chat.ensure_user("usr.1", "dots are refused by mms3")
    with pytest.raises(InvalidRequest):
        chat.ensure_user("usr_2", type="robot")


def test_create_dialog_stores_meta_members_and_raises_events(chat, recorder, app):
    dialog = client_dialog(chat)
    assert dialog["dialogId"].startswith("dlg_")
    assert dialog["meta"] == {"type": "client_bot", "businessId": "biz_1", "clientId": "cus_1"}
    (created,) = recorder.of(events.DIALOG_CREATE)
    assert set(created) == EVENT_KEYS
    assert created["data"]["dialog"]["dialogId"] == dialog["dialogId"]
    added = recorder.of(events.DIALOG_MEMBER_ADD)
    assert [event["data"]["member"]["userId"] for event in added] == ["cus_1", "bot_biz_1"]
    assert added[0]["data"]["member"]["state"] == {
        "unreadCount": 0, "lastSeenAt": None, "lastMessageAt": None, "isActive": True}
    assert added[1]["data"]["context"]["dialogId"] == dialog["dialogId"]
    raw = ChatMessage._get_db()["dialogs"].find_one({"_id": dialog["dialogId"]})
    assert isinstance(raw["createdAt"], datetime) and raw["meta"]["businessId"] == "biz_1"


def test_add_member_is_idempotent_and_remove_deactivates(chat, recorder):
    dialog = client_dialog(chat)
    recorder.events.clear()
    first = chat.add_member(dialog["dialogId"], "op_1", name="Оператор")
    again = chat.add_member(dialog["dialogId"], "op_1", name="Оператор")
    assert first == again and first["state"]["isActive"] is True
    assert len(recorder.of(events.DIALOG_MEMBER_ADD)) == 1
    assert ChatMember.objects(chat_dialog_id=dialog["dialogId"]).count() == 3

    assert chat.remove_member(dialog["dialogId"], "op_1") is True
    assert chat.remove_member(dialog["dialogId"], "op_1") is False
    (removed,) = recorder.of(events.DIALOG_MEMBER_REMOVE)
    assert removed["data"]["member"]["state"]["isActive"] is False

    chat.add_member(dialog["dialogId"], "op_1")  # a former member comes back
    assert len(recorder.of(events.DIALOG_MEMBER_ADD)) == 2
    with pytest.raises(NotFound):
        chat.add_member("dlg_missing", "op_1")


def test_post_message_raises_message_create_with_dialog_and_sender(chat, recorder):
    dialog = client_dialog(chat)
    message = chat.post_message(dialog["dialogId"], "bot_biz_1", "Здравствуйте!",
                                meta={"kind": "greeting"})
    assert message["messageId"].startswith("msg_")
    assert message["type"] == "internal.text" and message["content"] == "Здравствуйте!"
    (event,) = recorder.of(events.MESSAGE_CREATE)
    assert set(event) == EVENT_KEYS
    assert event["eventId"].startswith("evt_") and len(event["eventId"]) == 36
    assert (event["entityType"], event["entityId"]) == ("message", message["messageId"])
    assert (event["actorId"], event["actorType"]) == ("bot_biz_1", "bot")
    assert isinstance(event["createdAt"], float)
    context = event["data"]["context"]
    assert context["dialogId"] == dialog["dialogId"]
    assert context["messageId"] == message["messageId"]
    assert {"dialog", "message", "actor"} <= set(context["includedSections"])
    assert event["data"]["dialog"]["meta"]["type"] == "client_bot"
    assert event["data"]["message"]["senderInfo"]["name"] == "Кофейня"
    assert event["data"]["message"]["meta"] == {"kind": "greeting"}
    raw = ChatMessage._get_db()["messages"].find_one({"_id": message["messageId"]})
    assert isinstance(raw["createdAt"], datetime)
    with pytest.raises(NotFound):
        chat.post_message("dlg_missing", "cus_1", "hello")


def test_unread_counters_move_on_post_and_reset_on_read(chat, recorder):
    dialog = client_dialog(chat)
    dialog_id = dialog["dialogId"]
    chat.add_member(dialog_id, "op_1")
    chat.remove_member(dialog_id, "op_1")  # a former member counts nothing
    chat.post_message(dialog_id, "cus_1", "Добрый день")
    last = chat.post_message(dialog_id, "cus_1", "Есть столик на двоих?")

    def unread(user_id):
        return ChatMember.objects.get(chat_dialog_id=dialog_id, user_id=user_id).unread_count

    assert (unread("cus_1"), unread("bot_biz_1"), unread("op_1")) == (0, 2, 0)

    update = chat.set_status("bot_biz_1", dialog_id, last["messageId"], "read")
    assert update["status"] == "read" and update["readAt"] is not None
    assert unread("bot_biz_1") == 0
    (event,) = recorder.of(events.MESSAGE_STATUS_UPDATE)
    assert event["data"]["statusUpdate"]["userId"] == "bot_biz_1"
    assert event["data"]["member"]["state"]["unreadCount"] == 0

    chat.set_status("bot_biz_1", dialog_id, last["messageId"], "unread")  # "mark unread"
    assert unread("bot_biz_1") == 1
    chat.set_status("bot_biz_1", dialog_id, last["messageId"], "delivered")
    assert unread("bot_biz_1") == 1
    with pytest.raises(NotFound):
        chat.set_status("stranger", dialog_id, last["messageId"], "read")
    with pytest.raises(InvalidRequest):
        chat.set_status("cus_1", dialog_id, last["messageId"], "seen")


def test_counters_and_reactions_survive_a_restart_of_the_embedded_store(make_app):
    with make_app().app_context():
        chat = EmbeddedGateway(dispatcher=events.Dispatcher())
        dialog_id = client_dialog(chat)["dialogId"]
        message_id = chat.post_message(dialog_id, "cus_1", "Добрый день")["messageId"]
        chat.set_reaction("bot_biz_1", dialog_id, message_id, "👍")
    with make_app().app_context():  # a new process on the same file
        bot = ChatMember.objects.get(chat_dialog_id=dialog_id, user_id="bot_biz_1")
        assert bot.unread_count == 1
        assert ChatMessage.objects.get(id=message_id).reaction_counts == {"👍": 1}

def read_all(chat, dialog_id, limit, on_first_page=None):
    pages, cursor = [], None
    while True:
        page = chat.list_messages(dialog_id, limit=limit, cursor=cursor)
        pages.append([message["messageId"] for message in page["messages"]])
        if len(pages) == 1 and on_first_page:
            on_first_page()
        cursor = page["nextCursor"]
        if cursor is None:
            return pages


def test_cursor_pages_newest_first_without_gaps_or_duplicates(chat):
    dialog_id = client_dialog(chat)["dialogId"]
    clock.freeze(datetime(2026, 11, 1, 12, 0))
    posted = []
    for number in range(25):
        posted.append(chat.post_message(dialog_id, "cus_1", f"#{number}"))
        if number % 3 == 2:  # three messages share each millisecond: the id breaks ties
            clock.advance(0.001)
    newest_first = [m["messageId"] for m in
                    sorted(posted, key=lambda m: (m["createdAt"], m["messageId"]), reverse=True)]

    def someone_writes():
        clock.advance(1)
        chat.post_message(dialog_id, "bot_biz_1", "a new message while paging")

    pages = read_all(chat, dialog_id, 10, on_first_page=someone_writes)
    assert [len(page) for page in pages] == [10, 10, 5]
    assert [m for page in pages for m in page] == newest_first

    # Read again from the top: the new message comes first, the rest in the same order.
    again = read_all(chat, dialog_id, 10)
    assert [len(page) for page in again] == [10, 10, 6]
    assert [m for page in again for m in page][1:] == newest_first
    assert chat.list_messages(dialog_id, limit=500)["nextCursor"] is None  # capped at 100
    with pytest.raises(InvalidRequest):
        chat.list_messages(dialog_id, cursor="not-a-cursor")


def test_reactions_set_and_unset_are_idempotent_and_counted(chat, recorder):
    dialog_id = client_dialog(chat)["dialogId"]
    message_id = chat.post_message(dialog_id, "bot_biz_1", "Новое меню")["messageId"]
    assert chat.set_reaction("cus_1", dialog_id, message_id, "👍") == {"👍": 1}
    assert chat.set_reaction("cus_1", dialog_id, message_id, "👍") == {"👍": 1}
    assert chat.set_reaction("cus_2", dialog_id, message_id, "👍") == {"👍": 2}
    assert chat.set_reaction("cus_2", dialog_id, message_id, "🔥") == {"👍": 2, "🔥": 1}
    assert chat.unset_reaction("cus_1", dialog_id, message_id, "👍") == {"👍": 1, "🔥": 1}
    assert chat.unset_reaction("cus_1", dialog_id, message_id, "👍") == {"👍": 1, "🔥": 1}
    assert chat.unset_reaction("cus_2", dialog_id, message_id, "🔥") == {"👍": 1}
    changes = recorder.of(events.MESSAGE_REACTION_UPDATE)
    assert [(e["data"]["reactionUpdate"]["userId"], e["data"]["reactionUpdate"]["action"])
            for e in changes] == [("cus_1", "set"), ("cus_2", "set"), ("cus_2", "set"),
                                  ("cus_1", "unset"), ("cus_2", "unset")]
    assert changes[-1]["data"]["message"]["reactionCounts"] == {"👍": 1}
    listed = chat.list_messages(dialog_id)["messages"][0]
    assert listed["reactionCounts"] == {"👍": 1}
    with pytest.raises(InvalidRequest):
        chat.set_reaction("cus_1", dialog_id, message_id, "a.b")
    with pytest.raises(NotFound):
        chat.set_reaction("cus_1", "dlg_other", message_id, "👍")


def test_typing_raises_a_short_lived_signal(chat, recorder):
    dialog_id = client_dialog(chat)["dialogId"]
    now = clock.freeze(datetime(2026, 11, 1, 12, 0))
    chat.typing(dialog_id, "cus_1")
    (event,) = recorder.of(events.DIALOG_TYPING)
    typing = event["data"]["typing"]
    assert (typing["userId"], typing["isTyping"]) == ("cus_1", True)
    assert typing["expiresAt"] == (now + timedelta(seconds=5) - datetime(1970, 1, 1)) \
        / timedelta(milliseconds=1)
    assert event["data"]["context"]["dialogId"] == dialog_id


# --- the dispatcher ---------------------------------------------------------------------------

def contract_event(event_type, event_id="evt_" + "0" * 32):
    return {"eventId": event_id, "tenantId": "tnt_default", "eventType": event_type,
            "entityType": "message", "entityId": "msg_1", "actorId": "cus_1",
            "actorType": "user", "createdAt": 1763551369397.6482,
            "data": {"context": {"dialogId": "dlg_1", "messageId": "msg_1"}}}


def test_dispatcher_maps_both_namings_and_ignores_unknown_types(recorder):
    dispatcher = recorder.subscribed(events.Dispatcher())
    assert dispatcher.dispatch(contract_event("message.status.changed")) == 1
    assert dispatcher.dispatch(contract_event("message.status.update")) == 1
    assert [e["eventType"] for e in recorder.of("message.status.changed")] == [
        "message.status.changed"]
    assert dispatcher.dispatch(contract_event("dialog.archived.someday")) == 0
    assert dispatcher.dispatch(contract_event("message.changed")) == 0  # nobody listens
    assert len(recorder.events) == 2


def test_dispatcher_skips_seen_events_and_refuses_malformed_ones(recorder):
    handled = set()

    def seen(event_id):
        if event_id in handled:
            return True
        handled.add(event_id)
        return False

    dispatcher = recorder.subscribed(events.Dispatcher(seen=seen))
    assert dispatcher.dispatch(contract_event("message.create", "evt_a")) == 1
    assert dispatcher.dispatch(contract_event("message.create", "evt_a")) == 0
    assert dispatcher.dispatch(contract_event("message.create", "evt_b")) == 1
    for bad in ("text", {"eventType": "message.create"}, {**contract_event("x"), "data": []},
                {**contract_event("message.create"), "createdAt": "yesterday"}):
        with pytest.raises(events.MalformedEvent):
            dispatcher.dispatch(bad)
    assert len(recorder.events) == 2
