"""The push jobs end to end against a local push service (tests/push_standin.py) that checks
the VAPID signature and decrypts every payload: a channel post's batches, what happens to
subscriptions that fail, and where we never post. Who is told of a dialog's news is in
tests/notifications/test_push_notices.py.

Celery is eager here, so each job runs inside the request that raised it."""

import pytest

from app.config import vapid_key_pair
from app.lib import jobs
from app.models import PushToken
from tests.conversations.dialog_world import make_world
from tests.factories import signed_in
from tests.notifications.push_world import B, business_slug, device


def test_channel_posts_go_in_batches_to_subscribers_who_want_them(
        make_app, push_service, monkeypatch):
    app = make_app(PUSH_BATCH_SIZE=2)
    client = app.test_client()
    world = make_world(app)
    push_service.vapid_public_key = app.config["VAPID_PUBLIC_KEY"]
    readers = [signed_in(app, f"+7916100000{n}", f"Читатель {n}") for n in range(5)]
    for n, reader in enumerate(readers):
        assert client.post(f"/api/businesses/{world.business_id}/subscribe",
                           headers=B(reader)).status_code == 200
        device(client, push_service, reader, f"reader{n}", channelUpdate=n != 4)
    device(client, push_service, world.stranger, "stranger")  # not subscribed
    client.post(f"/api/businesses/{world.business_id}/subscribe", headers=B(world.owner))
    device(client, push_service, world.owner, "author")
    batches = spy_on_deliveries(monkeypatch)

    answer = client.post(f"/api/businesses/{world.business_id}/channel/messages",
                         json={"text": "Сегодня пончики за полцены"}, headers=B(world.owner))
    assert answer.status_code == 201, answer.get_json()

    post_id = answer.get_json()["data"]["id"]
    expected = {"title": "Кофейня", "body": "Сегодня пончики за полцены",
                "url": f"/b/{business_slug(app, world)}", "tag": f"post:{post_id}"}
    for n in range(4):
        assert push_service.payloads(f"reader{n}") == [expected]
    for quiet in ("reader4", "stranger", "author"):
        assert push_service.payloads(quiet) == []
    # Five subscribers besides the author, read two at a time: [0, 1], [2, 3], [4]; the last
    # has nobody who wants posts, so it sends nothing.
    assert [len(ids) for ids in batches] == [2, 2]


def spy_on_deliveries(monkeypatch):
    """The token ids of each push.deliver job enqueued."""
    seen = []
    enqueue = jobs.enqueue

    def spy(name, *args):
        if name == jobs.PUSH_DELIVER:
            seen.append(args[0])
        return enqueue(name, *args)

    monkeypatch.setattr(jobs, "enqueue", spy)
    return seen


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_its_service_calls_gone_is_deleted(app, client, push_service, status):
    world = make_world(app)
    client.post(f"/api/businesses/{world.business_id}/subscribe", headers=B(world.customer))
    device(client, push_service, world.customer, "gone")
    device(client, push_service, world.customer, "alive")
    push_service.answer("gone", status)
    client.post(f"/api/businesses/{world.business_id}/channel/messages",
                json={"text": "Новость"}, headers=B(world.owner))
    assert len(push_service.payloads("alive")) == 1
    with app.app_context():
        endpoints = {t.token.rsplit("/", 1)[1] for t in PushToken.objects(
            user_id=world.customer["user"]["id"])}
    assert endpoints == {"alive"}


def test_other_failures_keep_the_subscription_and_retry_only_it(
        app, client, push_service, monkeypatch):
    import tasks.push

    # Eager mode gives up at once (a retry would run inside the request); let it retry here,
    # inline, as Celery runs an eager retry when it does not propagate errors.
    monkeypatch.setattr(tasks.push, "final",
                        lambda task: task.request.retries >= task.max_retries)
    monkeypatch.setitem(app.extensions["celery"].conf, "task_eager_propagates", False)
    world = make_world(app)
    client.post(f"/api/businesses/{world.business_id}/subscribe", headers=B(world.customer))
    device(client, push_service, world.customer, "flaky")
    device(client, push_service, world.customer, "steady")
    push_service.answer("flaky", 503, 500, 201)
    client.post(f"/api/businesses/{world.business_id}/channel/messages",
                json={"text": "Со второй попытки"}, headers=B(world.owner))
    assert len(push_service.payloads("flaky")) == 1  # on the third try
    assert len(push_service.payloads("steady")) == 1  # once: never sent again
    assert [status for _d, status, _r in push_service.refused] == [503, 500]


