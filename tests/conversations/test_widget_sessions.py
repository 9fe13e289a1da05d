"""The chat widget's sessions: guests, identity verification, rate limits, joining a guest's
dialog to an account, resends after going offline, typing."""

import pytest

from app.businesses import widget_settings
from app.models import Conversation, Guest
from tests.conversations.dialog_world import World, make_world
from tests.factories import business, signed_in

B = World.bearer


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def shop(app, client):
    world = make_world(app, client, greeting="Здравствуйте!")
    with app.app_context():
        from app.models import Business

        world.slug = Business.objects.get(id=world.business_id).slug
    return world


def session(client, shop, **body):
    return client.post(f"/api/widget/{shop.slug}/session", json=body)


def guest_chat(client, shop, **body):
    """A new guest's token and dialog id, after the greeting."""
    started = session(client, shop, **body).get_json()["data"]
    dialog = client.post(f"/api/businesses/{shop.business_id}/start-dialog",
                         headers=bearer(started["token"]))
    assert dialog.status_code == 200, dialog.get_json()
    return started, dialog.get_json()["data"]["id"]


def texts(client, dialog_id, token):
    items = client.get(f"/api/dialogs/{dialog_id}/messages", headers=bearer(token))
    return [(m["sender"]["kind"], m["text"]) for m in reversed(items.get_json()["data"]["items"])]


def test_a_guest_writes_at_once_and_comes_back(client, shop):
    started, dialog_id = guest_chat(client, shop)
    assert started["guest"]["secret"] and not started["guest"]["verified"]
    token = started["token"]
    sent = client.post(f"/api/dialogs/{dialog_id}/messages", json={"text": "Вы открыты?"},
                       headers=bearer(token))
    assert sent.status_code == 201
    assert texts(client, dialog_id, token) == [("bot", "Здравствуйте!"),
                                               ("customer", "Вы открыты?")]
    # The widget keeps id and secret: the same guest and dialog come back, the secret is
    # not sent again.
    back = session(client, shop, guestId=started["guest"]["id"],
                   guestSecret=started["guest"]["secret"]).get_json()["data"]
    assert back["guest"]["id"] == started["guest"]["id"] and "secret" not in back["guest"]
    assert back["dialogId"] == dialog_id
    # A wrong secret proves nothing: a new guest.
    other = session(client, shop, guestId=started["guest"]["id"], guestSecret="x" * 43)
    assert other.get_json()["data"]["guest"]["id"] != started["guest"]["id"]


def test_a_guest_reaches_only_its_own_dialog(app, client, shop):
    started, dialog_id = guest_chat(client, shop)
    token = started["token"]
    # Another customer's dialog with the same business, and another business.
    customer = client.post(f"/api/businesses/{shop.business_id}/start-dialog",
                           headers=B(shop.customer)).get_json()["data"]["id"]
    other = business(app, shop.stranger["user"]["id"], name="Пекарня")
    assert client.get(f"/api/dialogs/{customer}", headers=bearer(token)).status_code == 404
    assert client.post(f"/api/dialogs/{customer}/messages", json={"text": "Эй"},
                       headers=bearer(token)).status_code == 404
    assert client.post(f"/api/businesses/{other.id}/start-dialog",
                       headers=bearer(token)).status_code == 403
    for path in ("/api/dialogs", "/api/me", f"/api/businesses/{shop.business_id}/dialogs"):
        assert client.get(path, headers=bearer(token)).status_code == 401, path
    assert client.get(f"/api/stream?topics=dialog:{customer}",
                      headers=bearer(token)).status_code == 403
    assert client.get(f"/api/dialogs/{dialog_id}", headers=bearer(token)).status_code == 200


def test_new_guests_are_limited_per_ip(make_app):
    app = make_app(WIDGET_GUESTS_PER_IP="2/hour")
    client = app.test_client()
    world = make_world(app)
    with app.app_context():
        from app.models import Business

        world.slug = Business.objects.get(id=world.business_id).slug
    assert session(client, world).status_code == 200
    first = session(client, world).get_json()["data"]
    refused = session(client, world)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    # A returning guest is not a new one.
    assert session(client, world, guestId=first["guest"]["id"],
                   guestSecret=first["guest"]["secret"]).status_code == 200


