"""The push API (/api/push/*): who may register a device, what a subscription must look like,
one row per endpoint, ownership on every call; the VAPID settings; presence."""

import time

import jwt
import pytest

from app.config import ConfigError, load_config, vapid_key_pair
from app.live import presence
from app.models import PushToken
from tests.factories import signed_in
from tests.push_standin import PushServiceStandIn

ANNA, BORIS = "+79161110001", "+79161110002"


@pytest.fixture
def standin():
    # Only its key material is used here: nothing is sent in these tests.
    return PushServiceStandIn()


@pytest.fixture
def people(app):
    return signed_in(app, ANNA, "Анна"), signed_in(app, BORIS, "Борис")


def bearer(who):
    return {"Authorization": f"Bearer {who['accessToken']}"}


def register(client, who, subscription, **extra):
    return client.post("/api/push/register", headers=bearer(who) if who else {},
                       json={"subscription": subscription, **extra})


def rows(app):
    with app.app_context():
        return [(t.user_id, t.token, t.preferences.new_message, t.preferences.channel_update,
                 t.preferences.mentions) for t in PushToken.objects]


def test_the_vapid_public_key_is_public_and_matches_the_settings(app, client):
    answer = client.get("/api/push/vapid-public-key")
    assert answer.status_code == 200
    key = answer.get_json()["data"]["publicKey"]
    assert key == app.config["VAPID_PUBLIC_KEY"] and len(key) == 87 and "=" not in key


def test_registering_needs_a_signed_in_person(app, client, standin):
    assert register(client, None, standin.subscription("a")).status_code == 401
    # A widget guest's token is a different kind of token: refused the same way.
    guest = jwt.encode({"sub": "gst_0000000000000000", "type": "widget", "jti": "x",
                        "exp": int(time.time()) + 600}, app.config["JWT_SECRET_KEY"],
                       algorithm="HS256")
    answer = client.post("/api/push/register", headers={"Authorization": f"Bearer {guest}"},
                         json={"subscription": standin.subscription("a")})
    assert answer.status_code == 401
    assert rows(app) == []


def test_register_then_again_keeps_one_row_and_its_preferences(app, client, people, standin):
    anna, _boris = people
    subscription = standin.subscription("phone")
    first = register(client, anna, subscription, deviceId="pixel",
                     preferences={"channelUpdate": False})
    assert first.status_code == 201
    data = first.get_json()["data"]
    assert data["endpoint"] == subscription["endpoint"] and data["deviceId"] == "pixel"
    assert data["preferences"] == {"newMessage": True, "channelUpdate": False, "mentions": True}
    again = register(client, anna, subscription)
    assert again.status_code == 200
    assert again.get_json()["data"]["preferences"]["channelUpdate"] is False
    assert again.get_json()["data"]["id"] == data["id"]
    assert len(rows(app)) == 1


def test_another_person_registering_the_endpoint_takes_it_over(app, client, people, standin):
    anna, boris = people
    subscription = standin.subscription("shared-laptop")
    register(client, anna, subscription, preferences={"newMessage": False})
    moved = register(client, boris, subscription)
    assert moved.status_code == 201  # new for Boris
    # Anna's choices are not Boris's: his start on.
    assert rows(app) == [(boris["user"]["id"], subscription["endpoint"], True, True, True)]
    gone = client.delete("/api/push/unregister", headers=bearer(anna),
                         json={"endpoint": subscription["endpoint"]})
    assert gone.status_code == 404


def test_preferences_change_only_what_is_sent_and_only_my_own(app, client, people, standin):
    anna, boris = people
    endpoint = register(client, anna, standin.subscription("phone")).get_json()["data"]["endpoint"]
    answer = client.put("/api/push/preferences", headers=bearer(anna),
                        json={"endpoint": endpoint, "mentions": False})
    assert answer.status_code == 200
    assert answer.get_json()["data"]["preferences"] == {
        "newMessage": True, "channelUpdate": True, "mentions": False}
    theirs = client.put("/api/push/preferences", headers=bearer(boris),
                        json={"endpoint": endpoint, "newMessage": False})
    assert theirs.status_code == 404
    assert theirs.get_json()["error"]["code"] == "push_subscription_not_found"
    unknown = client.put("/api/push/preferences", headers=bearer(anna),
                         json={"endpoint": endpoint + "x", "newMessage": False})
    assert unknown.status_code == 404
    assert rows(app)[0][2:] == (True, True, False)


