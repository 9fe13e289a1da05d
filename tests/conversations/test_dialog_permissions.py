"""Every dialog endpoint as each kind of caller: anonymous, a stranger, the customer, a
viewer, an operator (canReply) and the owner. Refusals change nothing."""

import pytest

from app.models import Conversation
from tests.conversations.dialog_world import World, make_world

ANON, STRANGER, CUSTOMER, VIEWER, OPERATOR, OWNER = (
    "anonymous", "stranger", "customer", "viewer", "operator", "owner")

# (method, path, body) → the status for each caller. {b}: business id, {d}: dialog id.
EXPECTED = [
    ("POST", "/api/businesses/{b}/start-dialog", None,
     {ANON: 401, STRANGER: 200, CUSTOMER: 200, VIEWER: 409, OPERATOR: 409, OWNER: 409}),
    ("GET", "/api/dialogs", None,
     {ANON: 401, STRANGER: 200, CUSTOMER: 200, VIEWER: 200, OPERATOR: 200, OWNER: 200}),
    ("GET", "/api/businesses/{b}/dialogs", None,
     {ANON: 401, STRANGER: 403, CUSTOMER: 403, VIEWER: 200, OPERATOR: 200, OWNER: 200}),
    ("GET", "/api/dialogs/{d}", None,
     {ANON: 401, STRANGER: 404, CUSTOMER: 200, VIEWER: 200, OPERATOR: 200, OWNER: 200}),
    ("GET", "/api/dialogs/{d}/messages", None,
     {ANON: 401, STRANGER: 404, CUSTOMER: 200, VIEWER: 200, OPERATOR: 200, OWNER: 200}),
    ("POST", "/api/dialogs/{d}/messages", {"text": "Привет"},
     {ANON: 401, STRANGER: 404, CUSTOMER: 201, VIEWER: 403, OPERATOR: 201, OWNER: 201}),
    ("PATCH", "/api/dialogs/{d}/read", None,
     {ANON: 401, STRANGER: 404, CUSTOMER: 200, VIEWER: 200, OPERATOR: 200, OWNER: 200}),
    ("PATCH", "/api/dialogs/{d}/unread", None,
     {ANON: 401, STRANGER: 404, CUSTOMER: 403, VIEWER: 200, OPERATOR: 200, OWNER: 200}),
    ("PUT", "/api/dialogs/{d}/archive", {"archived": False},
     {ANON: 401, STRANGER: 404, CUSTOMER: 200, VIEWER: 403, OPERATOR: 200, OWNER: 200}),
    ("PUT", "/api/dialogs/{d}/assign", None,
     {ANON: 401, STRANGER: 404, CUSTOMER: 403, VIEWER: 403, OPERATOR: 200, OWNER: 200}),
]


@pytest.fixture
def world(app, client):
    world = make_world(app)
    answer = client.post(f"/api/businesses/{world.business_id}/start-dialog",
                         headers=World.bearer(world.customer))
    world.dialog_id = answer.get_json()["data"]["id"]
    return world


def caller_headers(world, who):
    if who == ANON:
        return {}
    return World.bearer(getattr(world, who))


@pytest.mark.parametrize("method,path,body,expected", EXPECTED,
                         ids=[f"{m} {p}" for m, p, _b, _e in EXPECTED])
def test_each_endpoint_for_each_caller(app, client, world, method, path, body, expected):
    url = path.format(b=world.business_id, d=world.dialog_id)
    for who, status in expected.items():
        with app.app_context():
            before = Conversation.objects.get(id=world.dialog_id).to_mongo().to_dict()
        answer = client.open(url, method=method, json=body, headers=caller_headers(world, who))
        assert answer.status_code == status, (who, answer.get_json())
        if status >= 400:
            with app.app_context():
                after = Conversation.objects.get(id=world.dialog_id).to_mongo().to_dict()
            assert after == before, (who, "a refused call changed the dialog")
