"""The admin JSON API (/api/admin/*): every endpoint called by each platform role, a
signed-in person with no role and an anonymous caller; phones masked by role; the back
office's audit entries; categories' rules."""

import pytest

from app.accounts import users
from app.models import AuditEntry, Business, Category, User
from tests import factories

ROLES = ("superadmin", "moderator", "support", "nobody", "anonymous")
PHONES = {"superadmin": "+79160000001", "moderator": "+79160000002",
          "support": "+79160000003", "nobody": "+79160000004"}
CUSTOMER = "+79165554433"
REASON = {"reason": "spam in the catalog"}

# (method, path, json body, expected statuses in the order of ROLES)
MATRIX = [
    ("GET", "/api/admin/users", None, (200, 200, 200, 403, 401)),
    ("GET", "/api/admin/users/{customer}", None, (200, 200, 200, 403, 401)),
    ("PUT", "/api/admin/users/{customer}", {"blocked": True, **REASON},
     (200, 200, 403, 403, 401)),
    ("DELETE", "/api/admin/users/{customer}", None, (405, 405, 405, 405, 405)),
    ("GET", "/api/admin/businesses", None, (200, 200, 200, 403, 401)),
    ("GET", "/api/admin/businesses/{b}", None, (200, 200, 200, 403, 401)),
    ("PUT", "/api/admin/businesses/{b}", {"blocked": True, **REASON},
     (200, 200, 403, 403, 401)),
    ("PUT", "/api/admin/businesses/{b}", {"hidden": True, **REASON}, (200, 200, 403, 403, 401)),
    ("PUT", "/api/admin/businesses/{b}", {"name": "Новое имя"}, (200, 403, 403, 403, 401)),
    ("GET", "/api/admin/categories", None, (200, 200, 200, 403, 401)),
    ("POST", "/api/admin/categories", {"name": "Бары", "slug": "bars"},
     (201, 403, 403, 403, 401)),
    ("PUT", "/api/admin/categories/{cat}", {"name": "Кафе и кофейни"},
     (200, 403, 403, 403, 401)),
    ("DELETE", "/api/admin/categories/{cat}", None, (200, 403, 403, 403, 401)),
    ("GET", "/api/admin/stats", None, (200, 200, 200, 403, 401)),
]
CASES = [(method, path, body, role, expected[i])
         for method, path, body, expected in MATRIX for i, role in enumerate(ROLES)]


@pytest.fixture
def world(app):
    tokens = {}
    for role, phone in PHONES.items():
        tokens[role] = factories.signed_in(app, phone)
        if role != "nobody":
            with app.app_context():
                users.grant_platform_role(phone, role)
    customer = factories.signed_in(app, CUSTOMER, "Анна")["user"]["id"]
    shop = factories.business(app, customer, slug="coffee")
    with app.app_context():
        category = Category(name="Кафе", slug="test-cafe").save()
    return {"tokens": tokens, "ids": {"customer": customer, "b": shop.id, "cat": category.id}}


def headers_of(auth, world, role):
    return {} if role == "anonymous" else auth.bearer(world["tokens"][role]["accessToken"])


@pytest.mark.parametrize("method,path,body,role,expected", CASES,
                         ids=[f"{m} {p} {b} as {r}" for m, p, b, r, _e in CASES])
def test_permission(client, auth, world, method, path, body, role, expected):
    response = client.open(path.format(**world["ids"]), method=method, json=body,
                           headers=headers_of(auth, world, role))
    assert response.status_code == expected, response.get_json()
    error = response.get_json().get("error")
    assert (error is None) == (expected < 400)
    if role == "nobody" and expected == 403:
        assert error["code"] == "not_staff"


@pytest.mark.parametrize("role,shown", [("superadmin", CUSTOMER), ("support", CUSTOMER),
                                        ("moderator", "+7916*****33")])
def test_phones_are_masked_for_roles_that_may_not_see_them(client, auth, world, role, shown):
    headers = headers_of(auth, world, role)
    listed = client.get("/api/admin/users?q=5554", headers=headers).get_json()
    assert [u["phone"] for u in listed["data"]] == [shown]
    one = client.get(f"/api/admin/users/{world['ids']['customer']}", headers=headers)
    assert one.get_json()["data"]["phone"] == shown
    body = client.get("/api/admin/users?limit=100", headers=headers).get_data(as_text=True)
    assert (CUSTOMER in body) == (role != "moderator")


def test_search_and_filters(client, auth, world):
    headers = headers_of(auth, world, "support")
    by_name = client.get("/api/admin/users?q=анн", headers=headers).get_json()
    assert [u["id"] for u in by_name["data"]] == [world["ids"]["customer"]]
    assert by_name["pagination"] == {"page": 1, "limit": 20, "total": 1, "pages": 1}
    staff = client.get("/api/admin/users?role=moderator", headers=headers).get_json()
    assert [u["phone"] for u in staff["data"]] == [PHONES["moderator"]]
    found = client.get("/api/admin/businesses?q=coff&blocked=false", headers=headers).get_json()
    assert [b["id"] for b in found["data"]] == [world["ids"]["b"]]
    assert client.get("/api/admin/businesses?blocked=true",
                      headers=headers).get_json()["data"] == []


