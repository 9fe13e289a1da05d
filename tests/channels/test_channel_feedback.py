"""Reactions and comments on channel posts: only when the channel's settings allow them, from
the allowed list, by whom."""

import pytest

from tests.channels.channel_world import (
    B,
    feed,
    grant_publishing,
    make_channel_world,
    post_url,
    publish,
    settings,
)

# --- reactions and comments ---------------------------------------------------------------------

def react(client, world, post_id, who, emoji="👍", action="set"):
    return client.post(post_url(world, post_id, "/reactions"),
                       json={"emoji": emoji, "action": action}, headers=B(who) if who else {})


@pytest.fixture
def world(app, client):
    return make_channel_world(app, client)


def test_reactions_only_when_allowed_and_from_the_list(app, client, world):
    post_id = publish(client, world, world.owner).get_json()["data"]["id"]
    off = react(client, world, post_id, world.customer)
    assert off.status_code == 403 and off.get_json()["error"]["code"] == "reactions_off"
    settings(client, world, allowReactions=True)
    assert react(client, world, post_id, None).status_code == 401
    assert react(client, world, post_id, world.customer, "🤡").status_code == 422
    assert react(client, world, post_id, world.customer, "👍", "toggle").status_code == 422
    first = react(client, world, post_id, world.customer).get_json()["data"]
    again = react(client, world, post_id, world.customer).get_json()["data"]
    assert first == again == {"reactionCounts": {"👍": 1}, "myReactions": ["👍"]}
    react(client, world, post_id, world.stranger)
    react(client, world, post_id, world.stranger, "🔥")
    item = feed(client, world, world.stranger).get_json()["data"]["items"][0]
    assert item["reactionCounts"] == {"👍": 2, "🔥": 1}
    assert item["myReactions"] == ["👍", "🔥"]
    undone = react(client, world, post_id, world.customer, action="unset").get_json()["data"]
    assert undone == {"reactionCounts": {"👍": 1, "🔥": 1}, "myReactions": []}
    react(client, world, post_id, world.stranger, "🔥", "unset")
    react(client, world, post_id, world.stranger, "🔥", "unset")  # again: no change
    assert feed(client, world).get_json()["data"]["items"][0]["reactionCounts"] == {"👍": 1}


def test_no_reactions_or_comments_on_a_pending_post(app, client, world):
    settings(client, world, moderationEnabled=True, allowReactions=True, allowComments=True)
    grant_publishing(app, world, world.operator)
    post_id = publish(client, world, world.operator).get_json()["data"]["id"]
    assert react(client, world, post_id, world.customer).status_code == 404
    assert client.post(post_url(world, post_id, "/comments"), json={"text": "?"},
                       headers=B(world.customer)).status_code == 404


def test_comments_only_when_allowed(app, client, world):
    post_id = publish(client, world, world.owner).get_json()["data"]["id"]
    url = post_url(world, post_id, "/comments")
    off = client.post(url, json={"text": "Здорово"}, headers=B(world.customer))
    assert off.status_code == 403 and off.get_json()["error"]["code"] == "comments_off"
    assert client.get(url).status_code == 403
    settings(client, world, allowComments=True)
    assert client.post(url, json={"text": "Здорово"}).status_code == 401
    assert client.post(url, json={"text": "я" * 1001},
                       headers=B(world.customer)).status_code == 422
    assert client.post(url, json={"text": "   "}, headers=B(world.customer)).status_code == 422
    made = client.post(url, json={"text": " Здорово "}, headers=B(world.customer))
    assert made.status_code == 201
    client.post(url, json={"text": "А во сколько?"}, headers=B(world.stranger))
    listed = client.get(url).get_json()
    assert [c["text"] for c in listed["data"]] == ["Здорово", "А во сколько?"]
    assert listed["data"][0]["author"] == {"id": world.customer["user"]["id"], "name": "Кирилл"}
    assert listed["pagination"]["total"] == 2
    assert feed(client, world).get_json()["data"]["items"][0]["commentCount"] == 2


def test_a_comment_is_deleted_by_its_author_or_an_owner_or_manager(app, client, world):
    settings(client, world, allowComments=True)
    post_id = publish(client, world, world.owner).get_json()["data"]["id"]
    url = post_url(world, post_id, "/comments")
    first = client.post(url, json={"text": "раз"}, headers=B(world.customer)).get_json()["data"]
    second = client.post(url, json={"text": "два"}, headers=B(world.customer)).get_json()["data"]
    for who in (world.stranger, world.viewer, world.operator):
        assert client.delete(f"{url}/{first['id']}", headers=B(who)).status_code == 403
    assert client.delete(f"{url}/{first['id']}", headers=B(world.customer)).status_code == 200
    assert client.delete(f"{url}/{second['id']}", headers=B(world.manager)).status_code == 200
    assert client.delete(f"{url}/{second['id']}", headers=B(world.owner)).status_code == 404
    assert client.get(url).get_json()["data"] == []
    assert feed(client, world).get_json()["data"]["items"][0]["commentCount"] == 0


def test_a_customer_blocked_by_the_business_cannot_comment(app, client, world):
    settings(client, world, allowComments=True)
    post_id = publish(client, world, world.owner).get_json()["data"]["id"]
    with app.app_context():
        from app.businesses import customer_blocks

        customer_blocks.block(world.business_id, world.customer["user"]["id"], 24,
                              world.owner["user"]["id"])
    url = post_url(world, post_id, "/comments")
    refused = client.post(url, json={"text": "Снова я"}, headers=B(world.customer))
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "blocked_by_business"
    assert client.get(url).get_json()["data"] == []
