"""The OpenAPI document says what the API does, because both come from the same declarations:
every route and method is documented and nothing more; a required query parameter or body
field is marked required and a request without it answers 422 naming it; a view answers only
with the success statuses it documents; the limits are the services' own; an id in a path
has its pattern, so "/businesses/nearby" is not a business."""

import re

import pytest
from flask import Blueprint

from app.accounts import users
from app.api.responses import ok, responds
from app.businesses import businesses
from tests.factories import business, person, signed_in


@pytest.fixture
def document(client):
    return client.get("/api/openapi.json").get_json()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def concrete(path):
    """The documented path with made-up values that fit each parameter's pattern."""
    return re.sub(r"{([^}]+)}", lambda m: "biz_0" if m.group(1) == "business_id" else "x0",
                  path)


def test_every_route_and_method_is_documented_and_nothing_else(app, document):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and not rule.endpoint.startswith("api.openapi."):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert {(path, method) for path, method, _op in operations(document)} == routes


def test_a_method_not_documented_on_a_path_answers_405(client, document):
    """PUT and DELETE were advertised on /businesses/slug-suggestions and /nearby, through
    /businesses/{business_id}: an id has a pattern now, and the server agrees."""
    parameter = document["paths"]["/api/businesses/{business_id}"]["put"]["parameters"][0]
    assert parameter["schema"]["pattern"] == "^biz_[0-9a-z]{1,40}$"
    for path in ("/api/businesses/slug-suggestions", "/api/businesses/nearby"):
        assert set(document["paths"][path]) == {"get"}
        for method in ("put", "delete"):
            answer = getattr(client, method)(path)
            assert answer.status_code == 405, (method, path)
            assert set(answer.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_a_required_query_parameter_missing_answers_422_naming_it(app, client, document):
    signed = signed_in(app, "+79161234567")
    checked = 0
    for path, method, operation in operations(document):
        required = [p["name"] for p in operation.get("parameters", ())
                    if p["in"] == "query" and p["required"]]
        if not required:
            continue
        answer = getattr(client, method)(concrete(path), headers={
            "Authorization": f"Bearer {signed['accessToken']}"})
        assert answer.status_code == 422, (path, answer.get_json())
        named = {f["field"] for f in answer.get_json()["error"]["details"]["fields"]}
        assert set(required) <= named, (path, named)
        checked += 1
    assert checked >= 4  # ownerId, lat and lng, name, topics


def test_a_required_body_missing_answers_422_naming_its_fields(app, client, document):
    signed = signed_in(app, "+79161234567")
    checked = 0
    for path, method, operation in operations(document):
        body = operation.get("requestBody")
        if not body or not body["required"] or "application/json" not in body["content"]:
            continue
        name = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        required = document["components"]["schemas"][name]["required"]
        answer = getattr(client, method)(concrete(path), json={}, headers={
            "Authorization": f"Bearer {signed['accessToken']}"})
        assert answer.status_code == 422, (path, answer.get_json())
        named = {f["field"] for f in answer.get_json()["error"]["details"]["fields"]}
        assert set(required) <= named, (path, required, named)
        checked += 1
    assert checked >= 10


def test_created_resources_are_documented_and_answered_as_201(app, client, document):
    for path in ("/api/businesses", "/api/businesses/{business_id}/channel/messages",
                 "/api/businesses/{business_id}/members", "/api/reports",
                 "/api/dialogs/{dialog_id}/messages"):
        assert "201" in document["paths"][path]["post"]["responses"], path
    owner = signed_in(app, "+79161234567")
    made = client.post("/api/businesses", json={"name": "Кофейня", "slug": "coffee"},
                       headers={"Authorization": f"Bearer {owner['accessToken']}"})
    assert made.status_code == 201
    assert set(document["paths"]["/api/businesses"]["get"]["responses"]) == {"200", "4XX"}


def test_a_view_answering_a_status_it_did_not_declare_fails_loudly(app):
    bp = Blueprint("probe", __name__)

    @bp.get("/api/probe-declared")
    @responds(201)
    def declared():
        return ok({"made": True})

    @bp.get("/api/probe-undeclared")
    def undeclared():
        return ok({"made": True}, status=201)

    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/api/probe-declared").status_code == 201
    assert client.get("/api/probe-undeclared").status_code == 500


def test_the_documented_limits_are_the_services(document):
    schemas = document["components"]["schemas"]
    assert schemas["BusinessCreate"]["properties"]["name"]["maxLength"] == businesses.NAME_MAX
    assert schemas["BusinessCreate"]["properties"]["description"]["maxLength"] == \
        businesses.DESCRIPTION_MAX
    name = schemas["ProfileUpdate"]["properties"]["name"]["anyOf"][0]
    assert name["maxLength"] == users.NAME_MAX


def test_the_limits_hold_at_the_edge(app, client):
    owner = signed_in(app, "+79161234567")
    headers = {"Authorization": f"Bearer {owner['accessToken']}"}
    shop = business(app, person(app, "+79161234567"), "Кофейня", slug="coffee")
    edge = client.put(f"/api/businesses/{shop.id}", headers=headers,
                      json={"name": "к" * businesses.NAME_MAX})
    over = client.put(f"/api/businesses/{shop.id}", headers=headers,
                      json={"name": "к" * (businesses.NAME_MAX + 1)})
    assert (edge.status_code, over.status_code) == (200, 422)
