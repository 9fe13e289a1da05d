"""A business with a manager, and the channel API as its tests call it."""

import io

from PIL import Image

from app.models import Business, BusinessMember
from tests.conversations.dialog_world import World, make_world
from tests.factories import member, signed_in

B = World.bearer


def make_channel_world(app, client):
    """The dialog tests' world, plus a manager."""
    found = make_world(app, client)
    found.manager = signed_in(app, "+79160000006", "Майя")
    member(app, found.business_id, found.manager["user"]["id"], "manager")
    return found


def settings(client, world, **channel):
    answer = client.put(f"/api/businesses/{world.business_id}/bot/settings",
                        json={"channelSettings": channel}, headers=B(world.owner))
    assert answer.status_code == 200, answer.get_json()


def grant_publishing(app, world, who):
    with app.app_context():
        BusinessMember.objects(business_id=world.business_id, user_id=who["user"]["id"]) \
            .update_one(set__permissions={"canPublishChannel": True})


def subscribe(client, world, who):
    answer = client.post(f"/api/businesses/{world.business_id}/subscribe", headers=B(who))
    assert answer.status_code == 200, answer.get_json()


def publish(client, world, who, text="Открылись!", **kwargs):
    return client.post(f"/api/businesses/{world.business_id}/channel/messages",
                       json={"text": text}, headers=B(who) if who else {}, **kwargs)


def feed(client, world, who=None, **params):
    answer = client.get(f"/api/businesses/{world.business_id}/channel/messages",
                        query_string=params, headers=B(who) if who else {})
    return answer


def texts(client, world, who=None, **params):
    answer = feed(client, world, who, **params)
    assert answer.status_code == 200, answer.get_json()
    return [item["text"] for item in answer.get_json()["data"]["items"]]


def post_url(world, post_id, tail=""):
    return f"/api/businesses/{world.business_id}/channel/messages/{post_id}{tail}"


def channel_dialog(app, world):
    with app.app_context():
        return Business.objects.get(id=world.business_id).chat_channel_id


def png():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()
