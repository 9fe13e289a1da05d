"""The conversation flow with the mms3 adapter: the API talks to the mms3 stand-in over
REST, the stand-in publishes contract events to the real RabbitMQ, and the consumer hands
them to the same listeners as the embedded adapter (conversation state, live, the bot)."""

import uuid

import pytest

from app.models import Conversation
from tests.conversations.dialog_world import World, make_world
from tests.mms3_standin import Mms3StandIn
from tests.tasks.test_consumer import Broker, consuming, wait_until

B = World.bearer


@pytest.fixture
def standin(rabbitmq_url):
    exchange = f"bank-test-chat3-{uuid.uuid4().hex[:10]}"
    standin = Mms3StandIn(amqp_url=rabbitmq_url, exchange=exchange).start()
    yield standin
    standin.stop()


@pytest.fixture
def mms3_app(make_app, standin, rabbitmq_url, mms3_tenant):
    suffix = uuid.uuid4().hex[:10]
    app = make_app(MMS3_API_URL=standin.url, MMS3_API_KEY=standin.api_key,
                   MMS3_TENANT_ID=mms3_tenant, MMS3_RETRIES=3, RABBITMQ_URL=rabbitmq_url,
                   MMS3_EVENTS_EXCHANGE=standin.publisher.exchange,
                   EVENTS_QUEUE=f"bank-test-flow-{suffix}", EVENTS_RETRY_SECONDS="0.05")
    yield app
    Broker(app, rabbitmq_url).close()  # delete this test's queues


def conversation(app, dialog_id):
    with app.app_context():
        return Conversation.objects.get(id=dialog_id)


def bot_texts(client, dialog_id, who):
    items = client.get(f"/api/dialogs/{dialog_id}/messages?limit=100",
                       headers=B(who)).get_json()["data"]["items"]
    return [m["text"] for m in reversed(items) if m["sender"]["kind"] == "bot"]


def test_the_whole_flow_through_mms3_and_rabbitmq(mms3_app, standin, mms3_tenant):
    client = mms3_app.test_client()
    world = make_world(mms3_app, client, greeting="Здравствуйте!",
                       inviteOwnerOnKeywords=["доставка"])
    with consuming(mms3_app):
        started = client.post(f"/api/businesses/{world.business_id}/start-dialog",
                              headers=B(world.customer))
        assert started.status_code == 200, started.get_json()
        dialog_id = started.get_json()["data"]["id"]
        stored = conversation(mms3_app, dialog_id)
        assert (mms3_tenant, stored.chat_dialog_id) in standin.dialogs  # the dialog lives in mms3
        assert bot_texts(client, dialog_id, world.customer) == ["Здравствуйте!"]

        sent = client.post(f"/api/dialogs/{dialog_id}/messages",
                           json={"text": "А доставка есть?"}, headers=B(world.customer))
        assert sent.status_code == 201
        owner_id = world.owner["user"]["id"]
        # The event went mms3 → RabbitMQ → consumer → the bot, which invited the owner.
        wait_until(lambda: owner_id in conversation(mms3_app, dialog_id).participants,
                   "the bot to invite the owner")
        wait_until(lambda: conversation(mms3_app, dialog_id).team_unread == 1,
                   "the team's unread count")

        reply = client.post(f"/api/dialogs/{dialog_id}/messages", json={"text": "Есть!"},
                            headers=B(world.owner))
        assert reply.status_code == 201
        wait_until(lambda: conversation(mms3_app, dialog_id).first_human_reply_at is not None,
                   "the owner's reply recorded")
    members = standin.dialogs[(mms3_tenant, stored.chat_dialog_id)]["_members"]
    assert owner_id in members


def test_mms3_answering_500_then_recovering_loses_nothing(mms3_app, standin):
    client = mms3_app.test_client()
    world = make_world(mms3_app, client)
    started = client.post(f"/api/businesses/{world.business_id}/start-dialog",
                          headers=B(world.customer))
    dialog_id = started.get_json()["data"]["id"]
    standin.fail_next(2)  # within the adapter's retries
    assert client.post(f"/api/dialogs/{dialog_id}/messages", json={"text": "Раз"},
                       headers=B(world.customer)).status_code == 201
    standin.fail_next(20)  # beyond them: a clear 503, nothing half-written
    down = client.post(f"/api/dialogs/{dialog_id}/messages", json={"text": "Два"},
                       headers=B(world.customer))
    assert down.status_code == 503
    assert down.get_json()["error"]["code"] == "messaging_unavailable"
    standin.script.clear()
    assert client.post(f"/api/dialogs/{dialog_id}/messages", json={"text": "Два"},
                       headers=B(world.customer)).status_code == 201
    texts = [m["text"] for m in client.get(f"/api/dialogs/{dialog_id}/messages",
                                           headers=B(world.customer))
             .get_json()["data"]["items"]]
    assert texts == ["Два", "Раз"]


def test_a_start_dialog_while_mms3_is_down_can_be_repeated(mms3_app, standin):
    client = mms3_app.test_client()
    world = make_world(mms3_app, client)
    url = f"/api/businesses/{world.business_id}/start-dialog"
    standin.fail_next(20)
    assert client.post(url, headers=B(world.customer)).status_code == 503
    standin.script.clear()
    again = client.post(url, headers=B(world.customer))
    assert again.status_code == 200
    assert conversation(mms3_app, again.get_json()["data"]["id"]).chat_dialog_id
