"""Live updates: the bus (in memory and over Redis), replay after a reconnect, who may listen
to which topic, and the SSE endpoint. Across processes and in the browser:
test_live_processes.py."""

import threading
import time

import pytest

from app.live import bus, streams
from tests.factories import business, member, person, signed_in


@pytest.fixture(params=["memory", "redis"])
def bus_app(request, make_app):
    """An app on each backend: in-process (no REDIS_URL) and Redis."""
    if request.param == "memory":
        return make_app()
    return make_app(**request.getfixturevalue("redis_settings"))


def published(app, topic, name="message", data=None):
    with app.app_context():
        return bus.publish(topic, name, data if data is not None else {"text": "Привет"})


def test_the_bus_delivers_to_a_subscriber_of_the_topic_only(bus_app):
    with bus_app.app_context(), bus.subscribe(["user:usr_a", "dialog:cnv_1"]) as subscription:
        events = subscription.events(timeout=5)
        ready = next(events)
        assert ready.name == "ready" and ready.data == {"topics": ["user:usr_a", "dialog:cnv_1"]}
        # Published from another thread (another request), as in a server.
        sender = threading.Thread(target=lambda: [
            published(bus_app, "user:usr_b", data={"text": "not yours"}),
            published(bus_app, "dialog:cnv_1", data={"text": "Здравствуйте"})])
        sender.start()
        event = next(events)
        sender.join()
    assert (event.name, event.topic, event.data) == ("message", "dialog:cnv_1",
                                                     {"text": "Здравствуйте"})
    assert event.id > ready.id
    assert bus_app.extensions["live"].fanout.empty()  # closing let go of the inbox


def test_ids_increase_and_a_reconnect_replays_what_was_missed(bus_app):
    with bus_app.app_context():
        with bus.subscribe(["dialog:cnv_1"]) as first:
            events = first.events(timeout=5)
            next(events)  # ready
            seen = published(bus_app, "dialog:cnv_1", data={"n": 1})
            assert next(events).id == seen
        # While the page is away: two for it, one for another dialog.
        missed = [published(bus_app, "dialog:cnv_1", data={"n": n}) for n in (2, 3)]
        published(bus_app, "dialog:cnv_2", data={"n": 99})
        assert seen < missed[0] < missed[1]
        with bus.subscribe(["dialog:cnv_1"], last_event_id=str(seen)) as again:
            events = again.events(timeout=5)
            replayed = [next(events), next(events)]
            ready = next(events)
            later = published(bus_app, "dialog:cnv_1", data={"n": 4})
            live_event = next(events)
    assert [(e.id, e.data) for e in replayed] == [(missed[0], {"n": 2}), (missed[1], {"n": 3})]
    assert ready.name == "ready" and ready.id >= missed[1]
    assert (live_event.id, live_event.data) == (later, {"n": 4})


def test_a_gap_that_cannot_be_filled_resets(bus_app):
    with bus_app.app_context():
        first = published(bus_app, "dialog:cnv_1")
        for n in range(bus.REPLAY_SIZE + 1):  # more than the buffer keeps
            published(bus_app, "dialog:cnv_1", data={"n": n})
        too_old = str(first - (bus.REPLAY_SECONDS + 1) * 1_000_000)
        for cursor in (str(first), too_old, "not-an-id"):
            with bus.subscribe(["dialog:cnv_1"], last_event_id=cursor) as subscription:
                assert next(subscription.events(timeout=5)).name == "reset"


def test_publishing_a_name_of_the_stream_itself_is_refused(app):
    with app.app_context(), pytest.raises(ValueError):
        bus.publish("user:usr_a", "ready", {})


