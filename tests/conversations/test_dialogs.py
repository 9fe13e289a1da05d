"""Dialogs between customers and businesses through the API, on the embedded adapter."""

import threading

from app import clock
from app.models import Business, Conversation
from tests.conversations.dialog_world import World, make_world

B = World.bearer


def start(client, world, who=None):
    return client.post(f"/api/businesses/{world.business_id}/start-dialog",
                       headers=B(who or world.customer))


def texts(client, world, dialog_id, who):
    answer = client.get(f"/api/dialogs/{dialog_id}/messages", headers=B(who))
    assert answer.status_code == 200, answer.get_json()
    return [m["text"] for m in answer.get_json()["data"]["items"]]


def post(client, world, dialog_id, who, text):
    return client.post(f"/api/dialogs/{dialog_id}/messages", json={"text": text},
                       headers=B(who))


def test_start_dialog_greets_once_and_is_idempotent(app, client):
    world = make_world(app, client, greeting="Здравствуйте! Чем помочь?")
    first = start(client, world)
    assert first.status_code == 200, first.get_json()
    again = start(client, world)
    dialog_id = first.get_json()["data"]["id"]
    assert again.get_json()["data"]["id"] == dialog_id
    assert texts(client, world, dialog_id, world.customer) == ["Здравствуйте! Чем помочь?"]
    mine = client.get("/api/dialogs", headers=B(world.customer)).get_json()["data"]
    assert [d["id"] for d in mine] == [dialog_id]
    assert mine[0]["unreadCount"] == 1  # the greeting
    assert mine[0]["lastMessage"]["kind"] == "bot"


def test_racing_starts_make_one_dialog(app):
    world = make_world(app)
    barrier = threading.Barrier(4)
    ids, errors = [], []

    def run():
        client = app.test_client()
        barrier.wait()
        answer = start(client, world)
        (ids if answer.status_code == 200 else errors).append(
            answer.get_json()["data"].get("id") if answer.status_code == 200 else answer.data)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(ids)) == 1
    with app.app_context():
        assert Conversation.objects(business_id=world.business_id).count() == 1
        assert Conversation.objects.get(id=ids[0]).chat_dialog_id


def test_team_cannot_start_a_dialog_with_its_own_business(app, client):
    world = make_world(app)
    assert start(client, world, world.owner).status_code == 409


def test_who_may_read_and_post(app, client):
    world = make_world(app)
    dialog_id = start(client, world).get_json()["data"]["id"]
    assert post(client, world, dialog_id, world.customer, "Есть столик?").status_code == 201
    assert post(client, world, dialog_id, world.operator, "Да, есть").status_code == 201
    assert post(client, world, dialog_id, world.viewer, "Я только смотрю").status_code == 403
    assert post(client, world, dialog_id, world.stranger, "Привет").status_code == 404
    assert client.get(f"/api/dialogs/{dialog_id}", headers=B(world.stranger)).status_code == 404
    assert client.get(f"/api/dialogs/{dialog_id}/messages",
                      headers=B(world.viewer)).status_code == 200
    assert client.get(f"/api/dialogs/{dialog_id}").status_code == 401
    answer = client.get(f"/api/businesses/{world.business_id}/dialogs",
                        headers=B(world.customer))
    assert answer.status_code == 403
    assert texts(client, world, dialog_id, world.customer) == ["Да, есть", "Есть столик?"]


def test_team_reply_shows_business_and_operator(app, client):
    world = make_world(app)
    dialog_id = start(client, world).get_json()["data"]["id"]
    reply = post(client, world, dialog_id, world.operator, "Здравствуйте").get_json()["data"]
    assert reply["sender"] == {"kind": "team", "id": world.operator["user"]["id"],
                               "name": "Олег", "businessName": "Кофейня"}


def test_text_is_validated_and_stored_as_text(app, client):
    world = make_world(app)
    dialog_id = start(client, world).get_json()["data"]["id"]
    for bad in ("", "   ", "x" * 4001):
        assert post(client, world, dialog_id, world.customer, bad).status_code == 422
    answer = client.post(f"/api/dialogs/{dialog_id}/messages", json={"text": {"$gt": ""}},
                         headers=B(world.customer))
    assert answer.status_code == 422
    assert texts(client, world, dialog_id, world.customer) == []
    hostile = "<img src=x onerror=alert(1)>"
    assert post(client, world, dialog_id, world.customer, hostile).status_code == 201
    assert texts(client, world, dialog_id, world.customer) == [hostile]


