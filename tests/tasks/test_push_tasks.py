"""The push jobs end to end against a local push service (tests/push_standin.py) that checks
the VAPID signature and decrypts every payload: who gets a notification for a new message,
a channel post and a bot invitation, and what happens to subscriptions that fail.

Celery is eager here, so each job runs inside the request that raised it."""

import pytest

from app.config import vapid_key_pair
from app.lib import jobs
from app.live import presence
from app.models import BusinessMember, PushToken
from tests.admin.conftest import sign_in
from tests.conversations.dialog_world import World, make_world, open_dialog, say
from tests.factories import signed_in
from tests.push_standin import PushServiceStandIn

B = World.bearer


@pytest.fixture
def push_service(app):
    with PushServiceStandIn(app.config["VAPID_PUBLIC_KEY"]) as standin:
        yield standin


def device(client, push_service, who, name, language="ru", **preferences):
    """A browser of `who` subscribed at the stand-in and registered with the API, from pages
    in `language`."""
    answer = client.post(
        "/api/push/register", headers={**B(who), "Accept-Language": language},
        json={"subscription": push_service.subscription(name), "preferences": preferences})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["data"]


def about(push_service, device_name, text):
    return [p for p in push_service.payloads(device_name) if text in p["body"]]


def on_duty(app, world, who, value=True):
    with app.app_context():
        BusinessMember.objects(business_id=world.business_id,
                               user_id=who["user"]["id"]).update(set__on_duty=value)


def test_a_customers_message_reaches_the_on_duty_team_and_the_teams_the_customer(
        app, client, push_service):
    world = make_world(app)
    device(client, push_service, world.customer, "customer")
    device(client, push_service, world.owner, "owner")
    device(client, push_service, world.operator, "operator")  # off duty: not told
    on_duty(app, world, world.owner)
    dialog_id = open_dialog(client, world)
    say(client, dialog_id, world.owner, "Здравствуйте, чем помочь?")
    say(client, dialog_id, world.customer, "Есть ли у вас овсяное молоко? " + "очень " * 30)

    [to_customer] = about(push_service, "customer", "чем помочь")
    assert to_customer == {"title": "Кофейня", "body": "Здравствуйте, чем помочь?",
                           "url": f"/b/{business_slug(app, world)}", "tag": f"dialog:{dialog_id}"}
    [to_owner] = about(push_service, "owner", "овсяное молоко")
    assert to_owner["url"] == f"/cabinet/b/{world.business_id}/inbox?dialog={dialog_id}"
    assert to_owner["title"] == "Кофейня"
    assert to_owner["body"].startswith("Кирилл: Есть ли у вас овсяное молоко?")
    assert len(to_owner["body"]) <= 120 and to_owner["body"].endswith("…")
    assert about(push_service, "owner", "чем помочь") == []  # its sender
    assert about(push_service, "customer", "овсяное") == []
    assert push_service.payloads("operator") == []  # off duty
    assert push_service.refused == []


def business_slug(app, world):
    with app.app_context():
        from app.models import Business

        return Business.objects.get(id=world.business_id).slug


def test_the_teams_own_replies_and_the_bots_never_buzz_the_team(app, client, push_service):
    world = make_world(app)  # the bot greets the customer
    device(client, push_service, world.operator, "operator")
    on_duty(app, world, world.operator)
    dialog_id = open_dialog(client, world)
    say(client, dialog_id, world.owner, "Ответ владельца")
    say(client, dialog_id, world.customer, "Вопрос клиента")
    bodies = [p["body"] for p in push_service.payloads("operator")]
    assert bodies == ["Кирилл: Вопрос клиента"]


