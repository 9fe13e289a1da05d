"""My feed, GET /api/me/feed: the posts of every channel I subscribe to, newest first, by a
cursor; only published, not deleted posts of channels a subscriber may read (hidden ones
included, blocked and deleted businesses not); the channel feed's post shape with the
business; a constant number of queries a page."""

import os

import pytest

from app import clock
from app.models import Business, ChannelPost
from tests.channels.channel_world import (
    B,
    grant_publishing,
    make_channel_world,
    post_url,
    publish,
    settings,
    subscribe,
)
from tests.conversations.dialog_world import World
from tests.factories import business, signed_in


@pytest.fixture
def world(app, client):
    found = make_channel_world(app, client)
    # Two more businesses of another owner: the bakery, and the florist nobody here follows.
    found.other_owner = signed_in(app, "+79160000007", "Борис")
    found.bakery = World(business(app, found.other_owner["user"]["id"], name="Пекарня").id,
                         found.other_owner, None, None, found.customer, found.stranger)
    found.florist = World(business(app, found.other_owner["user"]["id"], name="Цветы").id,
                          found.other_owner, None, None, found.customer, found.stranger)
    return found


def my_feed(client, who, **params):
    return client.get("/api/me/feed", query_string=params, headers=B(who) if who else {})


def texts(client, who, **params):
    answer = my_feed(client, who, **params)
    assert answer.status_code == 200, answer.get_json()
    return [item["text"] for item in answer.get_json()["data"]["items"]]


def post(client, world, text):
    clock.advance(1)  # each post a second after the one before: a plain order to expect
    answer = publish(client, world, world.owner, text)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["data"]["id"]


def test_the_posts_of_my_subscriptions_newest_first(app, client, world):
    subscribe(client, world, world.customer)
    subscribe(client, world.bakery, world.customer)
    post(client, world, "Кофе: открылись")
    post(client, world.bakery, "Пекарня: свежий хлеб")
    post(client, world.florist, "Цветы: тюльпаны")  # not subscribed: never in my feed
    post(client, world, "Кофе: новое меню")
    assert texts(client, world.customer) == ["Кофе: новое меню", "Пекарня: свежий хлеб",
                                             "Кофе: открылись"]
    item = my_feed(client, world.customer).get_json()["data"]["items"][1]
    # The channel feed's shape, and where the post is from.
    assert item["business"] == {"id": world.bakery.business_id, "name": "Пекарня",
                                "slug": item["business"]["slug"], "logoUrl": None}
    assert item["author"] == {"id": world.other_owner["user"]["id"], "name": "Борис"}
    assert item["myReactions"] == [] and item["commentCount"] == 0
    assert item["status"] == "published" and item["businessId"] == world.bakery.business_id
    # Somebody else's feed is their own; a person with no subscriptions has an empty one.
    subscribe(client, world.florist, world.stranger)
    assert texts(client, world.stranger) == ["Цветы: тюльпаны"]
    assert texts(client, world.viewer) == []


def test_my_own_reactions_show_in_my_feed(app, client, world):
    settings(client, world, allowReactions=True)
    subscribe(client, world, world.customer)
    post_id = post(client, world, "Кофе: открылись")
    client.post(post_url(world, post_id, "/reactions"), json={"emoji": "🔥"},
                headers=B(world.customer))
    item = my_feed(client, world.customer).get_json()["data"]["items"][0]
    assert item["reactionCounts"] == {"🔥": 1} and item["myReactions"] == ["🔥"]


def test_pending_rejected_and_deleted_posts_are_not_in_it(app, client, world):
    settings(client, world, moderationEnabled=True)
    grant_publishing(app, world, world.operator)
    subscribe(client, world, world.customer)
    clock.advance(1)
    assert publish(client, world, world.operator, "Ждёт проверки").get_json()[
        "data"]["status"] == "pending"
    gone = post(client, world, "Удалён")
    post(client, world, "Виден")
    assert client.delete(post_url(world, gone), headers=B(world.owner)).status_code == 200
    assert texts(client, world.customer) == ["Виден"]


