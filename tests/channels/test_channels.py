"""Business channels through the API, on the embedded adapter: who may read, publish, moderate,
edit and delete; delivery into the channel dialog from a job; the cursor; the landing page's
latest posts. Reactions and comments: test_channel_feedback.py; subscribers as the channel
dialog's members: test_channel_members.py."""

import io

import pytest

from app import clock
from app.channels import members
from app.lib import jobs
from app.live import bus
from app.messaging import events
from app.messaging.gateway import MessagingError
from app.messaging.runtime import dispatcher, gateway
from app.models import Business, ChannelPost
from tests.channels.channel_world import (
    B,
    channel_dialog,
    feed,
    grant_publishing,
    make_channel_world,
    png,
    post_url,
    publish,
    settings,
    subscribe,
    texts,
)
from tests.conversations.dialog_world import make_world

# --- every endpoint for each caller --------------------------------------------------------------

CALLERS = ("anonymous", "stranger", "subscriber", "viewer", "operator", "owner")
# (method, path under the business, JSON body, expected statuses in the order of CALLERS)
MATRIX = [
    ("GET", "/channel", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/channel/messages", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/channel/messages?status=pending", None, (401, 403, 403, 403, 403, 200)),
    ("POST", "/channel/messages", {"text": "Новость"}, (401, 403, 403, 403, 403, 201)),
    ("PATCH", "/channel/messages/{post}", {"text": "Иначе"}, (401, 403, 403, 403, 403, 200)),
    ("DELETE", "/channel/messages/{post}", None, (401, 403, 403, 403, 403, 200)),
    ("POST", "/channel/messages/{pending}/approve", None, (401, 403, 403, 403, 403, 200)),
    ("POST", "/channel/messages/{pending}/reject", None, (401, 403, 403, 403, 403, 200)),
    ("POST", "/channel/messages/{post}/reactions", {"emoji": "🔥", "action": "set"},
     (401, 200, 200, 200, 200, 200)),
    ("GET", "/channel/messages/{post}/comments", None, (200, 200, 200, 200, 200, 200)),
    ("POST", "/channel/messages/{post}/comments", {"text": "Ура"},
     (401, 201, 201, 201, 201, 201)),
    ("DELETE", "/channel/messages/{post}/comments/{comment}", None,
     (401, 403, 200, 403, 403, 200)),
]
CASES = [(method, path, payload, caller, status) for method, path, payload, expected in MATRIX
         for caller, status in zip(CALLERS, expected, strict=True)]


@pytest.fixture
def world(app, client):
    return make_channel_world(app, client)


@pytest.mark.parametrize("method,path,payload,caller,status", CASES,
                         ids=[f"{m} {p} {c}" for m, p, _b, c, _s in CASES])
def test_every_endpoint_for_each_caller(app, client, method, path, payload, caller, status):
    world = make_world(app, client, channelSettings={
        "allowComments": True, "allowReactions": True, "moderationEnabled": True})
    subscribe(client, world, world.customer)
    post_id = publish(client, world, world.owner).get_json()["data"]["id"]
    comment = client.post(post_url(world, post_id, "/comments"), json={"text": "Мой"},
                          headers=B(world.customer)).get_json()["data"]["id"]
    with app.app_context():
        pending = ChannelPost(business_id=world.business_id, text="Ждёт",
                              author_id=world.operator["user"]["id"], status="pending",
                              feed_at=clock.now()).save().id
    who = {"anonymous": None, "stranger": world.stranger, "subscriber": world.customer,
           "viewer": world.viewer, "operator": world.operator, "owner": world.owner}[caller]
    url = f"/api/businesses/{world.business_id}" + path.format(
        post=post_id, pending=pending, comment=comment)
    answer = client.open(url, method=method, json=payload, headers=B(who) if who else {})
    assert answer.status_code == status, answer.get_json()


# --- the channel and who may publish -----------------------------------------------------------