def test_one_redis_bus_joins_two_apps(make_app, redis_settings):
    """Two apps on one Redis prefix: what one publishes, the other's subscriber gets."""
    sender, receiver = make_app(**redis_settings), make_app(**redis_settings)
    with receiver.app_context(), bus.subscribe(["business:biz_1"]) as subscription:
        events = subscription.events(timeout=5)
        next(events)
        event_id = published(sender, "business:biz_1", "dialog", {"dialogId": "cnv_1"})
        event = next(events)
    assert (event.id, event.name, event.data) == (event_id, "dialog", {"dialogId": "cnv_1"})


def test_with_redis_down_publishing_goes_on_and_streams_are_refused(make_app, caplog):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/15")  # nothing listens on port 1
    with app.app_context():
        assert bus.publish("user:usr_a", "message", {"text": "stored anyway"}) is None
        with pytest.raises(bus.LiveUnavailable) as refused:
            bus.subscribe(["user:usr_a"])
    assert refused.value.status == 503 and refused.value.headers == {"Retry-After": "5"}
    assert "could not publish message to user:usr_a" in caplog.text
    assert app.extensions["live"].fanout.empty()


# --- the endpoint --------------------------------------------------------------------------

def error_of(response):
    assert response.mimetype == "application/json"
    return response.get_json()["error"]


def open_stream(client, token, topics, **headers):
    return client.get(f"/api/stream?topics={topics}", buffered=False,
                      headers={"Authorization": f"Bearer {token}", **headers})


def frames(response):
    """The SSE frames of a streamed test response, one per chunk, as text."""
    for chunk in response.response:
        yield chunk.decode()


def test_a_stream_needs_a_token(client):
    response = client.get("/api/stream?topics=user:usr_a")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_only_my_own_user_topic_and_known_kinds(app, client):
    mine = signed_in(app, "+79160000001")
    other = person(app, "+79160000002")
    token = mine["accessToken"]
    for topics in (f"user:{other.id}", f"user:{mine['user']['id']},user:{other.id}",
                   "room:abc", "user:", "dialog"):
        response = open_stream(client, token, topics)
        assert response.status_code == 403, topics
        assert error_of(response)["code"] == "forbidden"
    assert error_of(open_stream(client, token, f"user:{other.id}"))["details"] == {
        "topic": f"user:{other.id}"}
    for topics in ("", ",,", ",".join(f"user:{n}" for n in range(21))):
        assert open_stream(client, token, topics).status_code == 422, topics
    assert app.extensions["live"].fanout.empty()


def test_my_user_topic_streams_events(app, client):
    mine = signed_in(app, "+79160000001")
    topic = f"user:{mine['user']['id']}"
    response = open_stream(client, mine["accessToken"], topic)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["X-Accel-Buffering"] == "no"
    chunks = frames(response)
    assert next(chunks) == "retry: 2000\n\n"
    ready = next(chunks)
    assert "event: ready\n" in ready
    event_id = published(app, topic, "dialog", {"dialogId": "cnv_1", "text": "Ответ"})
    assert next(chunks) == (f"id: {event_id}\nevent: dialog\n"
                            f'data: {{"topic":"{topic}","data":{{"dialogId":"cnv_1",'
                            f'"text":"Ответ"}}}}\n\n')
    response.close()
    assert app.extensions["live"].fanout.empty()


def test_last_event_id_header_replays(app, client):
    mine = signed_in(app, "+79160000001")
    topic = f"user:{mine['user']['id']}"
    seen = published(app, topic, data={"n": 1})
    missed = published(app, topic, data={"n": 2})
    response = open_stream(client, mine["accessToken"], topic, **{"Last-Event-ID": str(seen)})
    chunks = frames(response)
    next(chunks)  # retry
    assert next(chunks).startswith(f"id: {missed}\nevent: message\n")
    assert "event: ready\n" in next(chunks)
    response.close()


def test_business_topic_is_for_its_team(app, client):
    owner = signed_in(app, "+79160000001")
    operator = signed_in(app, "+79160000002")
    outsider = signed_in(app, "+79160000003")
    biz = business(app, owner["user"]["id"])
    member(app, biz.id, operator["user"]["id"], "operator")
    for tokens in (owner, operator):
        response = open_stream(client, tokens["accessToken"], f"business:{biz.id}")
        assert response.status_code == 200
        response.close()
    assert open_stream(client, outsider["accessToken"], f"business:{biz.id}").status_code == 403


