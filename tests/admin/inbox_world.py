"""The inbox tests' world: business A's dialog with a customer signed in to the JSON API,
and what the customer does and sees through that API."""

from types import SimpleNamespace

from app.models import Conversation
from tests import factories

VIEWER, CUSTOMER = "+79160000017", "+79160000021"


def make_inbox(app, world):
    """Business A's dialog with a customer (signed in to the API), who wrote one message;
    a viewer joins A's team."""
    viewer = factories.person(app, VIEWER, "Вера")
    factories.member(app, world["a"], viewer.id, "viewer")
    customer = factories.signed_in(app, CUSTOMER, "Кирилл")
    api = app.test_client()
    headers = {"Authorization": f"Bearer {customer['accessToken']}"}
    started = api.post(f"/api/businesses/{world['a']}/start-dialog", headers=headers)
    assert started.status_code == 200, started.get_json()
    dialog = started.get_json()["data"]["id"]
    said = api.post(f"/api/dialogs/{dialog}/messages", json={"text": "Есть столик на двоих?"},
                    headers=headers)
    assert said.status_code == 201, said.get_json()
    base = f"/cabinet/b/{world['a']}/inbox"
    return SimpleNamespace(dialog=dialog, api=api, headers=headers, viewer=viewer.id,
                           customer=customer["user"]["id"], base=base,
                           page=f"{base}?dialog={dialog}", url=f"{base}/{dialog}")


def customer_says(inbox, text):
    return inbox.api.post(f"/api/dialogs/{inbox.dialog}/messages", json={"text": text},
                          headers=inbox.headers)


def customer_reads(inbox):
    answer = inbox.api.get(f"/api/dialogs/{inbox.dialog}/messages", headers=inbox.headers)
    return answer.get_json()["data"]["items"]


def conversation(inbox):
    return Conversation.objects.get(id=inbox.dialog)


def flashed(client, response):
    return client.get(response.headers["Location"]).get_data(as_text=True)