def test_unregister_removes_my_device_once(app, client, people, standin):
    anna, boris = people
    endpoint = register(client, anna, standin.subscription("phone")).get_json()["data"]["endpoint"]
    theirs = client.delete("/api/push/unregister", headers=bearer(boris),
                           json={"endpoint": endpoint})
    assert theirs.status_code == 404 and len(rows(app)) == 1
    mine = client.delete("/api/push/unregister", headers=bearer(anna), json={"endpoint": endpoint})
    assert mine.status_code == 200 and mine.get_json()["data"] == {"removed": True}
    assert rows(app) == []
    again = client.delete("/api/push/unregister", headers=bearer(anna),
                          json={"endpoint": endpoint})
    assert again.status_code == 404


def renew(client, old, subscription, auth=None):
    return client.post("/api/push/renew", json={
        "oldEndpoint": old["endpoint"], "oldAuth": auth or old["keys"]["auth"],
        "subscription": subscription})


def test_a_replaced_subscription_keeps_its_person_and_choices(app, client, people, standin):
    anna, _boris = people
    old = standin.subscription("phone")
    register(client, anna, old, preferences={"channelUpdate": False})
    fresh = standin.subscription("phone-renewed")
    # The service worker has no sign-in: the old subscription's auth secret is the proof.
    answer = renew(client, old, fresh)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["data"] == {"renewed": True}
    assert rows(app) == [(anna["user"]["id"], fresh["endpoint"], True, False, True)]
    with app.app_context():
        assert PushToken.objects.get(token=fresh["endpoint"]).keys.p256dh == \
            fresh["keys"]["p256dh"]
    # The old subscription proves nothing any more.
    assert renew(client, old, standin.subscription("x")).status_code == 404


def test_the_endpoint_alone_cannot_move_a_device(app, client, people, standin):
    # Push services know endpoints; only the browser and we know the auth secret.
    anna, _boris = people
    old = standin.subscription("phone")
    register(client, anna, old)
    thief = standin.subscription("thief")
    for auth in (thief["keys"]["auth"], old["keys"]["auth"][:-2] + "AA"):
        answer = renew(client, old, thief, auth=auth)
        assert answer.status_code == 404
        assert answer.get_json()["error"]["code"] == "push_subscription_not_found"
    assert _fields(client.post("/api/push/renew", json={
        "oldEndpoint": old["endpoint"], "subscription": thief})) == ["oldAuth"]
    assert rows(app) == [(anna["user"]["id"], old["endpoint"], True, True, True)]


def test_renewing_an_unknown_or_bad_subscription_changes_nothing(app, client, people, standin):
    anna, _boris = people
    old = standin.subscription("phone")
    register(client, anna, old)
    unknown = renew(client, {**old, "endpoint": old["endpoint"] + "x"},
                    standin.subscription("other"))
    assert unknown.status_code == 404
    broken = standin.subscription("broken")
    broken["keys"]["p256dh"] = "AAAA"  # not a P-256 point: nothing could be sent to it
    assert renew(client, old, broken).status_code == 422
    assert renew(client, {**old, "endpoint": {"$ne": ""}}, standin.subscription("y")) \
        .status_code == 422
    assert rows(app) == [(anna["user"]["id"], old["endpoint"], True, True, True)]


def test_a_renewal_the_page_registered_first_leaves_one_row(app, client, people, standin):
    anna, _boris = people
    old, fresh = standin.subscription("phone"), standin.subscription("phone-renewed")
    register(client, anna, old)
    register(client, anna, fresh, preferences={"mentions": False})
    answer = renew(client, old, fresh)
    assert answer.status_code == 200 and answer.get_json()["data"] == {"renewed": True}
    assert rows(app) == [(anna["user"]["id"], fresh["endpoint"], True, True, False)]


def test_renewals_are_limited_per_address(make_app, standin):
    app = make_app(PUSH_RENEWALS_PER_IP="2/hour")
    client = app.test_client()
    anna = signed_in(app, ANNA)
    old = standin.subscription("phone")
    register(client, anna, old)
    guesses = [renew(client, old, standin.subscription(f"g{n}"), auth="A" * 22)
               for n in range(3)]
    assert [g.status_code for g in guesses] == [404, 404, 429]
    assert guesses[2].headers["Retry-After"]


def _fields(answer):
    assert answer.status_code == 422, answer.get_json()
    return [f["field"] for f in answer.get_json()["error"]["details"]["fields"]]