def test_new_dialogs_and_messages_are_limited(make_app):
    app = make_app(WIDGET_DIALOGS_PER_IP="1 per 12 hours", WIDGET_MESSAGES_PER_SESSION="3/minute")
    client = app.test_client()
    world = make_world(app)
    with app.app_context():
        from app.models import Business

        world.slug = Business.objects.get(id=world.business_id).slug
    started, dialog_id = guest_chat(client, world)
    url = f"/api/dialogs/{dialog_id}/messages"
    codes = [client.post(url, json={"text": f"{n}"}, headers=bearer(started["token"]))
             .status_code for n in range(4)]
    assert codes == [201, 201, 201, 429]
    second = session(client, world).get_json()["data"]
    assert client.post(f"/api/businesses/{world.business_id}/start-dialog",
                       headers=bearer(second["token"])).status_code == 429
    with app.app_context():
        assert Conversation.objects(business_id=world.business_id).count() == 1


def test_identity_verification(app, client, shop):
    with app.app_context():
        from app.models import Business, User

        owner = User.objects.get(id=shop.owner["user"]["id"])
        secret = widget_settings.rotate_secret(Business.objects.get(id=shop.business_id), owner)
    good = {"id": "crm-42", "signature": widget_settings.sign(secret, "crm-42")}
    first = session(client, shop, identity=good)
    assert first.status_code == 200 and first.get_json()["data"]["guest"]["verified"] is True
    again = session(client, shop, identity=good).get_json()["data"]
    assert again["guest"]["id"] == first.get_json()["data"]["guest"]["id"]
    forged = session(client, shop, identity={"id": "crm-43", "signature": good["signature"]})
    assert forged.status_code == 403 and forged.get_json()["error"]["code"] == "identity_invalid"
    with app.app_context():
        widget_settings.rotate_secret(Business.objects.get(id=shop.business_id), owner)
    assert session(client, shop, identity=good).status_code == 403  # the old secret is dead


def test_the_mandatory_switch_refuses_anonymous_guests(app, client, shop):
    with app.app_context():
        from app.models import Business, User

        owner = User.objects.get(id=shop.owner["user"]["id"])
        place = Business.objects.get(id=shop.business_id)
        secret = widget_settings.rotate_secret(place, owner)
        widget_settings.update(place, owner, {"identityRequired": True})
    refused = session(client, shop)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "identity_required"
    assert session(client, shop, identity={"id": "7", "signature": "00" * 32}).status_code == 403
    signed = {"id": "7", "signature": widget_settings.sign(secret, "7")}
    assert session(client, shop, identity=signed).status_code == 200
    with app.app_context():
        assert Guest.objects(business_id=shop.business_id).count() == 1


def test_switching_to_verified_customers_only_cuts_off_guests_already_in_the_chat(
        app, client, shop):
    """A guest's token lives a day; after the switch it is refused at once, for writing and
    for starting a dialog alike, while a verified customer's token goes on working."""
    started, dialog_id = guest_chat(client, shop)
    with app.app_context():
        from app.models import Business, User

        owner = User.objects.get(id=shop.owner["user"]["id"])
        place = Business.objects.get(id=shop.business_id)
        secret = widget_settings.rotate_secret(place, owner)
    verified = session(client, shop, identity={"id": "7", "signature": widget_settings.sign(
        secret, "7")}).get_json()["data"]
    with app.app_context():
        widget_settings.update(place, owner, {"identityRequired": True})
    token = started["token"]
    posted = client.post(f"/api/dialogs/{dialog_id}/messages", json={"text": "Я ещё здесь"},
                         headers=bearer(token))
    assert posted.status_code == 403
    assert posted.get_json()["error"]["code"] == "identity_required"
    restarted = client.post(f"/api/businesses/{shop.business_id}/start-dialog",
                            headers=bearer(token))
    assert restarted.status_code == 403
    assert client.get(f"/api/stream?topics=dialog:{dialog_id}",
                      headers=bearer(token)).status_code == 403
    allowed = client.post(f"/api/businesses/{shop.business_id}/start-dialog",
                          headers=bearer(verified["token"]))
    assert allowed.status_code == 200


