"""The business bot in customer dialogs, end to end through the API (its rules are tested on
their own in test_bot_rules.py)."""

from datetime import datetime

import pytest

from app import clock
from app.models import Conversation
from tests.conversations.dialog_world import World, make_world, open_dialog, say

B = World.bearer


def bot_lines(client, dialog_id, who):
    items = client.get(f"/api/dialogs/{dialog_id}/messages?limit=100",
                       headers=B(who)).get_json()["data"]["items"]
    return [m["text"] for m in reversed(items) if m["sender"]["kind"] == "bot"]


def test_auto_reply_answers_the_first_message_only(app, client):
    world = make_world(app, client, autoReplyEnabled=True, autoReplyMessage="Скоро ответим")
    dialog_id = open_dialog(client, world)
    say(client, dialog_id, world.customer, "Здравствуйте")
    say(client, dialog_id, world.customer, "Вы тут?")
    assert bot_lines(client, dialog_id, world.customer) == ["Скоро ответим"]


def test_a_keyword_invites_the_owner_and_on_duty_operators(app, client):
    world = make_world(app, client, inviteOwnerOnKeywords=["доставка"])
    with app.app_context():
        from app.models import BusinessMember

        BusinessMember.objects(user_id=world.operator["user"]["id"]).update(set__on_duty=True)
    dialog_id = open_dialog(client, world)
    say(client, dialog_id, world.customer, "Есть ли доставка?")
    with app.app_context():
        conversation = Conversation.objects.get(id=dialog_id)
        assert set(conversation.participants) == {world.owner["user"]["id"],
                                                  world.operator["user"]["id"]}
        assert conversation.unread[world.owner["user"]["id"]] >= 1  # the hand-over notice
    assert len(bot_lines(client, dialog_id, world.customer)) == 1  # "I have called the team"
    say(client, dialog_id, world.customer, "доставка!")  # once per dialog
    assert len(bot_lines(client, dialog_id, world.customer)) == 1


def test_the_bot_keeps_quiet_after_a_human_reply(app, client):
    clock.freeze(datetime(2026, 11, 23, 3, 0))  # a Monday night, before opening
    world = make_world(app, client, autoReplyEnabled=True, autoReplyMessage="Мы закрыты",
                       humanQuietMinutes=30, businessHours={
                           "timezone": "UTC", "days": {"mon": [{"open": "09:00",
                                                               "close": "18:00"}]}})
    dialog_id = open_dialog(client, world)
    say(client, dialog_id, world.customer, "Алло")
    say(client, dialog_id, world.customer, "Есть кто?")
    assert bot_lines(client, dialog_id, world.customer) == ["Мы закрыты", "Мы закрыты"]
    say(client, dialog_id, world.operator, "Я здесь, слушаю")
    say(client, dialog_id, world.customer, "Отлично")
    assert len(bot_lines(client, dialog_id, world.customer)) == 2
    clock.advance(31 * 60)
    say(client, dialog_id, world.customer, "А теперь?")
    assert len(bot_lines(client, dialog_id, world.customer)) == 3


def test_the_bot_never_answers_the_team(app, client):
    world = make_world(app, client, autoReplyEnabled=True, autoReplyMessage="Авто",
                       inviteOwnerOnKeywords=["доставка"])
    dialog_id = open_dialog(client, world)
    say(client, dialog_id, world.operator, "доставка будет завтра")
    assert bot_lines(client, dialog_id, world.customer) == []


def test_first_human_reply_is_recorded(app, client):
    clock.freeze()
    world = make_world(app)
    dialog_id = open_dialog(client, world)
    say(client, dialog_id, world.customer, "Вопрос")
    clock.advance(90)
    say(client, dialog_id, world.owner, "Ответ")
    clock.advance(90)
    say(client, dialog_id, world.operator, "Ещё ответ")
    with app.app_context():
        conversation = Conversation.objects.get(id=dialog_id)
        first, last = conversation.first_human_reply_at, conversation.last_human_reply_at
        assert (last - first).total_seconds() == 90


def test_a_message_handled_again_after_a_failure_counts_once_and_is_answered(
        app, client, monkeypatch):
    """With mms3, a message event whose handling failed is delivered again by the consumer."""
    from app.conversations import messages
    from app.messaging.runtime import dispatcher

    world = make_world(app, client, autoReplyEnabled=True, autoReplyMessage="Скоро ответим")
    dialog_id = open_dialog(client, world)
    delivered = []
    with app.app_context():
        # The event is taken as the message is posted, and handled below by hand.
        monkeypatch.setattr(dispatcher(), "dispatch", delivered.append)
    say(client, dialog_id, world.customer, "Здравствуйте")
    [event] = [e for e in delivered if e["eventType"].startswith("message.create")]

    post_bot_message = messages.post_bot_message

    def messaging_down(*args, **kwargs):
        raise ConnectionError("the messaging service is down")

    with app.test_request_context():
        monkeypatch.setattr(messages, "post_bot_message", messaging_down)
        with pytest.raises(ConnectionError):
            messages.record_message(event)
        monkeypatch.setattr(messages, "post_bot_message", post_bot_message)
        messages.record_message(event)  # delivered again
        conversation = Conversation.objects.get(id=dialog_id)
        assert (conversation.customer_messages, conversation.team_unread) == (1, 1)
    assert bot_lines(client, dialog_id, world.customer) == ["Скоро ответим"]