@pytest.mark.parametrize("change,field", [
    (lambda s: s.update(endpoint="http://push.example.com/x"), "subscription.endpoint"),
    (lambda s: s.update(endpoint="ftp://127.0.0.1/x"), "subscription.endpoint"),
    (lambda s: s.update(endpoint="https://user:pw@push.example.com/x"), "subscription.endpoint"),
    (lambda s: s.update(endpoint={"$gt": ""}), "subscription.endpoint"),
    (lambda s: s["keys"].update(p256dh="AAAA"), "subscription.keys"),
    (lambda s: s["keys"].update(auth="c2hvcnQ"), "subscription.keys"),
    (lambda s: s["keys"].update(auth="not base64!"), "subscription.keys.auth"),
    (lambda s: s["keys"].pop("auth"), "subscription.keys.auth"),
    (lambda s: s.update(extra=1), "subscription.extra"),
])
def test_a_subscription_that_cannot_work_is_422(app, client, people, standin, change, field):
    subscription = standin.subscription("phone")
    change(subscription)
    assert field in _fields(register(client, people[0], subscription))
    assert rows(app) == []


def test_wrong_types_and_unknown_fields_are_422(client, people, standin):
    anna = people[0]
    subscription = standin.subscription("phone")
    assert _fields(register(client, anna, subscription, preferences={"newMessage": "yes"})) \
        == ["preferences.newMessage"]
    assert _fields(register(client, anna, subscription, admin=True)) == ["admin"]
    assert _fields(client.put("/api/push/preferences", headers=bearer(anna),
                              json={"endpoint": subscription["endpoint"], "sound": True})) \
        == ["sound"]
    assert "endpoint" in _fields(client.delete("/api/push/unregister", headers=bearer(anna),
                                               json={}))


def test_an_https_endpoint_is_accepted(client, people, standin):
    subscription = standin.subscription("phone")
    subscription["endpoint"] = "https://fcm.googleapis.com/fcm/send/abc:def"
    assert register(client, people[0], subscription).status_code == 201


STRONG = {name: "x" * 40 for name in ("SECRET_KEY", "JWT_SECRET_KEY", "OTP_SECRET")}


def test_production_refuses_loopback_and_ip_endpoints(make_app, standin):
    public, private = vapid_key_pair()
    app = make_app(APP_ENV="production", **STRONG, VAPID_PUBLIC_KEY=public,
                   VAPID_PRIVATE_KEY=private)
    client = app.test_client()
    anna = signed_in(app, ANNA)
    for endpoint in ("http://127.0.0.1:9/push/x", "https://localhost/x", "https://10.0.0.8/x",
                     "https://push.example.com/x", "https://fcm.googleapis.com.evil.test/x",
                     "https://evilfcm.googleapis.com.test/x"):
        subscription = {**standin.subscription("x"), "endpoint": endpoint}
        assert "subscription.endpoint" in _fields(register(client, anna, subscription)), endpoint
    assert rows(app) == []
    # The browsers' push services are taken.
    for endpoint in ("https://fcm.googleapis.com/fcm/send/abc:def",
                     "https://updates.push.services.mozilla.com/wpush/v2/gAAA",
                     "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
                     "https://web.push.apple.com/QGdKm"):
        subscription = {**standin.subscription("x"), "endpoint": endpoint}
        assert register(client, anna, subscription).status_code == 201, endpoint


def test_the_push_services_taken_in_production_are_a_setting(make_app, standin):
    public, private = vapid_key_pair()
    app = make_app(APP_ENV="production", **STRONG, VAPID_PUBLIC_KEY=public,
                   VAPID_PRIVATE_KEY=private, PUSH_SERVICE_HOSTS="push.example.com")
    client = app.test_client()
    anna = signed_in(app, ANNA)
    ours = {**standin.subscription("x"), "endpoint": "https://eu.push.example.com/x"}
    assert register(client, anna, ours).status_code == 201
    chrome = {**standin.subscription("y"), "endpoint": "https://fcm.googleapis.com/fcm/send/a"}
    assert "subscription.endpoint" in _fields(register(client, anna, chrome))


def test_production_without_vapid_keys_has_push_off(make_app, standin):
    app = make_app(APP_ENV="production", **STRONG)
    client = app.test_client()
    assert app.config["VAPID_PRIVATE_KEY"] is None
    answer = client.get("/api/push/vapid-public-key")
    assert answer.status_code == 503
    assert answer.get_json()["error"]["code"] == "push_unavailable"
    subscription = {**standin.subscription("x"),
                    "endpoint": "https://fcm.googleapis.com/fcm/send/x"}
    assert register(client, signed_in(app, ANNA), subscription).status_code == 503


def test_development_generates_the_vapid_pair_once(tmp_path):
    first = load_config({}, tmp_path)
    second = load_config({}, tmp_path)
    assert first["VAPID_PRIVATE_KEY"] == second["VAPID_PRIVATE_KEY"]
    assert first["VAPID_PUBLIC_KEY"] == second["VAPID_PUBLIC_KEY"]
    assert first["VAPID_SUBJECT"] == "mailto:push@127.0.0.1"
    https = load_config({"PUBLIC_BASE_URL": "https://bank.example.com:8443/"}, tmp_path)
    assert https["VAPID_SUBJECT"] == "https://bank.example.com"