def test_unread_counters_and_read(app, client):
    world = make_world(app)
    dialog_id = start(client, world).get_json()["data"]["id"]
    post(client, world, dialog_id, world.customer, "Раз")
    post(client, world, dialog_id, world.customer, "Два")
    inbox = client.get(f"/api/businesses/{world.business_id}/dialogs?unread=true",
                       headers=B(world.owner)).get_json()["data"]
    assert [(d["id"], d["unreadCount"]) for d in inbox] == [(dialog_id, 2)]
    assert client.patch(f"/api/dialogs/{dialog_id}/read",
                        headers=B(world.owner)).get_json()["data"]["unreadCount"] == 0
    assert client.get(f"/api/businesses/{world.business_id}/dialogs?unread=true",
                      headers=B(world.owner)).get_json()["data"] == []
    answer = client.patch(f"/api/dialogs/{dialog_id}/unread", headers=B(world.owner))
    assert answer.get_json()["data"]["unreadCount"] == 1
    post(client, world, dialog_id, world.operator, "Отвечаю")
    mine = client.get(f"/api/dialogs/{dialog_id}", headers=B(world.customer)).get_json()
    assert mine["data"]["unreadCount"] == 1
    client.patch(f"/api/dialogs/{dialog_id}/read", headers=B(world.customer))
    mine = client.get(f"/api/dialogs/{dialog_id}", headers=B(world.customer)).get_json()
    assert mine["data"]["unreadCount"] == 0
    assert client.patch(f"/api/dialogs/{dialog_id}/unread",
                        headers=B(world.customer)).status_code == 403


def test_a_viewer_reading_leaves_the_badge_to_those_who_answer(app, client):
    world = make_world(app)
    dialog_id = start(client, world).get_json()["data"]["id"]
    post(client, world, dialog_id, world.customer, "Есть кто?")
    read = client.patch(f"/api/dialogs/{dialog_id}/read", headers=B(world.viewer))
    assert read.status_code == 200
    unread = client.get(f"/api/businesses/{world.business_id}/dialogs?unread=true",
                        headers=B(world.operator)).get_json()["data"]
    assert [(d["id"], d["unreadCount"]) for d in unread] == [(dialog_id, 1)]


def test_a_customer_archives_in_their_own_list_and_a_new_message_brings_it_back(app, client):
    world = make_world(app)
    dialog_id = start(client, world).get_json()["data"]["id"]
    post(client, world, dialog_id, world.customer, "Спасибо, всё понятно")

    def mine(archived):
        answer = client.get(f"/api/dialogs?archived={str(archived).lower()}",
                            headers=B(world.customer))
        return [d["id"] for d in answer.get_json()["data"]]

    assert client.put(f"/api/dialogs/{dialog_id}/archive", json={"archived": True},
                      headers=B(world.customer)).status_code == 200
    assert (mine(False), mine(True)) == ([], [dialog_id])
    # The team's inbox is the team's: the dialog is still open there.
    inbox = client.get(f"/api/businesses/{world.business_id}/dialogs",
                       headers=B(world.owner)).get_json()["data"]
    assert [d["id"] for d in inbox] == [dialog_id]
    post(client, world, dialog_id, world.operator, "Рады помочь!")
    assert (mine(False), mine(True)) == ([dialog_id], [])


def test_archive_and_a_customer_message_reopens(app, client):
    world = make_world(app)
    dialog_id = start(client, world).get_json()["data"]["id"]
    post(client, world, dialog_id, world.customer, "Спасибо")
    url = f"/api/businesses/{world.business_id}/dialogs"
    assert client.put(f"/api/dialogs/{dialog_id}/archive", json={},
                      headers=B(world.viewer)).status_code == 403
    assert client.put(f"/api/dialogs/{dialog_id}/archive", json={},
                      headers=B(world.operator)).status_code == 200
    assert client.get(url, headers=B(world.owner)).get_json()["data"] == []
    archived = client.get(url + "?archived=true", headers=B(world.owner)).get_json()["data"]
    assert [d["id"] for d in archived] == [dialog_id]
    post(client, world, dialog_id, world.customer, "И ещё вопрос")
    assert [d["id"] for d in client.get(url, headers=B(world.owner))
            .get_json()["data"]] == [dialog_id]


def test_take_the_dialog(app, client):
    world = make_world(app)
    dialog_id = start(client, world).get_json()["data"]["id"]
    post(client, world, dialog_id, world.customer, "Алло")
    url = f"/api/businesses/{world.business_id}/dialogs?assigned=me"
    assert client.get(url, headers=B(world.operator)).get_json()["data"] == []
    answer = client.put(f"/api/dialogs/{dialog_id}/assign", headers=B(world.operator))
    assert answer.get_json()["data"]["assignedTo"] == world.operator["user"]["id"]
    assert [d["id"] for d in client.get(url, headers=B(world.operator))
            .get_json()["data"]] == [dialog_id]
    assert client.put(f"/api/dialogs/{dialog_id}/assign",
                      headers=B(world.viewer)).status_code == 403


