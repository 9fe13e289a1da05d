"""Contract tests of the mms3 adapter against the stand-in (tests/mms3_standin.py), and of the
stand-in's events on the real RabbitMQ."""

import json
import time
import uuid

import pika
import pytest

from app.config import ConfigError, load_config
from app.messaging import events
from app.messaging.gateway import InvalidRequest, MessagingGateway, NotFound
from app.messaging.mms3 import Mms3Error, Mms3Gateway
from tests.broker import pika_parameters
from tests.mms3_fixtures import gateway_for

MEMBERS = [{"userId": "bot_biz1", "type": "bot", "name": "Bakery"},
           {"userId": "usr_1", "type": "user", "name": "Anna"}]


def dialog_of(gateway, *args, **kwargs):
    return gateway.create_dialog(*args, **kwargs)["dialogId"]


def test_every_request_carries_the_key_and_tenant_and_creates_an_idempotency_key(mms3):
    gateway = gateway_for(mms3, tenant="tnt_acme")
    gateway.ensure_user("usr_1", "Anna")
    dialog_id = dialog_of(gateway, "Anna ↔ Bakery", "bot_biz1", MEMBERS,
                          {"type": "client_bot", "businessId": "biz1"})
    gateway.post_message(dialog_id, "usr_1", "Hello")
    gateway.list_messages(dialog_id)
    assert [r["method"] for r in mms3.requests] == ["POST", "POST", "POST", "GET"]
    for request in mms3.requests:
        assert request["headers"]["X-API-Key"] == mms3.api_key
        assert request["headers"]["X-Tenant-ID"] == "tnt_acme"
    keys = [r["headers"].get("X-Idempotency-Key") for r in mms3.requests if r["method"] == "POST"]
    assert all(len(key) == 32 for key in keys) and len(set(keys)) == 3
    assert mms3.requests[1]["json"]["members"] == MEMBERS


def test_the_tenant_defaults_to_tnt_default(mms3):
    gateway = Mms3Gateway(mms3.url, mms3.api_key)
    gateway.ensure_user("usr_1", "Anna")
    assert mms3.requests[0]["headers"]["X-Tenant-ID"] == "tnt_default"


def test_a_create_is_retried_after_two_500s_with_the_same_key_and_made_once(mms3):
    gateway = gateway_for(mms3)
    mms3.fail_next(2)
    dialog_id = dialog_of(gateway, "Channel", "bot_biz1", MEMBERS[:1],
                          {"type": "business_channel"})
    assert dialog_id.startswith("dlg_") and len(mms3.dialogs) == 1
    keys = {r["headers"]["X-Idempotency-Key"] for r in mms3.requests}
    assert len(mms3.requests) == 3 and len(keys) == 1


def test_a_dropped_connection_is_retried_and_the_key_prevents_a_duplicate(mms3):
    gateway = gateway_for(mms3)
    dialog_id = dialog_of(gateway, "Channel", "bot_biz1", [], {})
    mms3.drop_next(1)
    message = gateway.post_message(dialog_id, "bot_biz1", "Hi", idempotency_key="post-1")
    again = gateway.post_message(dialog_id, "bot_biz1", "Hi", idempotency_key="post-1")
    assert again["messageId"] == message["messageId"] and len(mms3.messages) == 1
    assert len(mms3.requests) == 4  # create, dropped post, its retry, the caller's repeat


def test_retries_are_bounded_and_then_raise_with_the_status(mms3):
    gateway = gateway_for(mms3, retries=2)
    mms3.fail_next(5)
    with pytest.raises(Mms3Error) as caught:
        gateway.ensure_user("usr_1", "Anna")
    assert caught.value.status == 500 and caught.value.error_type == "internal_error"
    assert len(mms3.requests) == 3


def test_ensure_user_on_an_existing_user_updates_it_with_put(mms3):
    gateway = gateway_for(mms3)
    gateway.ensure_user("bot_biz1", "Old name", type="bot")
    user = gateway.ensure_user("bot_biz1", "Bakery", type="bot")
    assert (user["userId"], user["name"], user["type"]) == ("bot_biz1", "Bakery", "bot")
    assert [(r["method"], r["path"]) for r in mms3.requests][1:] == [
        ("POST", "/api/users"), ("PUT", "/api/users/bot_biz1")]
    assert mms3.requests[-1]["json"] == {"name": "Bakery", "type": "bot"}
    assert mms3.users[("tnt_default", "bot_biz1")]["name"] == "Bakery"


@pytest.mark.parametrize("old_style", [False, True])
def test_ids_are_read_from_data_and_then_from_the_top_level(mms3, old_style):
    gateway = gateway_for(mms3)
    mms3.old_style_ids = old_style
    dialog_id = dialog_of(gateway, "Channel", "bot_biz1", [], {})
    message = gateway.post_message(dialog_id, "bot_biz1", "Hi")
    assert ("tnt_default", dialog_id) in mms3.dialogs
    assert ("tnt_default", message["messageId"]) in mms3.messages
    assert message["content"] == "Hi" and message["dialogId"] == dialog_id


