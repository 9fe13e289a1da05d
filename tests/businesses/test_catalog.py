"""The catalog: text, categories (with sub-categories), distance, pagination, isSubscribed."""

import os

import pytest

from app.lib import geo
from app.models import Business, Category
from tests import factories

MOSCOW = (55.7558, 37.6173)
MOSCOW_1KM_NORTH = (55.7648, 37.6173)
SAINT_PETERSBURG = (59.9343, 30.3351)


@pytest.fixture
def owner(app):
    return factories.signed_in(app, "+79160000001")


def add(app, owner, name, slug, at=None, categories=(), description="", **kwargs):
    location = {"address": name, "lat": at[0], "lng": at[1]} if at else None
    with app.app_context():
        ids = [Category.objects.get(slug=s).id for s in categories]
    return factories.business(app, owner["user"]["id"], name=name, slug=slug,
                              description=description, category_ids=ids,
                              location_data=location, **kwargs)


def slugs_of(response):
    assert response.status_code == 200, response.get_json()
    return [item["slug"] for item in response.get_json()["data"]]


def test_known_distances():
    # Great-circle figures for MongoDB's Earth radius (6378.1 km): Moscow–Saint Petersburg is
    # about 633.7 km; 0.2° of longitude on the equator, or across the pole, about 22.26 km.
    assert geo.distance_meters(*MOSCOW, *SAINT_PETERSBURG) == pytest.approx(633_700, rel=1e-3)
    assert geo.distance_meters(0, 179.9, 0, -179.9) == pytest.approx(22_264, rel=1e-3)
    assert geo.distance_meters(89.9, 0, 89.9, 180) == pytest.approx(22_264, rel=1e-3)


def test_text_search_is_case_insensitive_and_cyrillic_aware(app, client, owner):
    add(app, owner, "Кофейня на Арбате", "arbat", description="Свежая выпечка")
    add(app, owner, "Ёлка и Палка", "elka")
    add(app, owner, "Pizza Roma", "roma")
    assert slugs_of(client.get("/api/catalog?q=КОФЕ")) == ["arbat"]
    assert slugs_of(client.get("/api/catalog?q=выпечка")) == ["arbat"]
    assert slugs_of(client.get("/api/catalog?q=елка")) == ["elka"]
    assert slugs_of(client.get("/api/catalog?q=ЁЛКА палка")) == ["elka"]
    assert slugs_of(client.get("/api/catalog?q=pizza")) == ["roma"]
    assert slugs_of(client.get("/api/catalog?q=.*")) == []  # regex characters are literal
    # Words match by their beginnings, as typed: not from their middle.
    assert slugs_of(client.get("/api/catalog?q=коф вып")) == ["arbat"]
    assert slugs_of(client.get("/api/catalog?q=фейня")) == []
    assert slugs_of(client.get("/api/catalog?q=Арбате,")) == ["arbat"]
    assert len(slugs_of(client.get("/api/catalog"))) == 3


def test_only_public_active_unblocked_businesses(app, client, owner):
    add(app, owner, "Открытое кафе", "open-cafe")
    add(app, owner, "Скрытое кафе", "hidden-cafe", is_public=False)
    blocked = add(app, owner, "Блок кафе", "blocked-cafe")
    inactive = add(app, owner, "Спящее кафе", "sleeping-cafe")
    deleted = add(app, owner, "Удалённое кафе", "deleted-cafe")
    with app.app_context():
        Business.objects(id=blocked.id).update_one(set__blocked=True)
        Business.objects(id=inactive.id).update_one(set__is_active=False)
        Business.objects(id=deleted.id).update_one(set__deleted_at=deleted.created_at)
    assert slugs_of(client.get("/api/catalog?q=кафе")) == ["open-cafe"]


def test_category_filter_includes_sub_categories(app, client, owner):
    add(app, owner, "Кофейня", "coffee-one", categories=["coffee"])
    add(app, owner, "Пекарня", "bakery-one", categories=["bakeries"])
    add(app, owner, "Цветы", "flowers-one", categories=["flowers"])
    assert sorted(slugs_of(client.get("/api/catalog?category=food"))) == [
        "bakery-one", "coffee-one"]
    with app.app_context():
        coffee_id = Category.objects.get(slug="coffee").id
    assert slugs_of(client.get(f"/api/catalog?category={coffee_id}")) == ["coffee-one"]
    assert slugs_of(client.get("/api/catalog?category=no-such-category")) == []


def test_category_tree(client):
    tree = client.get("/api/catalog/categories").get_json()["data"]
    food = next(node for node in tree if node["slug"] == "food")
    assert {child["slug"] for child in food["children"]} >= {"coffee", "bakeries"}
    assert [node["order"] for node in tree] == sorted(node["order"] for node in tree)