def test_the_channel_tells_each_caller_what_they_may_do(app, client, world):
    subscribe(client, world, world.customer)
    url = f"/api/businesses/{world.business_id}/channel"
    anonymous = client.get(url).get_json()["data"]
    assert anonymous["business"]["id"] == world.business_id
    assert anonymous["settings"] == {"allowComments": False, "allowReactions": False,
                                     "moderationEnabled": False}
    assert (anonymous["subscribed"], anonymous["canPublish"]) == (False, False)
    assert anonymous["subscriberCount"] == 1 and "👍" in anonymous["reactions"]
    customer = client.get(url, headers=B(world.customer)).get_json()["data"]
    assert (customer["subscribed"], customer["canPublish"]) == (True, False)
    owner = client.get(url, headers=B(world.owner)).get_json()["data"]
    assert (owner["canPublish"], owner["canModerate"]) == (True, True)
    operator = client.get(url, headers=B(world.operator)).get_json()["data"]
    assert operator["canPublish"] is False
    assert client.get("/api/businesses/biz_missing/channel").status_code == 404


@pytest.mark.parametrize("who,status", [
    (None, 401), ("stranger", 403), ("customer", 403), ("viewer", 403), ("operator", 403),
    ("owner", 201), ("manager", 201)])
def test_only_members_with_can_publish_channel_may_publish(app, client, world, who, status):
    subscribe(client, world, world.customer)  # a subscriber is a reader, not a publisher
    answer = publish(client, world, getattr(world, who) if who else None)
    assert answer.status_code == status, answer.get_json()
    with app.app_context():
        assert ChannelPost.objects(business_id=world.business_id).count() == (status == 201)


def test_an_operator_granted_the_permission_may_publish(app, client, world):
    grant_publishing(app, world, world.operator)
    answer = publish(client, world, world.operator, "Скидки сегодня")
    assert answer.status_code == 201
    assert answer.get_json()["data"]["author"] == {"id": world.operator["user"]["id"],
                                                   "name": "Олег"}


def test_text_is_stripped_kept_as_text_and_limited(app, client, world):
    posted = publish(client, world, world.owner, "  <b>Привет</b> & <script>x</script>\n ")
    assert posted.get_json()["data"]["text"] == "<b>Привет</b> & <script>x</script>"
    assert publish(client, world, world.owner, "   ").status_code == 422
    assert publish(client, world, world.owner, "я" * 4001).status_code == 422
    assert publish(client, world, world.owner, "я" * 4000).status_code == 201
    unknown = client.post(f"/api/businesses/{world.business_id}/channel/messages",
                          json={"text": "x", "html": True}, headers=B(world.owner))
    assert unknown.status_code == 422


def test_an_image_is_uploaded_with_the_text_as_multipart(app, client, world):
    url = f"/api/businesses/{world.business_id}/channel/messages"
    answer = client.post(url, headers=B(world.owner), content_type="multipart/form-data",
                         data={"text": "Новое меню", "image": (io.BytesIO(png()), "menu.png")})
    assert answer.status_code == 201, answer.get_json()
    image_url = answer.get_json()["data"]["imageUrl"]
    assert image_url.startswith("http://bank.test/media/posts/") and image_url.endswith(".webp")
    assert client.get(image_url.removeprefix("http://bank.test")).status_code == 200
    bad = client.post(url, headers=B(world.owner), content_type="multipart/form-data",
                      data={"text": "x", "image": (io.BytesIO(b"not an image"), "x.png")})
    assert bad.status_code == 415
    extra = client.post(url, headers=B(world.owner), content_type="multipart/form-data",
                        data={"text": "x", "file": (io.BytesIO(png()), "x.png")})
    assert extra.status_code == 422
    with app.app_context():
        assert ChannelPost.objects(business_id=world.business_id).count() == 1


# --- delivery into the channel dialog ---------------------------------------------------------