def test_a_wrong_api_key_raises_unauthorized(mms3):
    gateway = Mms3Gateway(mms3.url, "wrong-key")
    with pytest.raises(Mms3Error) as caught:
        gateway.ensure_user("usr_1", "Anna")
    assert caught.value.status == 401 and caught.value.error_type == "unauthorized"
    assert len(mms3.users) == 0


def test_a_missing_dialog_raises_not_found(mms3):
    with pytest.raises(NotFound) as caught:
        gateway_for(mms3).post_message("dlg_missing", "usr_1", "Hi")
    assert isinstance(caught.value, Mms3Error)
    assert caught.value.status == 404 and caught.value.error_type == "not_found"


def test_the_adapter_implements_the_interface_and_refuses_what_mms3_would(mms3):
    gateway = gateway_for(mms3)
    assert isinstance(gateway, MessagingGateway)
    with pytest.raises(InvalidRequest):
        gateway.ensure_user("usr.1", "Dotted")
    assert mms3.requests == []


def test_a_slow_mms3_fails_after_the_read_timeout_without_retrying(mms3):
    gateway = gateway_for(mms3, timeout=0.3, retries=3)
    mms3.slow_next(4, seconds=5)
    started = time.monotonic()
    with pytest.raises(Mms3Error) as caught:
        gateway.ensure_user("usr_1", "Anna")
    assert time.monotonic() - started < 2  # one read timeout, not four
    assert caught.value.status is None and caught.value.error_type == "timeout"
    assert len(mms3.requests) == 1


def test_an_unreachable_mms3_raises_unreachable(mms3):
    url = mms3.url
    mms3.stop()
    with pytest.raises(Mms3Error) as caught:
        Mms3Gateway(url, "key", retries=1, backoff=0.01).ensure_user("usr_1", "Anna")
    assert caught.value.status is None and caught.value.error_type == "unreachable"


def test_messages_are_listed_newest_first_page_by_page_with_a_cursor(mms3):
    gateway = gateway_for(mms3)
    dialog_id = dialog_of(gateway, "Channel", "bot_biz1", [], {})
    for number in range(5):
        gateway.post_message(dialog_id, "bot_biz1", f"post {number}")
    first = gateway.list_messages(dialog_id, limit=2)
    gateway.post_message(dialog_id, "bot_biz1", "newer")  # must not shift the later pages
    second = gateway.list_messages(dialog_id, cursor=first["nextCursor"])
    third = gateway.list_messages(dialog_id, cursor=second["nextCursor"])
    pages = [first, second, third]
    contents = [m["content"] for page in pages for m in page["messages"]]
    assert contents == ["post 4", "post 3", "post 2", "post 1", "post 0"]
    assert third["nextCursor"] is None
    query = mms3.requests[-1]["query"]
    assert (query["page"], query["limit"], query["sort"]) == (["3"], ["2"], ["(createdAt,desc)"])
    assert query["filter"] == [f"(createdAt,lte,{first['messages'][0]['createdAt']!r})"]
    assert gateway.list_messages(dialog_id)["messages"][0]["content"] == "newer"
    with pytest.raises(InvalidRequest):
        gateway.list_messages(dialog_id, cursor="not-a-cursor")


def test_members_statuses_reactions_and_typing_reach_mms3(mms3):
    gateway = gateway_for(mms3)
    dialog_id = dialog_of(gateway, "Dialog", "bot_biz1", MEMBERS, {})
    assert gateway.add_member(dialog_id, "usr_2", name="Oleg")["userId"] == "usr_2"
    gateway.add_member(dialog_id, "usr_2", name="Oleg")  # already a member: no error
    assert gateway.remove_member(dialog_id, "usr_1") is True
    assert gateway.remove_member(dialog_id, "usr_1") is False
    with pytest.raises(NotFound):
        gateway.remove_member("dlg_missing", "usr_1")
    assert set(mms3.dialogs[("tnt_default", dialog_id)]["_members"]) == {"bot_biz1", "usr_2"}
    message_id = gateway.post_message(dialog_id, "usr_2", "Hi")["messageId"]
    assert gateway.set_status("bot_biz1", dialog_id, message_id, "read")["status"] == "read"
    with pytest.raises(InvalidRequest):
        gateway.set_status("bot_biz1", dialog_id, message_id, "seen")
    assert gateway.set_reaction("bot_biz1", dialog_id, message_id, "👍") == {"👍": 1}
    assert gateway.set_reaction("bot_biz1", dialog_id, message_id, "👍") == {"👍": 1}
    gateway.typing(dialog_id, "bot_biz1")
    assert mms3.requests[-1]["json"] == {"isTyping": True}
    stored = mms3.messages[("tnt_default", message_id)]
    assert stored["statuses"][0]["status"] == "read"
    assert gateway.unset_reaction("bot_biz1", dialog_id, message_id, "👍") == {}
    assert mms3.requests[-1]["path"].endswith("/reactions/unset")


