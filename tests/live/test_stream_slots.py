"""Stream slots (app/live/slots.py): open streams are capped per identity, per client IP and per
process, in memory and over Redis; a refused stream gets 429 (or 503) in the JSON error shape
with Retry-After, and a closed stream gives its slot back. Under a real server with hundreds
of streams: test_many_streams.py."""

import pytest

from app.live import bus, slots
from tests.factories import business, person, signed_in


@pytest.fixture(params=["memory", "redis"])
def capped_app(request, make_app):
    caps = {"LIVE_STREAMS_PER_IDENTITY": 2, "LIVE_STREAMS_PER_IP": 3, "LIVE_STREAMS_MAX": 50}
    if request.param == "memory":
        return make_app(**caps)
    return make_app(**caps, **request.getfixturevalue("redis_settings"))


def stream(client, who, ip="203.0.113.7"):
    """An open stream (its body not read, so it stays open until closed)."""
    return client.get(f"/api/stream?topics=user:{who['user']['id']}", headers={
        "Authorization": f"Bearer {who['accessToken']}"}, buffered=False,
        environ_base={"REMOTE_ADDR": ip})


def test_one_identity_gets_429_past_its_share_and_its_slot_back_when_a_stream_closes(
        capped_app):
    client = capped_app.test_client()
    anna = signed_in(capped_app, "+79161110001")
    held = [stream(client, anna) for _ in range(2)]
    assert [r.status_code for r in held] == [200, 200]
    refused = stream(client, anna)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(slots.RETRY_AFTER_SECONDS)
    assert refused.get_json()["error"]["code"] == "too_many_streams"
    assert refused.get_json()["error"]["details"] == {"limit": "identity"}
    held.pop().close()
    again = stream(client, anna)
    assert again.status_code == 200
    for response in [*held, again]:
        response.close()


def test_one_network_gets_429_past_its_share_whoever_asks(capped_app):
    client = capped_app.test_client()
    people = [signed_in(capped_app, f"+7916111000{n}") for n in range(5)]
    held = [stream(client, who) for who in people[:3]]
    assert [r.status_code for r in held] == [200, 200, 200]
    refused = stream(client, people[3])
    assert refused.status_code == 429
    assert refused.get_json()["error"]["details"] == {"limit": "ip"}
    # Another network is not affected.
    elsewhere = stream(client, people[4], ip="198.51.100.9")
    assert elsewhere.status_code == 200
    for response in [*held, elsewhere]:
        response.close()


def test_a_full_process_answers_503_and_a_refusal_holds_nothing(make_app):
    app = make_app(LIVE_STREAMS_MAX=1)
    client = app.test_client()
    anna, boris = (signed_in(app, phone) for phone in ("+79161110001", "+79161110002"))
    first = stream(client, anna)
    busy = stream(client, boris, ip="198.51.100.9")
    assert (first.status_code, busy.status_code) == (200, 503)
    assert busy.get_json()["error"]["code"] == "live_busy" and busy.headers["Retry-After"]
    # Refusals took no slot: once the first stream ends, one more may open.
    first.close()
    second = stream(client, boris, ip="198.51.100.9")
    assert second.status_code == 200
    second.close()
    assert app.extensions["live"].fanout.empty()


def test_a_refused_topic_gives_the_slot_back(make_app):
    app = make_app(LIVE_STREAMS_PER_IDENTITY=1)
    client = app.test_client()
    anna = signed_in(app, "+79161110001")
    forbidden = client.get("/api/stream?topics=user:usr_someone_else", headers={
        "Authorization": f"Bearer {anna['accessToken']}"})
    assert forbidden.status_code == 403
    allowed = stream(client, anna)
    assert allowed.status_code == 200
    allowed.close()


def test_a_widget_guest_counts_as_its_own_identity(make_app):
    app = make_app(LIVE_STREAMS_PER_IDENTITY=1, WIDGET_GUESTS_PER_IP="100/hour")
    client = app.test_client()
    shop = business(app, person(app, "+79161110009"), "Кофейня", slug="coffee")
    guests = [client.post("/api/widget/coffee/session", json={}).get_json()["data"]
              for _ in range(2)]
    topic = f"/api/stream?topics=channel:{shop.id}"
    opened = [client.get(topic, headers={"Authorization": f"Bearer {g['token']}"},
                         buffered=False) for g in [*guests, guests[0]]]
    assert [r.status_code for r in opened] == [200, 200, 429]
    for response in opened:
        response.close()


def test_redis_slots_of_a_process_that_died_lapse_by_themselves(make_app, redis_settings):
    app = make_app(LIVE_STREAMS_PER_IDENTITY=1, **redis_settings)
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        slots.hold("user:usr_a", "203.0.113.7")  # a process took it, then died: never released
        with pytest.raises(slots.StreamsRefused):
            slots.hold("user:usr_a", "203.0.113.7")
        shared = app.extensions["stream_slots"][0]
        # As if TTL_SECONDS passed without a heartbeat renewing it.
        key = shared._key("user:usr_a")
        shared._client.zincrby(key, -slots.TTL_SECONDS - 1, shared._client.zrange(key, 0, 0)[0])
        slots.hold("user:usr_a", "203.0.113.7").release()


def test_a_cursor_from_before_the_process_started_resets_the_page(make_app):
    """What an embedded server published before it restarted is gone: a page resuming from
    such an id is told to reload (reset) instead of silently missing it."""
    app = make_app()
    with app.app_context():
        old = bus.publish("dialog:cnv_1", "message", {"n": 1})
    restarted = make_app()
    with restarted.app_context(), bus.subscribe(["dialog:cnv_1"], last_event_id=str(old)) as sub:
        first = next(sub.events(timeout=1))
    assert first.name == "reset"