def test_an_assigned_dialog_tells_its_assignee_alone(app, client, push_service):
    world = make_world(app)
    device(client, push_service, world.owner, "owner")
    device(client, push_service, world.operator, "operator")
    on_duty(app, world, world.owner)
    on_duty(app, world, world.operator)
    dialog_id = open_dialog(client, world)
    say(client, dialog_id, world.customer, "Первый")
    assert len(about(push_service, "owner", "Первый")) == 1
    assert len(about(push_service, "operator", "Первый")) == 1
    taken = client.put(f"/api/dialogs/{dialog_id}/assign", headers=B(world.operator))
    assert taken.status_code == 200
    assert [p["tag"] for p in push_service.payloads("operator")] == [f"dialog:{dialog_id}"]
    say(client, dialog_id, world.customer, "Второй")
    assert about(push_service, "owner", "Второй") == []
    assert len(about(push_service, "operator", "Второй")) == 1
    # Off duty, the assignee is not told; then the whole on-duty team is.
    on_duty(app, world, world.operator, False)
    say(client, dialog_id, world.customer, "Третий")
    assert about(push_service, "operator", "Третий") == []
    assert len(about(push_service, "owner", "Третий")) == 1


def test_a_customer_with_a_live_stream_open_gets_no_push(app, client, push_service,
                                                         monkeypatch):
    monkeypatch.setattr(presence, "LEAVE_GRACE_SECONDS", 0)
    world = make_world(app)
    device(client, push_service, world.customer, "customer")
    dialog_id = open_dialog(client, world)
    stream = client.get(f"/api/stream?topics=user:{world.customer['user']['id']}",
                        headers=B(world.customer), buffered=False)
    assert stream.status_code == 200
    say(client, dialog_id, world.owner, "Пока вы на связи")
    assert about(push_service, "customer", "на связи") == []  # the page shows it live
    stream.close()
    say(client, dialog_id, world.owner, "А теперь нет")
    assert len(about(push_service, "customer", "теперь нет")) == 1


def test_the_team_is_quiet_only_while_the_dialog_is_open_on_one_of_their_devices(
        app, client, push_service, sms, monkeypatch):
    monkeypatch.setattr(presence, "LEAVE_GRACE_SECONDS", 0)
    world = make_world(app)
    device(client, push_service, world.owner, "owner")
    on_duty(app, world, world.owner)
    dialog_id = open_dialog(client, world)
    cabinet = app.test_client()
    sign_in(cabinet, sms, "+79160000001", area="cabinet")  # the owner
    inbox = f"/cabinet/b/{world.business_id}/inbox/stream"
    listing = cabinet.get(inbox, buffered=False)  # the list only: no dialog open
    assert listing.status_code == 200 and listing.mimetype == "text/event-stream"
    say(client, dialog_id, world.customer, "Список открыт")
    assert len(about(push_service, "owner", "Список открыт")) == 1
    opened = cabinet.get(f"{inbox}?dialog={dialog_id}", buffered=False)
    assert opened.status_code == 200
    say(client, dialog_id, world.customer, "Диалог открыт")
    assert about(push_service, "owner", "Диалог открыт") == []
    opened.close()
    say(client, dialog_id, world.customer, "Диалог закрыт")
    assert len(about(push_service, "owner", "Диалог закрыт")) == 1
    listing.close()


def test_someone_who_left_the_team_is_not_told_about_its_dialogs(app, client, push_service):
    world = make_world(app)
    device(client, push_service, world.operator, "operator")
    on_duty(app, world, world.operator)
    dialog_id = open_dialog(client, world)
    say(client, dialog_id, world.customer, "Первый вопрос")
    assert len(about(push_service, "operator", "Первый вопрос")) == 1
    with app.app_context():
        BusinessMember.objects(business_id=world.business_id,
                               user_id=world.operator["user"]["id"]).update(set__is_active=False)
    say(client, dialog_id, world.customer, "Второй вопрос")
    assert about(push_service, "operator", "Второй вопрос") == []


def test_a_device_that_turned_new_messages_off_gets_none(app, client, push_service):
    world = make_world(app)
    device(client, push_service, world.owner, "quiet", newMessage=False)
    device(client, push_service, world.owner, "loud")
    on_duty(app, world, world.owner)
    dialog_id = open_dialog(client, world)
    say(client, dialog_id, world.customer, "Вопрос")
    assert push_service.payloads("quiet") == []
    assert len(about(push_service, "loud", "Вопрос")) == 1