def test_publishing_writes_the_post_and_leaves_delivery_to_the_job(app, client, world,
                                                                   monkeypatch):
    queued = []
    monkeypatch.setattr(jobs, "enqueue", lambda name, *args: queued.append((name, *args)))
    post_id = publish(client, world, world.owner).get_json()["data"]["id"]
    assert queued == [(jobs.CHANNEL_DELIVER, post_id), (jobs.PUSH_CHANNEL_POST, post_id)]
    with app.app_context():
        assert ChannelPost.objects.get(id=post_id).message_id is None
        assert gateway().list_messages(channel_dialog(app, world))["messages"] == []
        app.extensions["celery"].tasks[jobs.CHANNEL_DELIVER].apply(args=(post_id,))
        post = ChannelPost.objects.get(id=post_id)
        assert post.delivery == "done" and post.message_id
        message = gateway().get_message(post.message_id)
    assert message["senderId"] == f"bot_{world.business_id}"
    assert message["dialogId"] == channel_dialog(app, world)
    assert message["meta"]["authorId"] == world.owner["user"]["id"]
    assert message["content"] == "Открылись!"


def test_a_failed_delivery_is_recorded_and_the_backfill_sends_it_again(app, client, world,
                                                                       monkeypatch):
    def down(*_args, **_kwargs):
        raise MessagingError("mms3 is down")

    with app.app_context():
        monkeypatch.setattr(gateway(), "post_message", down)
    answer = publish(client, world, world.owner)
    assert answer.status_code == 201  # the post is there; its copy is not yet
    with app.app_context():
        post = ChannelPost.objects.get(id=answer.get_json()["data"]["id"])
        assert (post.delivery, post.message_id) == ("failed", None)
        assert "mms3 is down" in post.delivery_error
        monkeypatch.undo()
        assert members.backfill(world.business_id)["redelivered"] == 1
        post.reload()
        assert post.delivery == "done" and gateway().get_message(post.message_id)


def test_an_edit_is_mirrored_to_the_channel_dialog(app, client, world):
    received = []

    def message_updated(event):
        received.append(event["data"]["message"])

    post_id = publish(client, world, world.owner, "Открыты до 20:00").get_json()["data"]["id"]
    with app.app_context():
        dispatcher().subscribe(events.MESSAGE_UPDATE, message_updated)
    edited = client.patch(post_url(world, post_id), json={"text": "Открыты до 21:00"},
                          headers=B(world.owner))
    assert edited.status_code == 200 and edited.get_json()["data"]["editedAt"]
    with app.app_context():
        post = ChannelPost.objects.get(id=post_id)
        message = gateway().get_message(post.message_id)
        assert post.delivered_version == post.version == 2
    assert message["content"] == "Открыты до 21:00" and message["editedAt"]
    assert [m["content"] for m in received] == ["Открыты до 21:00"]


# --- who may read the feed --------------------------------------------------------------------

def test_the_feed_of_a_public_business_is_public(app, client, world):
    publish(client, world, world.owner, "Первый")
    publish(client, world, world.owner, "Второй")
    assert texts(client, world) == ["Второй", "Первый"]
    item = feed(client, world).get_json()["data"]["items"][0]
    assert set(item) >= {"id", "text", "imageUrl", "author", "createdAt", "editedAt",
                         "reactionCounts", "myReactions", "commentCount"}
    assert item["myReactions"] is None and item["author"]["name"] == "Ольга"
    assert feed(client, world, world.stranger).get_json()["data"]["items"][0]["myReactions"] \
        == []


def test_a_hidden_business_shows_its_feed_to_its_team_and_subscribers_only(app, client, world):
    subscribe(client, world, world.customer)
    publish(client, world, world.owner, "Только своим")
    with app.app_context():
        Business.objects(id=world.business_id).update_one(set__hidden=True)
    assert feed(client, world).status_code == 404
    assert feed(client, world, world.stranger).status_code == 404
    assert texts(client, world, world.customer) == ["Только своим"]
    assert texts(client, world, world.viewer) == ["Только своим"]


