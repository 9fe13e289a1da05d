"""Businesses: create (all or nothing), read, edit, slugs and redirects, soft delete, logo."""

import io

import pytest
from PIL import Image

from app.models import Business, BusinessMember, BusinessSettings, Category, SlugClaim

OWNER = "+79161234567"


@pytest.fixture
def owner(auth):
    return auth.sign_in(OWNER)


def create(client, auth, tokens, **payload):
    payload.setdefault("name", "Кофейня на Арбате")
    return client.post("/api/businesses", json=payload, headers=auth.bearer(tokens["accessToken"]))


def category_ids(app, *slugs):
    with app.app_context():
        return [Category.objects.get(slug=slug).id for slug in slugs]


def test_create_makes_owner_member_and_settings(app, client, auth, owner):
    response = create(client, auth, owner, description="Кофе и выпечка",
                      categoryIds=category_ids(app, "coffee"),
                      location={"address": "Арбат, 10", "lat": 55.7517, "lng": 37.5975})
    assert response.status_code == 201
    data = response.get_json()["data"]
    assert data["id"].startswith("biz_") and data["slug"] == "kofeinia-na-arbate"
    assert data["myRole"] == "owner" and all(data["myPermissions"].values())
    assert data["location"] == {"address": "Арбат, 10", "lat": 55.7517, "lng": 37.5975}
    assert data["categories"][0]["slug"] == "coffee"
    with app.app_context():
        assert BusinessMember.objects(business_id=data["id"], role="owner").count() == 1
        assert BusinessSettings.objects(business_id=data["id"]).count() == 1
        stored = Business.objects.get(id=data["id"])
        assert stored.location.point["coordinates"] == [37.5975, 55.7517]  # GeoJSON lng, lat


