"""GET /api/widget/<slug>/config: what the loader on any website may read, and nothing more."""

from datetime import datetime

from app import clock
from app.models import Business
from tests.widget.conftest import WEEKDAYS_9_TO_6, configure, set_bot

URL = "/api/widget/coffee/config"


def test_any_website_may_read_it_without_credentials(client, shop):
    response = client.get(URL, headers={"Origin": "https://any.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Origin" in response.headers["Vary"]
    data = response.get_json()["data"]
    assert data["business"] == {"id": shop["id"], "name": "Кофейня", "slug": "coffee",
                                "logoUrl": None}
    assert data["appearance"] == {"color": "#2563eb", "position": "right", "launcherText": None,
                                  "bottomOffset": 20, "awayMessage": None,
                                  "identityRequired": False}
    assert data["online"] is None and data["nextOpeningAt"] is None  # no hours set


def test_it_shows_the_settings_but_never_the_secret_or_the_websites(app, client, shop):
    configure(app, shop, color="#FF8800", position="left", launcherText="Напишите нам",
              bottomOffset=96, awayMessage="Ответим утром",
              allowedOrigins=["https://shop.example"], identityRequired=True)
    set_bot(app, shop, greeting="Здравствуйте! Чем помочь?")
    with app.app_context():
        from app.businesses import widget_settings
        from app.models import User

        secret = widget_settings.rotate_secret(Business.objects.get(id=shop["id"]),
                                               User.objects.get(id=shop["owner"]))
    response = client.get(URL, headers={"Origin": "https://shop.example"})
    body = response.get_data(as_text=True)
    assert secret not in body and "shop.example" not in body
    assert "identitySecret" not in body and "allowedOrigins" not in body
    data = response.get_json()["data"]
    assert data["appearance"] == {"color": "#ff8800", "position": "left",
                                  "launcherText": "Напишите нам", "bottomOffset": 96,
                                  "awayMessage": "Ответим утром", "identityRequired": True}
    assert data["greeting"] == "Здравствуйте! Чем помочь?"
    assert data["awayMessage"] == "Ответим утром"


def test_embeddable_says_whether_the_asking_website_may_show_the_chat(app, client, shop):
    configure(app, shop, allowedOrigins=["https://shop.example", "http://localhost:8000"])
    for origin, allowed in (("https://shop.example", True), ("http://localhost:8000", True),
                            ("https://evil.example", False), ("http://shop.example", False),
                            ("http://bank.test", True)):  # our own pages
        data = client.get(URL, headers={"Origin": origin}).get_json()["data"]
        assert data["embeddable"] is allowed, origin
    assert client.get(URL).get_json()["data"]["embeddable"] is True  # same-origin: no Origin


def test_online_and_the_next_opening_follow_the_business_hours(app, client, shop):
    set_bot(app, shop, businessHours=WEEKDAYS_9_TO_6)
    clock.freeze(datetime(2026, 6, 1, 9, 0))  # Monday 12:00 in Moscow
    data = client.get(URL).get_json()["data"]
    assert data["online"] is True and data["nextOpeningAt"] is None

    clock.freeze(datetime(2026, 6, 5, 16, 30))  # Friday 19:30 in Moscow: closed till Monday
    data = client.get(URL).get_json()["data"]
    assert data["online"] is False
    assert data["nextOpeningAt"] == "2026-06-08T06:00:00.000Z"  # Monday 09:00 in Moscow


def test_a_former_slug_still_works_and_unknown_or_hidden_ones_do_not(app, client, shop):
    with app.app_context():
        from app.businesses import businesses

        businesses.change_slug(Business.objects.get(id=shop["id"]), "coffee-new")
    assert client.get(URL).get_json()["data"]["business"]["slug"] == "coffee-new"
    assert client.get("/api/widget/no-such-shop/config").status_code == 404
    Business.objects(id=shop["id"]).update_one(set__blocked=True)
    response = client.get("/api/widget/coffee-new/config")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "business_not_found"


def test_the_bottom_offset_reaches_the_loader_and_null_brings_the_default_back(app, client,
                                                                               shop):
    configure(app, shop, bottomOffset=0)
    assert client.get(URL).get_json()["data"]["appearance"]["bottomOffset"] == 0
    configure(app, shop, bottomOffset=400)
    assert client.get(URL).get_json()["data"]["appearance"]["bottomOffset"] == 400
    configure(app, shop, bottomOffset=None)
    assert client.get(URL).get_json()["data"]["appearance"]["bottomOffset"] == 20