def test_an_edit_is_a_put_of_the_content_and_members_are_listed(mms3):
    gateway = gateway_for(mms3)
    dialog_id = dialog_of(gateway, "Channel", "bot_biz1", MEMBERS, {"type": "business_channel"})
    message_id = gateway.post_message(dialog_id, "bot_biz1", "Opening at 9")["messageId"]
    edited = gateway.edit_message(message_id, "Opening at 10")
    assert (edited["messageId"], edited["content"]) == (message_id, "Opening at 10")
    assert edited["editedAt"] is not None
    assert mms3.requests[-1]["method"] == "PUT"
    assert mms3.requests[-1]["path"] == f"/api/messages/{message_id}"
    assert mms3.requests[-1]["json"] == {"content": "Opening at 10"}
    assert mms3.messages[("tnt_default", message_id)]["content"] == "Opening at 10"
    with pytest.raises(NotFound):
        gateway.edit_message("msg_missing", "x")
    assert {m["userId"] for m in gateway.list_members(dialog_id)} == {"bot_biz1", "usr_1"}
    gateway.remove_member(dialog_id, "usr_1")
    assert [m["userId"] for m in gateway.list_members(dialog_id)] == ["bot_biz1"]


def test_the_settings_and_the_production_rule(tmp_path):
    environ = {"MMS3_API_URL": "http://mms3:3000/api", "MMS3_TIMEOUT_SECONDS": "2.5",
               "MMS3_RETRIES": "1"}
    config = load_config(environ, tmp_path)
    assert (config["MMS3_TENANT_ID"], config["MMS3_TIMEOUT_SECONDS"], config["MMS3_RETRIES"]) \
        == ("tnt_default", 2.5, 1)
    secrets = {name: "x" * 40 for name in ("SECRET_KEY", "JWT_SECRET_KEY", "OTP_SECRET")}
    with pytest.raises(ConfigError, match="MMS3_API_KEY"):
        load_config({**environ, **secrets, "APP_ENV": "production"}, tmp_path)
    with pytest.raises(ConfigError, match="MMS3_RETRIES"):
        load_config({"MMS3_RETRIES": "many"}, tmp_path)


def test_the_standin_publishes_message_create_to_rabbitmq(mms3_with_events, mms3_tenant):
    key = f"message.create.{mms3_tenant}"
    connection = pika.BlockingConnection(pika_parameters(mms3_with_events.publisher.amqp_url))
    try:
        channel = connection.channel()
        channel.exchange_declare("chat3_events", exchange_type="topic", durable=True)
        queue = channel.queue_declare(f"mms3-test-{uuid.uuid4().hex[:8]}", exclusive=True)
        channel.queue_bind(queue.method.queue, "chat3_events", routing_key=key)
        gateway = gateway_for(mms3_with_events, tenant=mms3_tenant)
        dialog_id = dialog_of(gateway, "Dialog", "bot_biz1", MEMBERS,
                              {"type": "client_bot", "businessId": "biz1"})
        message_id = gateway.post_message(dialog_id, "usr_1", "Hello")["messageId"]
        delivered = next(channel.consume(queue.method.queue, auto_ack=True,
                                         inactivity_timeout=10))
    finally:
        connection.close()
    method, properties, body = delivered
    assert method is not None, "no message.create event within 10 s"
    assert method.routing_key == key and method.exchange == "chat3_events"
    assert properties.content_type == "application/json" and properties.delivery_mode == 2
    assert properties.headers == {"eventType": "message.create", "entityType": "message",
                                  "tenantId": mms3_tenant}
    event = json.loads(body)
    events.validate(event)  # what the platform's consumer will check first
    assert event["eventId"].startswith("evt_") and len(event["eventId"]) == 36
    assert isinstance(event["createdAt"], float) and event["entityId"] == message_id
    assert (event["tenantId"], event["eventType"]) == (mms3_tenant, "message.create")
    context, dialog, message = (event["data"][k] for k in ("context", "dialog", "message"))
    assert context["dialogId"] == dialog_id and context["messageId"] == message_id
    assert {"dialog", "message"} <= set(context["includedSections"])
    assert dialog["meta"] == {"type": "client_bot", "businessId": "biz1"}
    assert (message["senderId"], message["content"], message["type"]) == \
        ("usr_1", "Hello", "internal.text")
    assert message["senderInfo"]["name"] == "Anna"