def test_signing_in_joins_the_guests_dialog_to_the_account(app, client, shop):
    started, dialog_id = guest_chat(client, shop)
    client.post(f"/api/dialogs/{dialog_id}/messages", json={"text": "Я гость"},
                headers=bearer(started["token"]))
    person = signed_in(app, "+79160000099", "Гость Гостевич")
    body = {"guestId": started["guest"]["id"], "guestSecret": started["guest"]["secret"]}
    claimed = client.post(f"/api/widget/{shop.slug}/claim", json=body, headers=B(person))
    assert claimed.get_json()["data"]["dialogId"] == dialog_id
    mine = client.get("/api/dialogs", headers=B(person)).get_json()["data"]
    assert [d["id"] for d in mine] == [dialog_id]
    assert ("customer", "Я гость") in texts(client, dialog_id, person["accessToken"])
    # The guest's session is over, and its credentials cannot be claimed twice.
    assert client.get(f"/api/dialogs/{dialog_id}",
                      headers=bearer(started["token"])).status_code == 401
    assert client.post(f"/api/widget/{shop.slug}/claim", json=body,
                       headers=B(person)).status_code == 403


def account_and_guest_dialogs(client, shop, *guest_texts):
    """The customer's own dialog id, and a guest's session and dialog id after it wrote
    `guest_texts`."""
    own = client.post(f"/api/businesses/{shop.business_id}/start-dialog",
                      headers=B(shop.customer)).get_json()["data"]["id"]
    started, dialog_id = guest_chat(client, shop)
    for text in guest_texts:
        client.post(f"/api/dialogs/{dialog_id}/messages", json={"text": text},
                    headers=bearer(started["token"]))
    return own, started, dialog_id


def test_a_guests_messages_are_copied_into_an_existing_dialog(app, client, shop):
    own, started, dialog_id = account_and_guest_dialogs(client, shop, "Первое", "Второе")
    claimed = client.post(f"/api/widget/{shop.slug}/claim", headers=B(shop.customer), json={
        "guestId": started["guest"]["id"], "guestSecret": started["guest"]["secret"]})
    assert claimed.get_json()["data"]["dialogId"] == own
    seen = texts(client, own, shop.customer["accessToken"])
    assert seen[-2:] == [("customer", "Первое"), ("customer", "Второе")]
    with app.app_context():
        assert Conversation.objects.get(id=dialog_id).status == "archived"


def test_a_copy_that_fails_partway_is_finished_without_repeats(app, client, shop, monkeypatch):
    from app.messaging.embedded import EmbeddedGateway
    from app.messaging.gateway import MessagingError

    own, started, dialog_id = account_and_guest_dialogs(client, shop, "Первое", "Второе")
    original = EmbeddedGateway.post_message
    copies = []

    def fails_on_the_second(self, dialog_id, sender_id, content, **kwargs):
        if (kwargs.get("meta") or {}).get("copied"):
            copies.append(content)
            if len(copies) == 2:
                raise MessagingError("mms3 is down")
        return original(self, dialog_id, sender_id, content, **kwargs)

    monkeypatch.setattr(EmbeddedGateway, "post_message", fails_on_the_second)
    body = {"guestId": started["guest"]["id"], "guestSecret": started["guest"]["secret"]}
    assert client.post(f"/api/widget/{shop.slug}/claim", json=body,
                       headers=B(shop.customer)).status_code == 503
    again = client.post(f"/api/widget/{shop.slug}/claim", json=body, headers=B(shop.customer))
    assert again.status_code == 200, again.get_json()
    seen = [t for _kind, t in texts(client, own, shop.customer["accessToken"])]
    assert (seen.count("Первое"), seen.count("Второе")) == (1, 1)
    assert seen[-2:] == ["Первое", "Второе"]


