"""The back office's dead-letter page over the real RabbitMQ: superadmins see the consumer's
dead letters without taking them off the queue, and requeue or discard one."""

import json
import uuid

import pika
import pytest

from app.messaging import dead_letters, event_queues
from app.models import AuditEntry
from tests.admin.conftest import csrf_token
from tests.broker import pika_parameters

URL = "/admin/dead-letters/"


@pytest.fixture
def app(make_app, rabbitmq_url):
    """The app of staff_client, with queues of this test's own (deleted after)."""
    suffix = uuid.uuid4().hex[:12]
    app = make_app(RABBITMQ_URL=rabbitmq_url, MMS3_EVENTS_EXCHANGE=f"bank-test-x-{suffix}",
                   EVENTS_QUEUE=f"bank-test-events-{suffix}")
    yield app
    names = event_queues.names(app.config)
    with pika.BlockingConnection(pika_parameters(rabbitmq_url)) as connection:
        channel = connection.channel()
        for name in (names.queue, names.retry, names.dead):
            channel.queue_delete(name)
        channel.exchange_delete(names.exchange)


class Queues:
    def __init__(self, app):
        self.names = event_queues.names(app.config)
        self.connection = pika.BlockingConnection(pika_parameters(app.config["RABBITMQ_URL"]))
        self.channel = self.connection.channel()
        event_queues.declare(self.channel, app.config)

    def bury(self, body, error):
        """A dead letter as the consumer makes it; returns its id."""
        original = pika.BasicProperties(content_type="application/json",
                                        headers={"eventType": "message.create"})
        props = dead_letters.properties(original, error=error, attempts=5,
                                        routing_key="message.create.tnt_default")
        self.channel.basic_publish("", self.names.dead, body, props)
        return props.headers[dead_letters.ID_HEADER]

    def count(self, name):
        return self.channel.queue_declare(name, passive=True).method.message_count


@pytest.fixture
def queues(app):
    queues = Queues(app)
    yield queues
    queues.connection.close()


def event(event_id):
    return json.dumps({"eventId": event_id, "eventType": "message.create",
                       "data": {"context": {}}}).encode()


def act(client, letter_id, action):
    page = client.get(URL)
    return client.post(URL + "act", data={"letter_id": letter_id, "action": action,
                                          "csrf_token": csrf_token(page)})


def test_superadmins_see_dead_letters_and_requeue_one(app, staff_client, queues):
    kept = queues.bury(event("evt_kept"), "RuntimeError: mms3 said 500")
    requeued = queues.bury(event("evt_back"), "RuntimeError: listener broke")
    client = staff_client("superadmin")

    page = client.get(URL)

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for shown in ("evt_kept", "evt_back", "message.create", "RuntimeError: mms3 said 500",
                  "message.create.tnt_default", f'data-letter="{kept}"'):
        assert shown in html
    assert queues.count(queues.names.dead) == 2  # looking took nothing away

    response = act(client, requeued, "requeue")

    assert response.status_code == 302
    assert queues.count(queues.names.dead) == 1
    method, props, body = queues.channel.basic_get(queues.names.queue, auto_ack=True)
    assert json.loads(body)["eventId"] == "evt_back"
    assert dead_letters.ERROR_HEADER not in props.headers  # fresh attempts
    assert props.headers["eventType"] == "message.create"
    remaining = dead_letters.peek(app.config)[1]
    assert [letter["eventId"] for letter in remaining] == ["evt_kept"]
    with app.app_context():
        entry = AuditEntry.objects(action="dead_letter_requeue").get()
        assert entry.target_id == requeued


def test_a_dead_letter_can_be_discarded(staff_client, queues):
    gone = queues.bury(b"{not json", "malformed: Expecting property name")
    client = staff_client("superadmin")

    assert "{not json" in client.get(URL).get_data(as_text=True)
    act(client, gone, "discard")

    assert queues.count(queues.names.dead) == 0
    assert queues.count(queues.names.queue) == 0
    assert 'id="no-dead-letters"' in client.get(URL).get_data(as_text=True)


def test_actions_need_a_csrf_token(staff_client, queues):
    letter = queues.bury(event("evt_csrf"), "boom")
    client = staff_client("superadmin")

    client.post(URL + "act", data={"letter_id": letter, "action": "discard"})

    assert queues.count(queues.names.dead) == 1


@pytest.mark.parametrize("role", ["moderator", "support"])
def test_only_superadmins_may_see_or_act(staff_client, queues, role):
    letter = queues.bury(event("evt_private"), "boom")
    client = staff_client(role)

    assert client.get(URL).status_code == 403
    assert client.post(URL + "act", data={"letter_id": letter,
                                          "action": "discard"}).status_code == 403
    assert queues.count(queues.names.dead) == 1
    assert staff_client(None).get(URL).status_code == 302  # anonymous: to the login page


def test_the_page_says_when_rabbitmq_is_not_configured(app, staff_client):
    app.config["RABBITMQ_URL"] = None
    client = staff_client("superadmin")

    page = client.get(URL).get_data(as_text=True)

    assert 'id="not-configured"' in page