def test_the_cursor_pages_through_without_shifting(app, client, world):
    for number in range(5):
        publish(client, world, world.owner, f"пост {number}")
    first = feed(client, world, limit=2).get_json()["data"]
    publish(client, world, world.owner, "новее")  # must not shift the later pages
    second = feed(client, world, limit=2, cursor=first["nextCursor"]).get_json()["data"]
    third = feed(client, world, limit=2, cursor=second["nextCursor"]).get_json()["data"]
    pages = [first, second, third]
    assert [item["text"] for page in pages for item in page["items"]] == [
        "пост 4", "пост 3", "пост 2", "пост 1", "пост 0"]
    assert third["nextCursor"] is None
    assert feed(client, world, cursor="not-a-cursor").status_code == 422


# --- pre-moderation -----------------------------------------------------------------------------

def test_with_pre_moderation_an_operators_post_waits_for_approval(app, client, world):
    settings(client, world, moderationEnabled=True)
    grant_publishing(app, world, world.operator)
    waiting = publish(client, world, world.operator, "На проверку")
    assert waiting.status_code == 201 and waiting.get_json()["data"]["status"] == "pending"
    post_id = waiting.get_json()["data"]["id"]
    assert texts(client, world) == []
    assert feed(client, world, world.operator, status="pending").status_code == 403
    assert feed(client, world, world.viewer, status="pending").status_code == 403
    assert texts(client, world, world.manager, status="pending") == ["На проверку"]
    with app.app_context():
        assert ChannelPost.objects.get(id=post_id).message_id is None  # not delivered
    assert client.post(post_url(world, post_id, "/approve"),
                       headers=B(world.operator)).status_code == 403
    approved = client.post(post_url(world, post_id, "/approve"), headers=B(world.owner))
    assert approved.status_code == 200 and approved.get_json()["data"]["status"] == "published"
    assert texts(client, world) == ["На проверку"]
    assert texts(client, world, world.owner, status="pending") == []
    with app.app_context():
        assert ChannelPost.objects.get(id=post_id).message_id
    again = client.post(post_url(world, post_id, "/approve"), headers=B(world.owner))
    assert again.status_code == 409
    # An approved post cannot be changed by its author behind the moderators' backs.
    edited = client.patch(post_url(world, post_id), json={"text": "Другое"},
                          headers=B(world.operator))
    assert edited.status_code == 403


def test_a_rejected_post_never_shows_and_an_owners_post_skips_the_queue(app, client, world):
    settings(client, world, moderationEnabled=True)
    grant_publishing(app, world, world.operator)
    post_id = publish(client, world, world.operator, "Нет").get_json()["data"]["id"]
    rejected = client.post(post_url(world, post_id, "/reject"), headers=B(world.manager))
    assert rejected.get_json()["data"]["status"] == "rejected"
    own = publish(client, world, world.owner, "Сразу")
    assert own.get_json()["data"]["status"] == "published"
    assert texts(client, world) == ["Сразу"]
    assert texts(client, world, world.owner, status="pending") == []


# --- editing and deleting ---------------------------------------------------------------------

