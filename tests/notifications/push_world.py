"""The push tests' world: browsers subscribed at the push-service stand-in
(tests/push_standin.py, the `push_service` fixture of tests/conftest.py) and registered with
the API, what each of them was sent, and a team member going on duty."""

from app.models import Business, BusinessMember
from tests.conversations.dialog_world import World

B = World.bearer


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


def business_slug(app, world):
    with app.app_context():
        return Business.objects.get(id=world.business_id).slug


def cabinet_device(client, push_service, who, name, **preferences):
    answer = client.post("/api/push/register", headers={**B(who), "Accept-Language": "ru"},
                         json={"subscription": push_service.subscription(name),
                               "preferences": preferences, "app": "cabinet"})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["data"]["app"] == "cabinet"
    return answer.get_json()["data"]