def test_a_subscription_failing_for_good_is_kept_but_given_up(app, client, push_service):
    world = make_world(app)
    client.post(f"/api/businesses/{world.business_id}/subscribe", headers=B(world.customer))
    token = device(client, push_service, world.customer, "down")
    push_service.answer("down", 500)
    answer = client.post(f"/api/businesses/{world.business_id}/channel/messages",
                         json={"text": "Не дойдёт"}, headers=B(world.owner))
    assert answer.status_code == 201  # the post never fails for a push
    with app.app_context():
        assert PushToken.objects(id=token["id"]).count() == 1


def test_pushes_are_signed_with_the_published_key(app, client, push_service):
    world = make_world(app)
    push_service.vapid_public_key = vapid_key_pair()[0]  # as if we published another key
    client.post(f"/api/businesses/{world.business_id}/subscribe", headers=B(world.customer))
    device(client, push_service, world.customer, "phone")
    client.post(f"/api/businesses/{world.business_id}/channel/messages",
                json={"text": "Проверка подписи"}, headers=B(world.owner))
    assert push_service.payloads() == []
    assert push_service.refused[0][1] == 403


def test_endpoints_that_resolve_inside_our_network_are_never_posted_to():
    from app.notifications.sender import _internal

    for host in ("127.0.0.1", "10.0.0.1", "192.168.1.10", "169.254.169.254", "::1"):
        assert _internal(host), host
    assert not _internal("8.8.8.8")


def test_a_row_off_the_push_services_list_is_dropped_unsent(app, client, push_service,
                                                            monkeypatch):
    from app.notifications import sender

    # A row registered before the list was narrowed (here: the stand-in, taken in testing).
    world = make_world(app)
    token = device(client, push_service, world.customer, "phone")
    app.config.update(APP_ENV="production", PUSH_SERVICE_HOSTS=["push.example.com"])
    # The stand-in is on 127.0.0.1: as if it were a public host, so that only the list acts.
    monkeypatch.setattr(sender, "_internal", lambda host: False)
    with app.app_context():
        assert sender.deliver([token["id"]], {"title": "t", "body": "b"}) == []
        assert PushToken.objects(id=token["id"]).count() == 0
    assert push_service.payloads() == []


def test_a_batch_resolves_each_push_service_once(app, client, push_service, monkeypatch):
    from app.notifications import sender

    world = make_world(app)
    tokens = [device(client, push_service, world.customer, name)["id"] for name in ("a", "b")]
    app.config.update(APP_ENV="production", PUSH_SERVICE_HOSTS=["127.0.0.1"],
                      PUSH_ALLOWED_INTERNAL_HOSTS=[])  # so that the guard looks the host up
    looked_up = []
    monkeypatch.setattr(sender, "_internal", lambda host: looked_up.append(host) or False)
    with app.app_context():
        assert sender.deliver(tokens, {"title": "t", "body": "b"}) == []
    assert looked_up == ["127.0.0.1"]
    assert len(push_service.payloads("a")) == len(push_service.payloads("b")) == 1


def test_a_row_pointing_inside_our_network_is_never_posted_to_in_any_mode(app, client,
                                                                          push_service):
    """Outside production too (a row registered before the rule; here: the stand-in, once it
    is no longer exempt): dropped, nothing sent."""
    from app.notifications import sender

    world = make_world(app)
    token = device(client, push_service, world.customer, "phone")
    app.config.update(PUSH_ALLOWED_INTERNAL_HOSTS=[])
    with app.app_context():
        assert sender.deliver([token["id"]], {"title": "t", "body": "b"}) == []
        assert PushToken.objects(id=token["id"]).count() == 0
    assert push_service.payloads() == []


def test_an_endpoint_that_cannot_be_sent_to_drops_that_device_only(app, client, push_service,
                                                                    monkeypatch):
    """An IPv6-literal endpoint made pywebpush raise VapidException, which failed the whole
    job: now that device is dropped and the rest of the batch gets theirs."""
    from app.notifications import sender

    world = make_world(app)
    odd, fine = (device(client, push_service, world.customer, name)["id"]
                 for name in ("odd", "fine"))
    with app.app_context():
        PushToken.objects(id=odd).update_one(set__token="https://[2001:db8::1]/push/x")
    monkeypatch.setattr(sender, "_internal", lambda host: False)  # as if it were public
    with app.app_context():
        assert sender.deliver([odd, fine], {"title": "t", "body": "b"}) == []
        assert PushToken.objects(id=odd).count() == 0
    assert len(push_service.payloads("fine")) == 1