def test_blocking_writes_the_back_offices_audit_entry_and_stops_the_user(app, client, auth,
                                                                         world):
    headers = headers_of(auth, world, "moderator")
    customer = world["ids"]["customer"]
    without_reason = client.put(f"/api/admin/users/{customer}", headers=headers,
                                json={"blocked": True})
    assert without_reason.status_code == 422
    blocked = client.put(f"/api/admin/users/{customer}", headers=headers,
                         json={"blocked": True, **REASON})
    assert blocked.get_json()["data"]["isBlocked"] is True
    with app.app_context():
        entry = AuditEntry.objects(target_id=customer).get()
        assert (entry.area, entry.action, entry.target_type, entry.reason) == (
            "admin", "block", "user", REASON["reason"])
        assert entry.changes["isBlocked"] == {"before": False, "after": True}
        assert User.objects.get(id=customer).is_blocked
    # a moderator cannot block platform staff (only a superadmin can), as in the back office
    support = world["tokens"]["support"]["user"]["id"]
    refused = client.put(f"/api/admin/users/{support}", headers=headers,
                         json={"blocked": True, **REASON})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "cannot_block_staff"


def test_business_moderation_and_edits_are_audited(app, client, auth, world):
    shop = world["ids"]["b"]
    moderator = headers_of(auth, world, "moderator")
    hidden = client.put(f"/api/admin/businesses/{shop}", headers=moderator,
                        json={"hidden": True, **REASON})
    assert hidden.get_json()["data"]["hidden"] is True
    # a moderator asking for an edit too gets nothing done
    mixed = client.put(f"/api/admin/businesses/{shop}", headers=moderator,
                       json={"blocked": True, "name": "Другое", **REASON})
    assert mixed.status_code == 403
    superadmin = headers_of(auth, world, "superadmin")
    edited = client.put(f"/api/admin/businesses/{shop}", headers=superadmin,
                        json={"name": "Кофейня на Арбате", "slug": "arbat-coffee",
                              "isPublic": False})
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["data"]["slug"] == "arbat-coffee"
    with app.app_context():
        business = Business.objects.get(id=shop)
        assert (business.hidden, business.blocked, business.is_public) == (True, False, False)
        entries = {e.action: e for e in AuditEntry.objects(target_type="business",
                                                           target_id=shop)}
        assert set(entries) == {"hide", "update"}
        assert entries["hide"].reason == REASON["reason"]
        assert entries["update"].changes["slug"] == {"before": "coffee",
                                                     "after": "arbat-coffee"}
        assert entries["update"].actor_id == world["tokens"]["superadmin"]["user"]["id"]


def test_categories_crud_with_a_taken_slug(app, client, auth, world):
    headers = headers_of(auth, world, "superadmin")
    cafe = world["ids"]["cat"]
    made = client.post("/api/admin/categories", headers=headers,
                       json={"name": "Кофейни", "slug": "coffee-shops", "parentId": cafe})
    assert made.status_code == 201
    child = made.get_json()["data"]
    assert child["parentId"] == cafe
    taken = client.post("/api/admin/categories", headers=headers,
                        json={"name": "Ещё кафе", "slug": "test-cafe"})
    assert taken.status_code == 409
    assert taken.get_json()["error"]["code"] == "slug_taken"
    renamed_to_taken = client.put(f"/api/admin/categories/{child['id']}", headers=headers,
                                  json={"slug": "test-cafe"})
    assert renamed_to_taken.status_code == 409
    bad_slug = client.post("/api/admin/categories", headers=headers,
                           json={"name": "Бары", "slug": "Bars!"})
    assert bad_slug.status_code == 422
    loop = client.put(f"/api/admin/categories/{cafe}", headers=headers,
                      json={"parentId": child["id"]})
    assert loop.status_code == 422
    listed = client.get("/api/admin/categories", headers=headers).get_json()["data"]
    ours = [(c["slug"], c["depth"]) for c in listed if c["slug"] in ("test-cafe", "coffee-shops")]
    assert ours == [("test-cafe", 0), ("coffee-shops", 1)]
    in_use = client.delete(f"/api/admin/categories/{cafe}", headers=headers)
    assert in_use.status_code == 409
    assert in_use.get_json()["error"]["code"] == "category_in_use"
    changed = client.put(f"/api/admin/categories/{child['id']}", headers=headers,
                         json={"name": "Кофейни и чайные", "isActive": False})
    assert changed.get_json()["data"]["isActive"] is False
    assert client.delete(f"/api/admin/categories/{child['id']}",
                         headers=headers).status_code == 200
    assert client.delete(f"/api/admin/categories/{child['id']}",
                         headers=headers).status_code == 404
    with app.app_context():
        actions = [e.action for e in AuditEntry.objects(target_type="category",
                                                        target_id=child["id"]).order_by("at")]
        assert actions == ["create", "update", "delete"]
        assert Category.objects(id=cafe).count() == 1


def test_stats_are_the_dashboards(client, auth, world):
    data = client.get("/api/admin/stats", headers=headers_of(auth, world, "support")).get_json()
    assert data["data"]["totals"]["users"] == 5
    assert data["data"]["totals"]["businesses"] == 1
    assert len(data["data"]["days"]) == len(data["data"]["series"]["signups"])