def test_messages_page_with_a_cursor(app, client):
    world = make_world(app)
    dialog_id = start(client, world).get_json()["data"]["id"]
    for n in range(7):
        post(client, world, dialog_id, world.customer, f"m{n}")
        clock.advance(1)
    seen, cursor = [], None
    while True:
        query = f"?limit=3&cursor={cursor}" if cursor else "?limit=3"
        page = client.get(f"/api/dialogs/{dialog_id}/messages{query}",
                          headers=B(world.customer)).get_json()["data"]
        seen += [m["text"] for m in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert seen == [f"m{n}" for n in reversed(range(7))]
    bad = client.get(f"/api/dialogs/{dialog_id}/messages?cursor=nonsense",
                     headers=B(world.customer))
    assert bad.status_code == 422


def test_a_blocked_customer_is_refused_while_the_block_lasts(app, client):
    world = make_world(app)
    dialog_id = start(client, world).get_json()["data"]["id"]
    with app.app_context():
        from app.businesses import customer_blocks

        customer_blocks.block(world.business_id, world.customer["user"]["id"], 1,
                              world.owner["user"]["id"])
    refused = post(client, world, dialog_id, world.customer, "Эй")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "blocked_by_business"
    clock.advance(3601)
    assert post(client, world, dialog_id, world.customer, "Эй").status_code == 201


def test_a_new_business_gets_its_bot_and_channel(app):
    world = make_world(app)
    with app.app_context():
        business = Business.objects.get(id=world.business_id)
        assert business.chat_bot_id == f"bot_{business.id}"
        assert business.chat_channel_id
        assert business.chat_sync.state == "done"


def test_a_forged_cursor_is_refused_not_a_crash(app, client):
    import base64

    world = make_world(app)
    dialog_id = start(client, world).get_json()["data"]["id"]
    huge = base64.urlsafe_b64encode(b'[1000000000000000000000000000000,"x"]').decode()
    answer = client.get(f"/api/dialogs/{dialog_id}/messages?cursor={huge}",
                        headers=B(world.customer))
    assert answer.status_code == 422
    feed = client.get(f"/api/businesses/{world.business_id}/channel/messages?cursor={huge}")
    assert feed.status_code == 422


def test_a_blocked_business_accepts_no_messages_and_a_blocked_customer_no_new_dialog(app, client):
    world = make_world(app)
    dialog_id = start(client, world).get_json()["data"]["id"]
    with app.app_context():
        from app.businesses import customer_blocks

        Business.objects(id=world.business_id).update_one(set__blocked=True)
        # The team cannot answer either while the platform has blocked the business.
        for who in (world.customer, world.owner):
            refused = post(client, world, dialog_id, who, "Алло")
            assert refused.status_code == 403
            assert refused.get_json()["error"]["code"] == "business_unavailable"
        Business.objects(id=world.business_id).update_one(set__blocked=False)
        customer_blocks.block(world.business_id, world.stranger["user"]["id"], 24,
                              world.owner["user"]["id"])
    refused = start(client, world, world.stranger)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "blocked_by_business"
    with app.app_context():
        assert not Conversation.objects(customer_id=world.stranger["user"]["id"]).count()


def test_a_dialog_still_being_created_answers_503_with_retry_after(app, client, monkeypatch):
    from datetime import timedelta

    from app.conversations import dialogs

    world = make_world(app)
    with app.app_context():
        # Another request holds the lease on creating this dialog and has not finished.
        Conversation(business_id=world.business_id, customer_id=world.customer["user"]["id"],
                     creating_until=clock.now() + timedelta(seconds=15)).save()
    monkeypatch.setattr(dialogs, "_WAIT_SECONDS", 0.2)
    busy = start(client, world)
    assert busy.status_code == 503
    assert busy.get_json()["error"]["code"] == "messaging_busy"
    assert busy.headers["Retry-After"] == "2"
    clock.advance(16)  # the lease ran out: this request takes over and finishes the job
    assert start(client, world).status_code == 200


def test_every_signed_in_sender_has_a_per_minute_limit(make_app):
    """A customer posted 100 messages in 0.9 s, all taken: now everyone who writes has
    MESSAGES_PER_MINUTE, the team too, each counted apart."""
    app = make_app(MESSAGES_PER_MINUTE="3/minute")
    client = app.test_client()
    world = make_world(app)
    dialog_id = start(client, world).get_json()["data"]["id"]
    url = f"/api/dialogs/{dialog_id}/messages"
    mine = [client.post(url, json={"text": f"{n}"}, headers=B(world.customer)).status_code
            for n in range(4)]
    assert mine == [201, 201, 201, 429]
    refused = client.post(url, json={"text": "ещё"}, headers=B(world.customer))
    assert refused.get_json()["error"]["code"] == "rate_limited" and refused.headers["Retry-After"]
    assert client.post(url, json={"text": "Отвечаю"}, headers=B(world.owner)).status_code == 201