def test_create_is_all_or_nothing(app, client, auth, owner, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(BusinessSettings, "save", broken_save)
    response = create(client, auth, owner, slug="half-made")
    assert response.status_code == 500
    with app.app_context():
        assert Business.objects.count() == 0
        assert BusinessMember.objects.count() == 0
        assert SlugClaim.objects(id="half-made").count() == 0
    monkeypatch.undo()
    assert create(client, auth, owner, slug="half-made").status_code == 201


@pytest.mark.parametrize("slug,code", [
    ("ab", "invalid_slug"), ("a" * 49, "invalid_slug"), ("double--hyphen", "invalid_slug"),
    ("-edge", "invalid_slug"), ("edge-", "invalid_slug"), ("кофе", "invalid_slug"),
    ("under_score", "invalid_slug"), ("admin", "slug_reserved"), ("api", "slug_reserved"),
    ("catalog", "slug_reserved"), ("widget", "slug_reserved"), ("login", "slug_reserved"),
])
def test_slug_rules(client, auth, owner, slug, code):
    response = create(client, auth, owner, slug=slug)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code


def test_slug_is_lower_cased_and_unique_without_regard_to_case(client, auth, owner):
    assert create(client, auth, owner, slug="Coffee-Bar").get_json()["data"]["slug"] == \
        "coffee-bar"
    taken = create(client, auth, owner, slug="COFFEE-BAR")
    assert taken.status_code == 409
    error = taken.get_json()["error"]
    assert error["code"] == "slug_taken"
    assert error["details"]["suggestions"] == ["coffee-bar-2", "coffee-bar-3", "coffee-bar-4"]


def test_suggestions_skip_taken_slugs_and_transliterate(client, auth, owner):
    create(client, auth, owner, slug="kofeinia-na-arbate")
    create(client, auth, owner, slug="kofeinia-na-arbate-2")
    response = client.get("/api/businesses/slug-suggestions?name=Кофейня на Арбате")
    assert response.get_json()["data"]["suggestions"] == [
        "kofeinia-na-arbate-3", "kofeinia-na-arbate-4", "kofeinia-na-arbate-5"]


def test_a_changed_slug_redirects_and_stays_reserved(app, client, auth, owner):
    business = create(client, auth, owner, slug="old-name").get_json()["data"]
    headers = auth.bearer(owner["accessToken"])
    moved = client.put(f"/api/businesses/{business['id']}", json={"slug": "new-name"},
                       headers=headers)
    assert moved.status_code == 200 and moved.get_json()["data"]["slug"] == "new-name"
    old = client.get("/api/businesses/slug/old-name")
    assert old.status_code == 301
    assert old.headers["Location"].endswith("/api/businesses/slug/new-name")
    assert client.get("/api/businesses/slug/NEW-NAME").status_code == 200
    # Nobody else can take the old slug: printed links must keep working.
    other = create(client, auth, auth.sign_in("+79167654321"), slug="old-name")
    assert other.status_code == 409
    # The business itself can go back to its old slug.
    back = client.put(f"/api/businesses/{business['id']}", json={"slug": "old-name"},
                      headers=headers)
    assert back.status_code == 200
    assert client.get("/api/businesses/slug/new-name").status_code == 301


def test_name_description_categories_and_location_rules(app, client, auth, owner):
    for payload, field in [
        ({"name": "   "}, "name"), ({"name": "x" * 121}, "name"),
        ({"description": "x" * 2001}, "description"),
        ({"categoryIds": category_ids(app, "coffee", "cafes", "bakeries", "flowers")},
         "categoryIds"),
        ({"categoryIds": ["cat_nope"]}, "categoryIds"),
        ({"location": {"lat": 91, "lng": 0}}, "location.lat"),
        ({"location": {"lat": 0, "lng": 181}}, "location.lng"),
        ({"location": {"lat": "55", "lng": 37}}, "location.lat"),
        ({"location": {"lat": 55, "lng": 37, "$where": "1"}}, "location.$where"),
    ]:
        response = create(client, auth, owner, **{"name": "Кафе", **payload})
        assert response.status_code == 422, payload
        error = response.get_json()["error"]
        fields = [f["field"] for f in error["details"].get("fields", [])] or \
            [error["details"].get("field")]
        assert field in fields, (payload, error)
    with app.app_context():
        assert Business.objects.count() == 0
    assert create(client, auth, owner, name="x" * 120, description="y" * 2000,
                  categoryIds=category_ids(app, "coffee", "cafes", "bakeries")).status_code == 201


def test_read_by_id_and_slug_public_and_team_views(app, client, auth, owner):
    business = create(client, auth, owner, slug="visible").get_json()["data"]
    public = client.get(f"/api/businesses/{business['id']}").get_json()["data"]
    assert "myRole" not in public and "qrCode" not in public
    team = client.get(f"/api/businesses/{business['id']}",
                      headers=auth.bearer(owner["accessToken"])).get_json()["data"]
    assert team["myRole"] == "owner"


def test_hidden_is_reachable_by_link_blocked_and_deleted_are_not(app, client, auth, owner):
    headers = auth.bearer(owner["accessToken"])
    hidden = create(client, auth, owner, slug="hidden-one", isPublic=False).get_json()["data"]
    assert client.get("/api/businesses/slug/hidden-one").status_code == 200
    with app.app_context():
        Business.objects(id=hidden["id"]).update_one(set__blocked=True)
    assert client.get("/api/businesses/slug/hidden-one").status_code == 404
    assert client.get(f"/api/businesses/{hidden['id']}").status_code == 404
    # The team still sees its blocked business, flagged.
    team = client.get(f"/api/businesses/{hidden['id']}", headers=headers).get_json()["data"]
    assert team["blocked"] is True
    gone = create(client, auth, owner, slug="gone-soon").get_json()["data"]
    assert client.delete(f"/api/businesses/{gone['id']}", headers=headers).status_code == 200
    assert client.get("/api/businesses/slug/gone-soon").status_code == 404
    assert client.get(f"/api/businesses/{gone['id']}", headers=headers).status_code == 404
    assert create(client, auth, owner, slug="gone-soon").status_code == 409


def test_list_by_owner_shows_hidden_only_to_the_owner(app, client, auth, owner):
    create(client, auth, owner, slug="open-one")
    create(client, auth, owner, slug="hidden-two", isPublic=False)
    url = f"/api/businesses?ownerId={owner['user']['id']}"
    mine = client.get(url, headers=auth.bearer(owner["accessToken"])).get_json()
    assert mine["pagination"]["total"] == 2
    theirs = client.get(url).get_json()
    assert [b["slug"] for b in theirs["data"]] == ["open-one"]
    # Without ownerId (the plan's list): the public businesses, in pages, the hidden one not.
    everyone = client.get("/api/businesses?limit=1").get_json()
    assert [b["slug"] for b in everyone["data"]] == ["open-one"]
    assert everyone["pagination"]["total"] == 1
    assert client.get("/api/businesses?limit=1000").status_code == 422


def test_update_edits_fields_and_search_text(app, client, auth, owner):
    business = create(client, auth, owner, slug="editable").get_json()["data"]
    response = client.put(f"/api/businesses/{business['id']}",
                          json={"name": "Новое Имя", "description": "Пельмени", "isPublic": False,
                                "location": None},
                          headers=auth.bearer(owner["accessToken"]))
    data = response.get_json()["data"]
    assert (data["name"], data["isPublic"], data["location"]) == ("Новое Имя", False, None)
    with app.app_context():
        assert Business.objects.get(id=business["id"]).search_words == ["новое", "имя", "пельмени"]
    null_name = client.put(f"/api/businesses/{business['id']}", json={"name": None},
                           headers=auth.bearer(owner["accessToken"]))
    assert null_name.status_code == 422


def test_logo_upload(app, client, auth, owner):
    business = create(client, auth, owner, slug="with-logo").get_json()["data"]
    image = io.BytesIO()
    Image.new("RGB", (800, 400), (10, 120, 200)).save(image, format="PNG")
    response = client.post(f"/api/businesses/{business['id']}/logo",
                           data={"file": (io.BytesIO(image.getvalue()), "logo.png")},
                           headers=auth.bearer(owner["accessToken"]))
    assert response.status_code == 200
    logo = response.get_json()["data"]["logoUrl"]
    served = client.get(logo.removeprefix("http://bank.test"))
    assert Image.open(io.BytesIO(served.data)).format == "WEBP"
    fake = client.post(f"/api/businesses/{business['id']}/logo",
                       data={"file": (io.BytesIO(b"not an image"), "logo.png")},
                       headers=auth.bearer(owner["accessToken"]))
    assert fake.status_code == 415



def test_a_location_in_the_plans_shape_or_as_an_address_alone(app, client, auth, owner):
    planned = create(client, auth, owner, slug="plan-shape", location={
        "address": "Москва, Тверская, 1", "coordinates": {"lat": 55.757, "lng": 37.615}})
    assert planned.status_code == 201, planned.get_json()
    assert planned.get_json()["data"]["location"] == {
        "address": "Москва, Тверская, 1", "lat": 55.757, "lng": 37.615}
    bare = create(client, auth, owner, slug="address-only",
                  location={"address": "Москва, Арбат, 5"})
    assert bare.status_code == 201, bare.get_json()
    assert bare.get_json()["data"]["location"] == {
        "address": "Москва, Арбат, 5", "lat": None, "lng": None}
    # Listed in the catalog, but not found by distance.
    assert "address-only" in [b["slug"] for b in client.get("/api/catalog").get_json()["data"]]
    near = client.get("/api/catalog?lat=55.75&lng=37.6&radius=10000").get_json()["data"]
    assert [b["slug"] for b in near] == ["plan-shape"]
    for wrong in ({"address": "x", "lat": 55.7},
                  {"lat": 55.7, "lng": 37.6, "coordinates": {"lat": 55.7, "lng": 37.6}},
                  {"coordinates": {"lat": 91, "lng": 37.6}}, {"address": "  "}, {}):
        refused = create(client, auth, owner, slug="wrong-place", location=wrong)
        assert refused.status_code == 422, (wrong, refused.get_json())
