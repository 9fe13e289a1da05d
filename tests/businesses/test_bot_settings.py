"""Bot settings: every field shown (null where unset), validated, reset by null."""

from tests import factories


def setup(app):
    owner = factories.signed_in(app, "+79160000001")
    business = factories.business(app, owner["user"]["id"], slug="bot-biz")
    return {"Authorization": f"Bearer {owner['accessToken']}"}, \
        f"/api/businesses/{business.id}/bot/settings"


def test_get_shows_every_field_with_nulls(app, client):
    headers, url = setup(app)
    data = client.get(url, headers=headers).get_json()["data"]
    assert data == {
        "autoReplyEnabled": None, "autoReplyMessage": None, "inviteOwnerOnKeywords": None,
        "greeting": None, "businessHours": None, "humanQuietMinutes": None,
        "channelSettings": {"allowComments": None, "allowReactions": None,
                            "moderationEnabled": None},
        "updatedAt": data["updatedAt"],
    }


def test_put_stores_settings_and_null_resets(app, client):
    headers, url = setup(app)
    hours = {"timezone": "Europe/Moscow",
             "days": {"mon": [{"open": "09:00", "close": "13:00"},
                              {"open": "14:00", "close": "18:00"}],
                      "sat": [{"open": "10:00", "close": "24:00"}]}}
    response = client.put(url, headers=headers, json={
        "autoReplyEnabled": True, "autoReplyMessage": "Ответим скоро",
        "inviteOwnerOnKeywords": ["возврат", " жалоба ", "возврат"],
        "greeting": "Здравствуйте!", "businessHours": hours,
        "channelSettings": {"allowComments": True}})
    assert response.status_code == 200
    data = client.get(url, headers=headers).get_json()["data"]
    assert data["inviteOwnerOnKeywords"] == ["возврат", "жалоба"]
    assert data["businessHours"] == hours
    assert data["channelSettings"] == {"allowComments": True, "allowReactions": None,
                                       "moderationEnabled": None}
    client.put(url, headers=headers, json={"greeting": None, "channelSettings":
                                           {"allowReactions": False}})
    again = client.get(url, headers=headers).get_json()["data"]
    assert again["greeting"] is None and again["autoReplyMessage"] == "Ответим скоро"
    assert again["channelSettings"]["allowComments"] is True
    assert again["channelSettings"]["allowReactions"] is False


def test_bad_settings_are_422_and_change_nothing(app, client):
    headers, url = setup(app)
    for payload in (
        {"businessHours": {"timezone": "Mars/Olympus", "days": {}}},
        {"businessHours": {"timezone": "Europe/Moscow",
                           "days": {"mon": [{"open": "09:00", "close": "09:00"}]}}},
        {"businessHours": {"timezone": "Europe/Moscow",
                           "days": {"funday": [{"open": "09:00", "close": "10:00"}]}}},
        {"businessHours": {"timezone": "Europe/Moscow",
                           "days": {"mon": [{"open": "9:00", "close": "10:00"}]}}},
        {"autoReplyEnabled": "yes"},
        {"greeting": "x" * 1001},
        {"inviteOwnerOnKeywords": [""]},
        {"channelSettings": {"allowEverything": True}},
        {"unknown": 1},
    ):
        response = client.put(url, headers=headers, json=payload)
        assert response.status_code == 422, payload
    assert client.get(url, headers=headers).get_json()["data"]["businessHours"] is None


def test_the_team_sees_who_the_bot_is_and_what_it_does(app, client):
    headers, url = setup(app)
    client.put(url, json={"greeting": "Здравствуйте!", "inviteOwnerOnKeywords": ["мастер", "цена"]},
               headers=headers)
    answer = client.get(url.removesuffix("/settings"), headers=headers)
    assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()["data"]
    business_id = url.split("/")[3]
    assert data == {"id": f"bot_{business_id}", "name": "Кофейня на Арбате", "greets": True,
                    "autoReplyEnabled": False, "keywords": 2, "hasBusinessHours": False,
                    "humanQuietMinutes": None}
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/businesses/{business_id}/bot"]
