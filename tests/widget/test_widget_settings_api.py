"""GET/PUT /api/businesses/<id>/widget/settings: the team reads the widget's settings, people
with canManageSettings change them; what is refused is said in a 422 naming the field, and
nothing is saved. The bottom offset (the launcher's distance from the bottom of the screen)
is the one the loader then reads."""

import pytest

from app.models import BusinessSettings
from tests import factories
from tests.widget.conftest import OWNER

OPERATOR = "+79160000022"


@pytest.fixture
def headers(app, shop):
    return {"Authorization": f"Bearer {factories.signed_in(app, OWNER)['accessToken']}"}


def url(shop):
    return f"/api/businesses/{shop['id']}/widget/settings"


def stored(shop):
    found = BusinessSettings.objects(business_id=shop["id"]).first()
    return found.to_mongo().to_dict() if found else None


def test_the_owner_reads_the_defaults_and_sets_the_bottom_offset(client, shop, headers):
    answer = client.get(url(shop), headers=headers)
    assert answer.status_code == 200
    assert answer.get_json()["data"] == {
        "color": "#2563eb", "position": "right", "launcherText": None, "bottomOffset": 20,
        "awayMessage": None, "identityRequired": False, "allowedOrigins": [],
        "identitySecretSet": False}

    answer = client.put(url(shop), headers=headers, json={"bottomOffset": 96})
    assert answer.status_code == 200
    assert answer.get_json()["data"]["bottomOffset"] == 96
    assert stored(shop)["widget"]["bottomOffset"] == 96
    # The loader reads it, and the other settings are as they were.
    appearance = client.get(f"/api/widget/{shop['slug']}/config").get_json()["data"]["appearance"]
    assert appearance["bottomOffset"] == 96 and appearance["color"] == "#2563eb"

    for edge in (0, 400):
        assert client.put(url(shop), headers=headers,
                          json={"bottomOffset": edge}).get_json()["data"]["bottomOffset"] == edge
    answer = client.put(url(shop), headers=headers, json={"bottomOffset": None})
    assert answer.get_json()["data"]["bottomOffset"] == 20  # null: the default again


@pytest.mark.parametrize("value", [-1, 401, 10000, 12.5, "96", "96px", True, [96], {"px": 96}])
def test_a_bad_bottom_offset_is_refused_naming_the_field_and_nothing_is_saved(
        client, shop, headers, value):
    client.put(url(shop), headers=headers, json={"bottomOffset": 50})
    before = stored(shop)
    answer = client.put(url(shop), headers=headers,
                        json={"bottomOffset": value, "color": "#000000"})
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "validation_error"
    assert [field["field"] for field in error["details"]["fields"]] == ["bottomOffset"]
    assert stored(shop) == before  # not the offset, nor the colour sent with it


def test_the_other_settings_keep_the_services_rules(client, shop, headers):
    answer = client.put(url(shop), headers=headers, json={
        "color": "#FF8800", "position": "left", "launcherText": "Напишите нам",
        "allowedOrigins": ["shop.example/", "https://shop.example"], "identityRequired": True})
    assert answer.status_code == 200
    data = answer.get_json()["data"]
    assert (data["color"], data["position"], data["allowedOrigins"]) == (
        "#ff8800", "left", ["https://shop.example"])
    refused = client.put(url(shop), headers=headers,
                         json={"allowedOrigins": ["javascript:alert(1)"]})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"]["fields"][0]["field"] == "allowedOrigins"
    assert client.put(url(shop), headers=headers,
                      json={"identitySecret": "x"}).status_code == 422  # made in the cabinet only
    assert stored(shop)["widget"].get("identitySecret") is None


def test_the_team_reads_but_only_settings_managers_change(app, client, shop):
    operator = factories.signed_in(app, OPERATOR)
    factories.member(app, shop["id"], operator["user"]["id"], "operator")
    as_operator = {"Authorization": f"Bearer {operator['accessToken']}"}
    assert client.get(url(shop), headers=as_operator).status_code == 200
    answer = client.put(url(shop), headers=as_operator, json={"bottomOffset": 96})
    assert answer.status_code == 403
    assert client.get(url(shop), headers=as_operator).get_json()["data"]["bottomOffset"] == 20
    stranger = factories.signed_in(app, "+79160000023")
    assert client.get(url(shop), headers={
        "Authorization": f"Bearer {stranger['accessToken']}"}).status_code == 403
    assert client.get(url(shop)).status_code == 401


def test_the_api_document_describes_the_offset_and_its_range(client):
    document = client.get("/api/openapi.json").get_json()
    path = document["paths"]["/api/businesses/{business_id}/widget/settings"]
    assert set(path) == {"get", "put"}
    schema = document["components"]["schemas"]["WidgetSettingsUpdate"]
    offset = schema["properties"]["bottomOffset"]["anyOf"][0]
    assert (offset["type"], offset["minimum"], offset["maximum"]) == ("integer", 0, 400)
    assert "bottom of the screen" in schema["properties"]["bottomOffset"]["description"]
    assert path["put"]["requestBody"]["content"]["application/json"]["schema"]["$ref"] == \
        "#/components/schemas/WidgetSettingsUpdate"