@pytest.mark.parametrize("environ,message", [
    ({"VAPID_PUBLIC_KEY": vapid_key_pair()[0]}, "or neither"),
    ({"VAPID_PUBLIC_KEY": vapid_key_pair()[0], "VAPID_PRIVATE_KEY": vapid_key_pair()[1]},
     "does not match"),
    ({"VAPID_PUBLIC_KEY": "abc", "VAPID_PRIVATE_KEY": "abc"}, "not a P-256 key"),
    ({"VAPID_SUBJECT": "push@bank.example.com"}, "VAPID_SUBJECT"),
])
def test_bad_vapid_settings_are_refused(tmp_path, environ, message):
    with pytest.raises(ConfigError, match=message):
        load_config({"APP_ENV": "production", **STRONG, **environ}, tmp_path)


@pytest.fixture(params=["memory", "redis"])
def presence_apps(request, make_app):
    """Two apps (a web process and a worker, say) sharing presence: on Redis they do; in
    memory one app is one process."""
    if request.param == "memory":
        app = make_app()
        return app, app
    settings = request.getfixturevalue("redis_settings")
    return make_app(**settings), make_app(**settings)


class FakeSubscription:
    closed = False

    def __init__(self, *topics):
        self.topics = list(topics)

    def events(self, timeout, until=None):
        yield None

    def close(self):
        self.closed = True


def test_presence_lasts_while_a_stream_is_open_then_lapses(presence_apps, monkeypatch):
    web, worker = presence_apps
    monkeypatch.setattr(presence, "LEAVE_GRACE_SECONDS", 0)
    with worker.app_context():
        assert presence.connected(["usr_a"]) == set()
    with web.app_context():
        tracked = presence.track(FakeSubscription(), "usr_a")
        also = presence.track(FakeSubscription(), "usr_a")  # a second tab
    with worker.app_context():
        assert presence.connected(["usr_a", "usr_b"]) == {"usr_a"}
    assert list(tracked.events(15)) == [None]
    tracked.close()
    with worker.app_context():
        assert tracked.closed and presence.connected(["usr_a"]) == {"usr_a"}  # the other tab
    also.close()
    with worker.app_context():
        assert presence.connected(["usr_a"]) == set()
    with web.app_context():
        assert presence.track(subscription := FakeSubscription(), None) is subscription


def test_a_stream_of_a_dialog_counts_its_person_as_watching_that_dialog_only(
        presence_apps, monkeypatch):
    web, worker = presence_apps
    monkeypatch.setattr(presence, "LEAVE_GRACE_SECONDS", 0)
    with web.app_context():
        inbox = presence.track(FakeSubscription("business:biz_1", "dialog:dlg_1"), "usr_a")
        presence.track(FakeSubscription("business:biz_1"), "usr_b")  # the list, no dialog
    with worker.app_context():
        assert presence.connected(["usr_a", "usr_b"]) == {"usr_a", "usr_b"}
        assert presence.connected(["usr_a", "usr_b"], dialog_id="dlg_1") == {"usr_a"}
        assert presence.connected(["usr_a"], dialog_id="dlg_2") == set()
    inbox.close()
    with worker.app_context():
        assert presence.connected(["usr_a"], dialog_id="dlg_1") == set()


def test_a_stream_not_renewed_lapses_by_itself(app, monkeypatch):
    with app.app_context():
        presence.track(FakeSubscription(), "usr_a")  # its process dies: never closed
        assert presence.connected(["usr_a"]) == {"usr_a"}
        later = time.time() + presence.TTL_SECONDS + 1
        monkeypatch.setattr(presence.time, "time", lambda: later)
        assert presence.connected(["usr_a"]) == set()


def test_outside_production_too_no_endpoint_may_point_inside_our_network(make_app, standin):
    """Registration took https://169.254.169.254/…, 10.x hosts and loopback in development,
    and a reply then made the server POST there. Now only a host exempted by a setting (the
    tests' stand-in) may be internal, in every mode."""
    app = make_app(PUSH_ALLOWED_INTERNAL_HOSTS="")
    client = app.test_client()
    anna = signed_in(app, ANNA)
    for endpoint in ("https://169.254.169.254/latest/meta-data", "https://10.1.2.3/push",
                     "http://127.0.0.1:9/push/x", "https://localhost/x", "https://[::1]/x",
                     "https://[fd00::1]/push", "http://example.com/push"):
        subscription = {**standin.subscription("x"), "endpoint": endpoint}
        assert "subscription.endpoint" in _fields(register(client, anna, subscription)), endpoint
    assert rows(app) == []