def test_the_author_or_an_owner_or_manager_edits_and_deletes(app, client, world):
    grant_publishing(app, world, world.operator)
    mine = publish(client, world, world.operator, "Моё").get_json()["data"]["id"]
    owners = publish(client, world, world.owner, "Владельца").get_json()["data"]["id"]
    assert client.patch(post_url(world, owners), json={"text": "x"},
                        headers=B(world.operator)).status_code == 403
    assert client.patch(post_url(world, mine), json={"text": "x"},
                        headers=B(world.viewer)).status_code == 403
    assert client.patch(post_url(world, mine), json={"text": "x"}).status_code == 401
    assert client.patch(post_url(world, mine), json={"text": "Моё, исправлено"},
                        headers=B(world.operator)).status_code == 200
    assert client.patch(post_url(world, mine), json={"text": "Поправил менеджер"},
                        headers=B(world.manager)).status_code == 200
    assert client.delete(post_url(world, owners), headers=B(world.operator)).status_code == 403
    assert client.delete(post_url(world, owners), headers=B(world.stranger)).status_code == 403
    assert texts(client, world) == ["Владельца", "Поправил менеджер"]
    assert client.delete(post_url(world, owners), headers=B(world.owner)).status_code == 200
    assert texts(client, world) == ["Поправил менеджер"]
    assert client.delete(post_url(world, owners), headers=B(world.owner)).status_code == 404
    assert client.patch(post_url(world, owners), json={"text": "x"},
                        headers=B(world.owner)).status_code == 404
    with app.app_context():
        assert ChannelPost.objects.get(id=owners).deleted_at is not None  # soft


def test_new_edited_and_deleted_posts_are_announced_on_the_channel_topic(app, client, world,
                                                                         monkeypatch):
    sent = []
    monkeypatch.setattr(bus, "publish", lambda topic, name, data: sent.append((topic, name)))
    post_id = publish(client, world, world.owner).get_json()["data"]["id"]
    client.patch(post_url(world, post_id), json={"text": "Новое"}, headers=B(world.owner))
    client.delete(post_url(world, post_id), headers=B(world.owner))
    topic = f"channel:{world.business_id}"
    assert sent == [(topic, "post"), (topic, "post.updated"), (topic, "post.deleted")]


# --- the landing page and the API document ---------------------------------------------------

def test_the_landing_page_shows_a_new_post_at_once(app, client, world):
    with app.app_context():
        slug = Business.objects.get(id=world.business_id).slug
    before = client.get(f"/b/{slug}")
    assert before.status_code == 200 and 'id="channel-posts"' not in before.get_data(True)
    publish(client, world, world.owner, "<script>alert(1)</script> Скидки")
    after = client.get(f"/b/{slug}", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200  # not a stale 304
    html = after.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Скидки" in html
    assert "<script>alert(1)" not in html
    for number in range(4):
        publish(client, world, world.owner, f"новость {number}")
    html = client.get(f"/b/{slug}").get_data(as_text=True)
    assert html.count('class="channel-post"') == 3 and "новость 3" in html
    assert "Скидки" not in html


def test_the_api_document_describes_the_channel(client):
    document = client.get("/api/openapi.json").get_json()
    posts = document["paths"]["/api/businesses/{business_id}/channel/messages"]
    assert {"get", "post"} <= set(posts)
    schema = document["components"]["schemas"]["NewPost"]
    assert "multipart/form-data" in schema["description"]
    assert "/api/businesses/{business_id}/channel/messages/{message_id}/reactions" \
        in document["paths"]


def test_a_business_blocked_by_the_platform_cannot_publish(app, client, world):
    with app.app_context():
        Business.objects(id=world.business_id).update_one(set__blocked=True)
    refused = publish(client, world, world.owner)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "business_unavailable"
    with app.app_context():
        assert ChannelPost.objects(business_id=world.business_id).count() == 0


def test_a_business_blocked_by_the_platform_is_closed_to_its_subscribers_not_its_team(
        app, client, world):
    subscribe(client, world, world.customer)
    url = f"/api/businesses/{world.business_id}/channel/messages"
    with app.app_context():
        Business.objects(id=world.business_id).update_one(set__hidden=True)
    assert client.get(url, headers=B(world.customer)).status_code == 200  # hidden: still read
    with app.app_context():
        Business.objects(id=world.business_id).update_one(set__blocked=True)
    assert client.get(url, headers=B(world.customer)).status_code == 404
    assert client.get(url, headers=B(world.owner)).status_code == 200
