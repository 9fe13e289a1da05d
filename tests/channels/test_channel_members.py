"""Subscribers as members of the channel dialog: subscribing joins, unsubscribing leaves, the
backfill fixes drift; and the same through the mms3 adapter (the stand-in)."""

import pytest

from app.channels import members
from app.messaging import provisioning
from app.messaging.gateway import MessagingError
from app.messaging.runtime import gateway
from app.models import Business, ChannelPost, ChatMember
from tests.channels.channel_world import (
    B,
    channel_dialog,
    make_channel_world,
    post_url,
    publish,
    subscribe,
)
from tests.conversations.dialog_world import make_world


def active_members(app, world):
    with app.app_context():
        return {m.user_id for m in ChatMember.objects(chat_dialog_id=channel_dialog(app, world),
                                                        is_active=True)}


@pytest.fixture
def world(app, client):
    return make_channel_world(app, client)


def test_subscribing_joins_the_channel_dialog_and_unsubscribing_leaves_it(app, client, world):
    customer = world.customer["user"]["id"]
    assert customer not in active_members(app, world)
    subscribe(client, world, world.customer)
    assert customer in active_members(app, world)
    client.delete(f"/api/businesses/{world.business_id}/subscribe", headers=B(world.customer))
    assert customer not in active_members(app, world)
    assert f"bot_{world.business_id}" in active_members(app, world)


def test_a_subscription_never_fails_when_messaging_is_down_and_the_backfill_fixes_it(
        app, client, world, monkeypatch, runner):
    def down(*_args, **_kwargs):
        raise MessagingError("mms3 is down")

    with app.app_context():
        monkeypatch.setattr(gateway(), "add_member", down)
    subscribe(client, world, world.customer)
    subscribe(client, world, world.stranger)
    customer, stranger = world.customer["user"]["id"], world.stranger["user"]["id"]
    assert not {customer, stranger} & active_members(app, world)
    monkeypatch.undo()
    with app.app_context():  # someone out of step the other way: a member, not a subscriber
        gateway().add_member(channel_dialog(app, world), world.viewer["user"]["id"])
    result = runner.invoke(args=["channels", "backfill", "--business", world.business_id])
    assert result.exit_code == 0, result.output
    assert "2 added, 1 removed" in result.output
    assert active_members(app, world) == {customer, stranger, f"bot_{world.business_id}"}
    with app.app_context():
        assert members.backfill(world.business_id) == {
            "added": 0, "removed": 0, "redelivered": 0}



def test_people_who_subscribed_before_the_channel_could_be_made_join_it_once_it_is(
        app, client, world, monkeypatch):
    def down(*_args, **_kwargs):
        raise MessagingError("mms3 is down")

    with app.app_context():
        monkeypatch.setattr(gateway(), "create_dialog", down)
    made = client.post("/api/businesses", json={"name": "Пекарня у дома", "slug": "bakery-home"},
                       headers=B(world.owner))
    assert made.status_code == 201, made.get_json()
    business_id = made.get_json()["data"]["id"]
    joined = client.post(f"/api/businesses/{business_id}/subscribe", headers=B(world.customer))
    assert joined.status_code == 200, joined.get_json()
    monkeypatch.undo()
    with app.app_context():
        provisioning.retry(Business, business_id)
        channel = Business.objects.get(id=business_id).chat_channel_id
        assert channel is not None
        assert {m.user_id for m in ChatMember.objects(chat_dialog_id=channel, is_active=True)} \
            == {world.customer["user"]["id"], f"bot_{business_id}"}


# --- the same through the mms3 adapter (the stand-in) -----------------------------------------

def test_through_mms3_posts_edits_and_members_reach_the_channel_dialog(make_app, mms3):
    app = make_app(MMS3_API_URL=mms3.url, MMS3_API_KEY=mms3.api_key, MMS3_RETRIES=0)
    client = app.test_client()
    world = make_world(app, client)
    dialog_id = channel_dialog(app, world)
    stored = mms3.dialogs[("tnt_default", dialog_id)]
    assert stored["meta"] == {"type": "business_channel", "businessId": world.business_id}
    subscribe(client, world, world.customer)
    assert world.customer["user"]["id"] in stored["_members"]
    post_id = publish(client, world, world.owner, "Из mms3").get_json()["data"]["id"]
    client.patch(post_url(world, post_id), json={"text": "Из mms3, исправлено"},
                 headers=B(world.owner))
    with app.app_context():
        message_id = ChannelPost.objects.get(id=post_id).message_id
    message = mms3.messages[("tnt_default", message_id)]
    assert (message["senderId"], message["content"]) == (f"bot_{world.business_id}",
                                                         "Из mms3, исправлено")
    assert message["meta"]["authorId"] == world.owner["user"]["id"]
    del stored["_members"][world.customer["user"]["id"]]  # out of step, as after an outage
    with app.app_context():
        assert members.backfill(world.business_id)["added"] == 1
    assert world.customer["user"]["id"] in stored["_members"]
    client.delete(f"/api/businesses/{world.business_id}/subscribe", headers=B(world.customer))
    assert world.customer["user"]["id"] not in stored["_members"]