def cabinet_device(client, push_service, who, name, **preferences):
    answer = client.post("/api/push/register", headers={**B(who), "Accept-Language": "ru"},
                         json={"subscription": push_service.subscription(name),
                               "preferences": preferences, "app": "cabinet"})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["data"]["app"] == "cabinet"
    return answer.get_json()["data"]


def test_the_team_app_gets_the_teams_news_and_the_site_the_customers(app, client,
                                                                     push_service):
    """One phone with both apps installed buzzes once: the owner writes to another
    business as a customer too."""
    world = make_world(app)
    device(client, push_service, world.owner, "owner-site")
    cabinet_device(client, push_service, world.owner, "owner-cabinet")
    on_duty(app, world, world.owner)
    dialog_id = open_dialog(client, world)
    say(client, dialog_id, world.customer, "Вопрос в кабинет")
    assert about(push_service, "owner-site", "Вопрос в кабинет") == []
    assert len(about(push_service, "owner-cabinet", "Вопрос в кабинет")) == 1
    from tests.factories import business
    other = business(app, world.stranger["user"]["id"], name="Пекарня")
    started = client.post(f"/api/businesses/{other.id}/start-dialog", headers=B(world.owner))
    theirs = started.get_json()["data"]["id"]
    say(client, theirs, world.stranger, "Ваш заказ готов")
    assert len(about(push_service, "owner-site", "Ваш заказ готов")) == 1
    assert about(push_service, "owner-cabinet", "Ваш заказ готов") == []


def test_a_dialog_handed_to_a_colleague_tells_them_and_opens_it(app, client, push_service):
    world = make_world(app)
    cabinet_device(client, push_service, world.operator, "operator")
    cabinet_device(client, push_service, world.owner, "owner")
    on_duty(app, world, world.operator)
    on_duty(app, world, world.owner)
    dialog_id = open_dialog(client, world)
    say(client, dialog_id, world.customer, "Хочу вернуть заказ")
    handed = client.put(f"/api/dialogs/{dialog_id}/assign", headers=B(world.owner),
                        json={"assigneeId": world.operator["user"]["id"]})
    assert handed.status_code == 200, handed.get_json()
    assert handed.get_json()["data"]["assignedTo"] == world.operator["user"]["id"]
    [told] = [p for p in push_service.payloads("operator") if p["tag"].startswith("assigned:")]
    assert told == {"title": "Кофейня",
                    "body": "Кирилл — диалог передан вам: Хочу вернуть заказ",
                    "url": f"/cabinet/b/{world.business_id}/inbox?dialog={dialog_id}",
                    "tag": f"assigned:{dialog_id}"}
    # Taking it oneself tells nobody.
    client.put(f"/api/dialogs/{dialog_id}/assign", headers=B(world.owner))
    assert [p for p in push_service.payloads("owner") if p["tag"].startswith("assigned:")] == []


def test_only_a_lead_hands_dialogs_out_and_only_to_someone_who_may_reply(app, client):
    world = make_world(app)
    dialog_id = open_dialog(client, world)
    url = f"/api/dialogs/{dialog_id}/assign"
    refused = client.put(url, headers=B(world.operator),
                         json={"assigneeId": world.owner["user"]["id"]})
    assert refused.status_code == 403
    for someone in (world.viewer["user"]["id"], world.stranger["user"]["id"], "usr_nobody"):
        answer = client.put(url, headers=B(world.owner), json={"assigneeId": someone})
        assert answer.status_code == 422, someone
        assert answer.get_json()["error"]["details"]["fields"][0]["field"] == "assigneeId"
    with app.app_context():
        from app.models import Conversation

        assert Conversation.objects.get(id=dialog_id).assigned_to is None


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