def test_dialog_topic_asks_the_conversations_service(app, client, monkeypatch):
    mine = signed_in(app, "+79160000001")
    asked = []

    def can_view(user, conversation_id):
        asked.append((user.id, conversation_id))
        return conversation_id == "cnv_mine"

    monkeypatch.setattr("app.conversations.dialogs.can_view", can_view)
    allowed = open_stream(client, mine["accessToken"], "dialog:cnv_mine")
    assert allowed.status_code == 200
    allowed.close()
    assert open_stream(client, mine["accessToken"], "dialog:cnv_theirs").status_code == 403
    assert asked == [(mine["user"]["id"], "cnv_mine"), (mine["user"]["id"], "cnv_theirs")]


def test_a_quiet_stream_sends_heartbeats_and_ends_in_time(make_app, monkeypatch):
    app = make_app(LIVE_STREAM_SECONDS=2)
    monkeypatch.setattr(streams, "HEARTBEAT_SECONDS", 0.5)
    mine = signed_in(app, "+79160000001")
    started = time.monotonic()
    response = open_stream(app.test_client(), mine["accessToken"], f"user:{mine['user']['id']}")
    body = list(frames(response))  # to its end
    assert 1.5 < time.monotonic() - started < 4
    assert body[:1] == ["retry: 2000\n\n"] and "event: ready\n" in body[1]
    assert body[2:] and set(body[2:]) == {": ping\n\n"}
    assert app.extensions["live"].fanout.empty()


def test_a_channel_topic_is_for_whoever_may_read_the_channel(app, client):
    from app.models import Business, Subscription

    owner = signed_in(app, "+79160000001")
    subscriber = signed_in(app, "+79160000002")
    stranger = signed_in(app, "+79160000003")
    shop = business(app, owner["user"]["id"], name="Открытая")
    hidden = business(app, owner["user"]["id"], name="Скрытая")
    with app.app_context():
        Business.objects(id=hidden.id).update_one(set__hidden=True)
        Subscription(business_id=hidden.id, user_id=subscriber["user"]["id"]).save()

    def status(who, business_id):
        response = open_stream(client, who["accessToken"], f"channel:{business_id}")
        response.close()
        return response.status_code

    assert [status(who, shop.id) for who in (owner, subscriber, stranger)] == [200, 200, 200]
    assert [status(who, hidden.id) for who in (owner, subscriber, stranger)] == [200, 200, 403]
    assert status(stranger, "biz_unknown") == 403
    assert app.extensions["live"].fanout.empty()


def test_a_dialog_read_and_then_streamed_misses_nothing_in_between(app, client):
    """The newest page of a dialog's messages gives the stream's cursor as of when it was
    read: a message written before the stream opens is replayed, not lost (the widget lost
    the bot's answer so, when its stream opened after the history was read)."""
    from tests.conversations.dialog_world import World, make_world

    world = make_world(app, client)
    dialog_id = client.post(f"/api/businesses/{world.business_id}/start-dialog",
                            headers=World.bearer(world.customer)).get_json()["data"]["id"]
    page = client.get(f"/api/dialogs/{dialog_id}/messages",
                      headers=World.bearer(world.customer)).get_json()["data"]
    assert page["liveCursor"]
    client.post(f"/api/dialogs/{dialog_id}/messages", json={"text": "Между делом"},
                headers=World.bearer(world.owner))
    response = open_stream(client, world.customer["accessToken"], f"dialog:{dialog_id}",
                           **{"Last-Event-ID": page["liveCursor"]})
    chunks = frames(response)
    next(chunks)  # retry
    replayed = next(chunks)
    response.close()
    assert "event: message\n" in replayed and "Между делом" in replayed
