"""Who is told of what (app/notifications/notices.py), end to end against the push-service
stand-in, which checks the VAPID signature and decrypts every payload: the customer and the
on-duty team for a new message, the assignee of a dialog handed over, the members the bot
called, each device in its language and app, and nobody whose device shows the dialog.
Sending and its failures are in tests/tasks/test_push_tasks.py.

Celery is eager here, so each job runs inside the request that raised it."""

from app.live import presence
from app.models import BusinessMember
from tests.admin.conftest import sign_in
from tests.conversations.dialog_world import make_world, open_dialog, say
from tests.notifications.push_world import (
    B,
    about,
    business_slug,
    cabinet_device,
    device,
    on_duty,
)


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
    # Handed to someone off duty: nobody is told.
    on_duty(app, world, world.operator, False)
    handed = client.put(f"/api/dialogs/{dialog_id}/assign", headers=B(world.owner),
                        json={"assigneeId": world.operator["user"]["id"]})
    assert handed.get_json()["data"]["assignedTo"] == world.operator["user"]["id"]
    assert len([p for p in push_service.payloads("operator")
                if p["tag"].startswith("assigned:")]) == 1


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