def test_the_bot_invitation_reaches_the_invited_owner(app, client, push_service):
    world = make_world(app, client, inviteOwnerOnKeywords=["доставка"])
    device(client, push_service, world.owner, "owner")
    device(client, push_service, world.operator, "operator")  # not on duty: not invited
    device(client, push_service, world.owner, "no-mentions", mentions=False)
    dialog_id = open_dialog(client, world)
    say(client, dialog_id, world.customer, "Есть ли доставка на Арбат?")
    invitations = [p for p in push_service.payloads("owner") if p["tag"].startswith("invite:")]
    assert invitations == [{
        "title": "Кофейня", "body": "Кирилл просит позвать человека: Есть ли доставка на Арбат?",
        "url": f"/cabinet/b/{world.business_id}/inbox?dialog={dialog_id}",
        "tag": f"invite:{dialog_id}"}]
    assert push_service.payloads("operator") == []
    assert [p for p in push_service.payloads("no-mentions") if p["tag"].startswith("invite:")] \
        == []
    # The bot's own "I have called the team" is for the customer, not a second buzz.
    assert [p["tag"] for p in push_service.payloads("owner")] == [f"invite:{dialog_id}"]


def test_each_device_is_told_in_the_language_it_was_registered_in(app, client, push_service):
    world = make_world(app, client, inviteOwnerOnKeywords=["доставка"])
    device(client, push_service, world.owner, "laptop", language="en")
    device(client, push_service, world.owner, "phone", language="ru")
    dialog_id = open_dialog(client, world)
    say(client, dialog_id, world.customer, "Есть ли доставка на Арбат?")
    assert [p["body"] for p in push_service.payloads("laptop")] == [
        "Кирилл asks for a person: Есть ли доставка на Арбат?"]
    assert [p["body"] for p in push_service.payloads("phone")] == [
        "Кирилл просит позвать человека: Есть ли доставка на Арбат?"]


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


def test_a_guests_messages_copied_into_the_account_notify_nobody(app, client, push_service):
    from app.models import Business

    world = make_world(app, client)
    device(client, push_service, world.owner, "owner")
    on_duty(app, world, world.owner)
    dialog_id = open_dialog(client, world)
    say(client, dialog_id, world.customer, "Здравствуйте")
    say(client, dialog_id, world.owner, "Добрый день!")
    with app.app_context():
        slug = Business.objects.get(id=world.business_id).slug
    guest = client.post(f"/api/widget/{slug}/session", json={}).get_json()["data"]
    headers = {"Authorization": f"Bearer {guest['token']}"}
    theirs = client.post(f"/api/businesses/{world.business_id}/start-dialog",
                         headers=headers).get_json()["data"]["id"]
    client.post(f"/api/dialogs/{theirs}/messages", json={"text": "Написал до входа"},
                headers=headers)
    assert len(about(push_service, "owner", "Написал до входа")) == 1  # news then
    before = len(push_service.payloads("owner"))
    claimed = client.post(f"/api/widget/{slug}/claim", headers=B(world.customer), json={
        "guestId": guest["guest"]["id"], "guestSecret": guest["guest"]["secret"]})
    assert claimed.get_json()["data"]["dialogId"] == dialog_id
    assert len(push_service.payloads("owner")) == before
    # The copy is there; a new message still notifies.
    say(client, dialog_id, world.customer, "Теперь я вошёл")
    assert [p["body"] for p in push_service.payloads("owner")][before:] == [
        "Кирилл: Теперь я вошёл"]


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


def test_going_on_duty_through_the_api_starts_the_pushes(app, client, push_service):
    world = make_world(app)
    device(client, push_service, world.operator, "operator")
    dialog_id = open_dialog(client, world)
    say(client, dialog_id, world.customer, "До дежурства")
    url = f"/api/businesses/{world.business_id}/duty"
    answer = client.put(url, headers=B(world.operator), json={"onDuty": True})
    assert answer.status_code == 200 and answer.get_json()["data"] == {"onDuty": True}
    say(client, dialog_id, world.customer, "На дежурстве")
    assert [p["body"] for p in push_service.payloads("operator")] == ["Кирилл: На дежурстве"]
    assert client.put(url, headers=B(world.viewer), json={"onDuty": True}).status_code == 403
    assert client.put(url, headers=B(world.operator), json={"onDuty": "yes"}).status_code == 422
