"""Subscriptions: idempotent, counted, listed for me and for the team."""

from app.models import Business, Subscription
from tests import factories


def setup(app):
    owner = factories.signed_in(app, "+79160000001")
    reader = factories.signed_in(app, "+79160000002", "Читатель")
    business = factories.business(app, owner["user"]["id"], slug="subscribable")
    return owner, reader, business


def bearer(tokens):
    return {"Authorization": f"Bearer {tokens['accessToken']}"}


def test_subscribe_twice_counts_once(app, client):
    _owner, reader, business = setup(app)
    url = f"/api/businesses/{business.id}/subscribe"
    first = client.post(url, headers=bearer(reader)).get_json()["data"]
    second = client.post(url, headers=bearer(reader)).get_json()["data"]
    assert first == second == {"subscribed": True, "subscriberCount": 1}
    with app.app_context():
        assert Subscription.objects(business_id=business.id).count() == 1


def test_unsubscribe_twice_counts_once(app, client):
    _owner, reader, business = setup(app)
    url = f"/api/businesses/{business.id}/subscribe"
    client.post(url, headers=bearer(reader))
    assert client.delete(url, headers=bearer(reader)).get_json()["data"]["subscriberCount"] == 0
    assert client.delete(url, headers=bearer(reader)).get_json()["data"]["subscriberCount"] == 0
    with app.app_context():
        assert Business.objects.get(id=business.id).subscriber_count == 0


def test_my_subscriptions_and_profile_counts(app, client):
    owner, reader, business = setup(app)
    other = factories.business(app, owner["user"]["id"], name="Вторая", slug="second-one")
    for b in (business, other):
        client.post(f"/api/businesses/{b.id}/subscribe", headers=bearer(reader))
    mine = client.get("/api/me/subscriptions", headers=bearer(reader)).get_json()
    assert [row["business"]["slug"] for row in mine["data"]] == ["second-one", "subscribable"]
    assert mine["data"][0]["subscribedAt"].endswith("Z")
    assert mine["pagination"]["total"] == 2
    me = client.get("/api/me", headers=bearer(reader)).get_json()["data"]
    assert me["counts"]["subscriptions"] == 2


def test_subscribers_are_listed_for_the_team(app, client):
    owner, reader, business = setup(app)
    client.post(f"/api/businesses/{business.id}/subscribe", headers=bearer(reader))
    listing = client.get(f"/api/businesses/{business.id}/subscribers", headers=bearer(owner))
    assert [row["user"]["name"] for row in listing.get_json()["data"]] == ["Читатель"]
    assert "phone" not in listing.get_json()["data"][0]["user"]


def test_hidden_businesses_can_be_subscribed_blocked_ones_cannot(app, client):
    owner, reader, business = setup(app)
    hidden = factories.business(app, owner["user"]["id"], name="Тайное", slug="secret-place",
                                is_public=False)
    assert client.post(f"/api/businesses/{hidden.id}/subscribe",
                       headers=bearer(reader)).status_code == 200
    with app.app_context():
        Business.objects(id=business.id).update_one(set__blocked=True)
    blocked = client.post(f"/api/businesses/{business.id}/subscribe", headers=bearer(reader))
    assert blocked.status_code == 404
    assert client.post("/api/businesses/biz_nothing/subscribe",
                       headers=bearer(reader)).status_code == 404


def test_the_plans_channel_subscribe_path_is_the_same_subscription(app, client):
    _owner, reader, business = setup(app)
    plan = f"/api/businesses/{business.id}/channel/subscribe"
    ours = f"/api/businesses/{business.id}/subscribe"
    assert client.post(plan, headers=bearer(reader)).get_json()["data"] == {
        "subscribed": True, "subscriberCount": 1}
    assert client.post(ours, headers=bearer(reader)).get_json()["data"]["subscriberCount"] == 1
    assert client.delete(plan, headers=bearer(reader)).get_json()["data"] == {
        "subscribed": False, "subscriberCount": 0}
    assert client.post(plan).status_code == 401
    paths = client.get("/api/openapi.json").get_json()["paths"]
    documented = paths["/api/businesses/{business_id}/channel/subscribe"]
    assert {"post", "delete"} <= set(documented)