def test_a_resend_with_the_same_client_id_posts_once(client, shop):
    started, dialog_id = guest_chat(client, shop)
    url, headers = f"/api/dialogs/{dialog_id}/messages", bearer(started["token"])
    body = {"text": "Набрано без сети", "clientId": "c-1"}
    first = client.post(url, json=body, headers=headers)
    again = client.post(url, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["data"]["id"] == first.get_json()["data"]["id"]
    assert [t for _k, t in texts(client, dialog_id, started["token"])].count(
        "Набрано без сети") == 1


def test_typing_reaches_the_dialogs_stream(app, client, shop):
    started, dialog_id = guest_chat(client, shop)
    with app.app_context():
        from app.live import bus

        with bus.subscribe([f"dialog:{dialog_id}"]) as stream:
            assert client.post(f"/api/dialogs/{dialog_id}/typing",
                               headers=bearer(started["token"])).status_code == 200
            names = []
            for event in stream.events(timeout=1):
                if event is None or event.name == "typing":  # None: a second of silence
                    names.append(event and event.name)
                    break
                names.append(event.name)
    assert names[-1] == "typing", names


def test_a_claim_that_fails_midway_can_be_made_again(app, client, shop, monkeypatch):
    from app.messaging.embedded import EmbeddedGateway
    from app.messaging.gateway import MessagingError

    started, dialog_id = guest_chat(client, shop)
    person = signed_in(app, "+79160000098", "Гость Гостевич")
    body = {"guestId": started["guest"]["id"], "guestSecret": started["guest"]["secret"]}
    original = EmbeddedGateway.add_member

    def unreachable(self, *args, **kwargs):
        raise MessagingError("mms3 is down")

    monkeypatch.setattr(EmbeddedGateway, "add_member", unreachable)
    down = client.post(f"/api/widget/{shop.slug}/claim", json=body, headers=B(person))
    assert down.status_code == 503
    # Nothing is lost: the guest still has its dialog, and the claim works once mms3 is back.
    assert client.get(f"/api/dialogs/{dialog_id}",
                      headers=bearer(started["token"])).status_code == 200
    monkeypatch.setattr(EmbeddedGateway, "add_member", original)
    again = client.post(f"/api/widget/{shop.slug}/claim", json=body, headers=B(person))
    assert again.get_json()["data"]["dialogId"] == dialog_id


def test_a_refused_send_can_be_resent_with_the_same_client_id(app, client, shop):
    dialog_id = client.post(f"/api/businesses/{shop.business_id}/start-dialog",
                            headers=B(shop.customer)).get_json()["data"]["id"]
    with app.app_context():
        from app.businesses import customer_blocks

        customer_blocks.block(shop.business_id, shop.customer["user"]["id"], 1,
                              shop.owner["user"]["id"])
    url, body = f"/api/dialogs/{dialog_id}/messages", {"text": "Снова я", "clientId": "c-9"}
    assert client.post(url, json=body, headers=B(shop.customer)).status_code == 403
    with app.app_context():
        customer_blocks.unblock(shop.business_id, shop.customer["user"]["id"])
    resent = client.post(url, json=body, headers=B(shop.customer))
    assert resent.status_code == 201 and resent.get_json()["data"]["text"] == "Снова я"


def test_allowed_websites_are_origins_and_nothing_else(app):
    from app.errors import AppError

    with app.app_context():
        assert widget_settings.clean_origin("Shop.Example/") == "https://shop.example"
        assert widget_settings.clean_origin("магазин.рф") == "https://xn--80aairftm.xn--p1ai"
        for hostile in ("https://*", "https://a.com; sandbox", "javascript:alert(1)",
                        "https://a..b", "https://user@shop.example", "https://shop.example/x"):
            with pytest.raises(AppError):
                widget_settings.clean_origin(hostile)


def test_a_guests_token_is_anonymous_on_the_public_endpoints(app, client, shop):
    """The widget sends its guest token where a sign-in is optional (the business, its
    channel, the catalog): 401 there broke the chat; it reads them as anyone would."""
    token = session(client, shop).get_json()["data"]["token"]
    business_url = f"/api/businesses/{shop.business_id}"
    post = client.post(f"{business_url}/channel/messages", json={"text": "Открылись"},
                       headers=bearer(shop.owner["accessToken"])).get_json()["data"]["id"]
    client.put(f"{business_url}/bot/settings", headers=bearer(shop.owner["accessToken"]),
               json={"channelSettings": {"allowComments": True}})
    for url in (business_url, f"/api/businesses/slug/{shop.slug}", f"{business_url}/channel",
                f"{business_url}/channel/messages",
                f"{business_url}/channel/messages/{post}/comments",
                "/api/catalog?q=Кофейня", "/api/catalog/categories"):
        answer = client.get(url, headers=bearer(token))
        assert answer.status_code == 200, (url, answer.get_json())
    feed = client.get(f"{business_url}/channel/messages", headers=bearer(token)).get_json()
    assert feed["data"]["items"][0]["myReactions"] is None  # anonymous: no reactions of its own
    # A forged token is still refused.
    assert client.get(business_url, headers=bearer(token[:-4] + "AAAA")).status_code == 401
