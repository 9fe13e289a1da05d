"""Telling the invitee of a team invitation: an SMS with the link to /my/invitations when the
phone has no account, a push (`mentions`) to the devices of one that has, never both, and
nothing that tells the inviter which it was. The pushes go to a local push service that
checks and decrypts them (tests/push_standin.py); Celery is eager, so each job runs inside the
request that raised it."""

import pytest

from app.models import SmsMessage
from tests import factories
from tests.push_standin import PushServiceStandIn

OWNER, MEMBER, NEWCOMER = "+79160000001", "+79160000005", "+79160000077"


@pytest.fixture
def push_service(app):
    with PushServiceStandIn(app.config["VAPID_PUBLIC_KEY"]) as standin:
        yield standin


def world(app):
    owner = factories.signed_in(app, OWNER, "Ольга")
    business = factories.business(app, owner["user"]["id"], "Кофейня", slug="coffee")
    return owner, business


def bearer(who):
    return {"Authorization": f"Bearer {who['accessToken']}"}


def invite(client, owner, business, phone):
    answer = client.post(f"/api/businesses/{business.id}/members", headers=bearer(owner),
                         json={"phone": phone, "role": "operator"})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["data"]


def device(client, push_service, who, name, language="ru", **preferences):
    answer = client.post(
        "/api/push/register", headers={**bearer(who), "Accept-Language": language},
        json={"subscription": push_service.subscription(name), "preferences": preferences})
    assert answer.status_code == 201, answer.get_json()


def test_a_phone_without_an_account_gets_an_sms_with_the_link(app, client, sms, push_service):
    owner, business = world(app)
    invite(client, owner, business, "8 916 000-00-77")
    [(to, text)] = sms.messages(NEWCOMER)
    assert to == NEWCOMER
    assert "Кофейня" in text and text.endswith("http://bank.test/my/invitations")
    with app.app_context():
        [logged] = SmsMessage.objects(phone=NEWCOMER)
        assert (logged.purpose, logged.status) == ("invitation", "sent")
    assert push_service.payloads() == []


def test_a_phone_with_an_account_gets_a_push_and_no_sms(app, client, sms, push_service):
    owner, business = world(app)
    member = factories.signed_in(app, MEMBER, "Нина")
    device(client, push_service, member, "ru-phone")
    device(client, push_service, member, "en-laptop", language="en")
    device(client, push_service, member, "quiet", mentions=False)
    invited = invite(client, owner, business, MEMBER)

    assert sms.messages(MEMBER) == []
    [on_laptop] = push_service.payloads("en-laptop")
    assert on_laptop == {
        "title": "Кофейня", "url": "/my/invitations",
        "tag": f"team-invitation:{invited['memberId']}",
        "body": "You are invited to join the team. Accept or decline the invitation."}
    [on_phone] = push_service.payloads("ru-phone")
    assert on_phone["url"] == "/my/invitations" and on_phone["title"] == "Кофейня"
    assert push_service.payloads("quiet") == []  # it turned `mentions` off
    assert push_service.refused == []


def test_a_phone_gets_a_bounded_number_of_invitation_sms(make_app, sms):
    """Withdrawing and inviting again cannot flood a number: past INVITATION_SMS_PER_PHONE the
    invitation is still made (and waits on the site), without an SMS."""
    app = make_app(INVITATION_SMS_PER_PHONE="1/day")
    client = app.test_client()
    owner, business = world(app)
    first = invite(client, owner, business, NEWCOMER)
    client.delete(f"/api/businesses/{business.id}/invitations/{first['memberId']}",
                  headers=bearer(owner))
    second = invite(client, owner, business, NEWCOMER)
    assert second["status"] == "invited"
    assert len(sms.messages(NEWCOMER)) == 1