def test_distance_search_sorts_by_distance_within_the_radius(app, client, owner):
    add(app, owner, "Центр", "center", at=MOSCOW)
    add(app, owner, "Север", "north", at=MOSCOW_1KM_NORTH)
    add(app, owner, "Питер", "piter", at=SAINT_PETERSBURG)
    add(app, owner, "Без адреса", "nowhere")
    near = client.get(f"/api/catalog?lat={MOSCOW_1KM_NORTH[0]}&lng={MOSCOW_1KM_NORTH[1]}")
    assert slugs_of(near) == ["north", "center"]
    distances = [item["distanceMeters"] for item in near.get_json()["data"]]
    assert distances[0] == pytest.approx(0, abs=1)
    assert distances[1] == pytest.approx(1002, rel=0.01)
    nearby = client.get(f"/api/businesses/nearby?lat={SAINT_PETERSBURG[0]}"
                        f"&lng={SAINT_PETERSBURG[1]}&radius=50000")
    assert slugs_of(nearby) == ["piter"]


def test_radius_default_and_maximum(app, client, owner):
    add(app, owner, "Центр", "center", at=MOSCOW)
    add(app, owner, "Шесть км", "six-km", at=(MOSCOW[0] + 0.054, MOSCOW[1]))
    assert slugs_of(client.get(f"/api/catalog?lat={MOSCOW[0]}&lng={MOSCOW[1]}")) == ["center"]
    assert slugs_of(client.get(f"/api/catalog?lat={MOSCOW[0]}&lng={MOSCOW[1]}&radius=7000")) \
        == ["center", "six-km"]
    too_far = client.get(f"/api/catalog?lat={MOSCOW[0]}&lng={MOSCOW[1]}&radius=50001")
    assert too_far.status_code == 422
    assert client.get("/api/catalog?lat=55").status_code == 422
    assert client.get("/api/catalog?lat=91&lng=0").status_code == 422
    assert client.get("/api/businesses/nearby?lat=55").status_code == 422


def test_distance_across_the_antimeridian_and_near_the_pole(app, client, owner):
    add(app, owner, "Восток", "east", at=(0.0, 179.99))
    add(app, owner, "Запад", "west", at=(0.0, -179.99))
    add(app, owner, "Полюс", "pole", at=(89.99, 100.0))
    across = client.get("/api/catalog?lat=0&lng=-179.995&radius=5000")
    assert slugs_of(across) == ["west", "east"]
    assert across.get_json()["data"][1]["distanceMeters"] == pytest.approx(1669.8, rel=0.01)
    polar = client.get("/api/catalog?lat=89.99&lng=-80&radius=5000")
    assert slugs_of(polar) == ["pole"]
    assert polar.get_json()["data"][0]["distanceMeters"] == pytest.approx(2226.4, rel=0.01)


def test_pagination(app, client, owner):
    for n in range(5):
        add(app, owner, f"Кафе {n}", f"cafe-{n}")
    first = client.get("/api/catalog?q=кафе&limit=2").get_json()
    assert first["pagination"] == {"page": 1, "limit": 2, "total": 5, "pages": 3}
    last = client.get("/api/catalog?q=кафе&limit=2&page=3").get_json()
    assert len(last["data"]) == 1
    seen = {i["slug"] for p in (1, 2, 3)
            for i in client.get(f"/api/catalog?q=кафе&limit=2&page={p}").get_json()["data"]}
    assert len(seen) == 5
    assert client.get("/api/catalog?limit=101").status_code == 422
    assert client.get("/api/catalog?page=0").status_code == 422
    assert client.get("/api/catalog?unknown=1").status_code == 422


@pytest.mark.skipif(bool(os.environ.get("MONGODB_URI")),
                    reason="counts queries through the embedded store's collection class")
def test_is_subscribed_on_each_item_with_one_query(app, client, owner, monkeypatch):
    import mongomock

    for n in range(4):
        add(app, owner, f"Кафе {n}", f"cafe-{n}")
    reader = factories.signed_in(app, "+79160000002")
    headers = {"Authorization": f"Bearer {reader['accessToken']}"}
    with app.app_context():
        ids = {b.slug: b.id for b in Business.objects}
    for slug in ("cafe-1", "cafe-3"):
        client.post(f"/api/businesses/{ids[slug]}/subscribe", headers=headers)

    calls = []
    original = mongomock.collection.Collection.find

    def counting_find(self, *args, **kwargs):
        calls.append(self.name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(mongomock.collection.Collection, "find", counting_find)
    items = client.get("/api/catalog?q=кафе", headers=headers).get_json()["data"]
    assert {i["slug"]: i["isSubscribed"] for i in items} == {
        "cafe-0": False, "cafe-1": True, "cafe-2": False, "cafe-3": True}
    assert calls.count("subscriptions") == 1
    anonymous = client.get("/api/catalog?q=кафе").get_json()["data"]
    assert all("isSubscribed" not in item for item in anonymous)