def test_a_hidden_business_stays_for_its_subscribers_not_for_others(app, client, world):
    """A business hidden by the moderators is still read by its subscribers (the channel
    feed's rule, posts.visible); someone else's subscription to it reaches no one else."""
    subscribe(client, world, world.customer)
    subscribe(client, world.bakery, world.stranger)
    post(client, world, "Кофе: только своим")
    post(client, world.bakery, "Пекарня: только своим")
    with app.app_context():
        Business.objects(id__in=[world.business_id, world.bakery.business_id]).update(
            set__hidden=True)
    assert texts(client, world.customer) == ["Кофе: только своим"]
    assert texts(client, world.stranger) == ["Пекарня: только своим"]


@pytest.mark.parametrize("change", [{"set__blocked": True},
                                    {"set__deleted_at": clock.now()}])
def test_a_blocked_or_deleted_business_leaves_the_feed(app, client, world, change):
    subscribe(client, world, world.customer)
    subscribe(client, world.bakery, world.customer)
    post(client, world, "Кофе")
    post(client, world.bakery, "Пекарня")
    with app.app_context():
        Business.objects(id=world.bakery.business_id).update_one(**change)
    assert texts(client, world.customer) == ["Кофе"]


def test_the_cursor_pages_without_repeats_or_gaps(app, client, world):
    for shop in (world, world.bakery, world.florist):
        subscribe(client, shop, world.customer)
    clock.freeze()  # time moves only when post() moves it
    for number in range(4):
        post(client, world, f"кофе {number}")
        post(client, world.bakery, f"пекарня {number}")
    for number in range(5):  # five posts of one millisecond: the id settles their order
        publish(client, world.florist, world.other_owner, f"цветы {number}")
    with app.app_context():
        expected = [p.id for p in ChannelPost.objects.order_by("-feed_at", "-id")]
    assert len(expected) == 13
    seen, cursor, pages = [], None, 0
    while pages < 10:  # 13 posts by 3: five pages; a cursor that loops fails, not hangs
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        answer = my_feed(client, world.customer, **params)
        assert answer.status_code == 200, answer.get_json()
        data = answer.get_json()["data"]
        seen += [item["id"] for item in data["items"]]
        pages += 1
        cursor = data["nextCursor"]
        if cursor is None:
            break
        if pages == 2:  # a new post while paging: it does not shift the pages after it
            post(client, world, "новее")
    assert seen == expected and pages == 5


def test_it_needs_a_sign_in_and_checks_its_parameters(client, world):
    assert my_feed(client, None).status_code == 401
    assert my_feed(client, world.customer, cursor="not-a-cursor").status_code == 422
    assert my_feed(client, world.customer, limit=101).status_code == 422
    assert my_feed(client, world.customer, page=2).status_code == 422  # unknown parameter
    document = client.get("/api/openapi.json").get_json()
    parameters = {p["name"] for p in document["paths"]["/api/me/feed"]["get"]["parameters"]}
    assert parameters == {"cursor", "limit"}


@pytest.mark.skipif(bool(os.environ.get("MONGODB_URI")),
                    reason="counts queries through the embedded store's collection class")
def test_a_page_costs_the_same_few_queries_whatever_its_size(app, client, world, monkeypatch):
    import mongomock

    settings(client, world, allowReactions=True)
    for shop in (world, world.bakery, world.florist):
        subscribe(client, shop, world.customer)
        for number in range(4):
            post(client, shop, f"пост {number}")
    calls = []
    original = mongomock.collection.Collection.find

    def counting_find(self, *args, **kwargs):
        calls.append(self.name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(mongomock.collection.Collection, "find", counting_find)
    counts = []
    for limit in (2, 12):
        calls.clear()
        assert len(my_feed(client, world.customer, limit=limit).get_json()["data"]["items"]) \
            == limit
        counts.append({name: calls.count(name) for name in set(calls)})
    assert counts[0] == counts[1]
    assert counts[1]["channel_posts"] == 1 and counts[1]["subscriptions"] == 1
