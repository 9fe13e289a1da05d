"""Business channels through the API, on the embedded adapter: who may read, publish, moderate,
edit and delete; delivery into the channel dialog from a job; reactions and comments only
when allowed; the cursor; subscribers as the channel dialog's members and the backfill; the
landing page's latest posts."""

import io

import pytest
from PIL import Image

from app import clock
from app.messaging.gateway import MessagingError
from app.messaging.runtime import dispatcher, gateway
from app.models import Business, BusinessMember, ChannelPost, DialogMember
from app.services import channel_members, jobs, live
from tests.app.dialog_world import World, make_world
from tests.factories import member, signed_in

B = World.bearer


@pytest.fixture
def world(app, client):
    found = make_world(app, client)
    found.manager = signed_in(app, "+79160000006", "Майя")
    member(app, found.business_id, found.manager["user"]["id"], "manager")
    return found


def settings(client, world, **channel):
    answer = client.put(f"/api/businesses/{world.business_id}/bot/settings",
                        json={"channelSettings": channel}, headers=B(world.owner))
    assert answer.status_code == 200, answer.get_json()


def grant_publishing(app, world, who):
    with app.app_context():
        BusinessMember.objects(business_id=world.business_id, user_id=who["user"]["id"]) \
            .update_one(set__permissions={"canPublishChannel": True})


def subscribe(client, world, who):
    answer = client.post(f"/api/businesses/{world.business_id}/subscribe", headers=B(who))
    assert answer.status_code == 200, answer.get_json()


def publish(client, world, who, text="Открылись!", **kwargs):
    return client.post(f"/api/businesses/{world.business_id}/channel/messages",
                       json={"text": text}, headers=B(who) if who else {}, **kwargs)


def feed(client, world, who=None, **params):
    answer = client.get(f"/api/businesses/{world.business_id}/channel/messages",
                        query_string=params, headers=B(who) if who else {})
    return answer


def texts(client, world, who=None, **params):
    answer = feed(client, world, who, **params)
    assert answer.status_code == 200, answer.get_json()
    return [item["text"] for item in answer.get_json()["data"]["items"]]


def post_url(world, post_id, tail=""):
    return f"/api/businesses/{world.business_id}/channel/messages/{post_id}{tail}"


def channel_dialog(app, world):
    with app.app_context():
        return Business.objects.get(id=world.business_id).mms3_channel_dialog_id


def png():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


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
        assert channel_members.backfill(world.business_id)["redelivered"] == 1
        post.reload()
        assert post.delivery == "done" and gateway().get_message(post.message_id)


def test_an_edit_is_mirrored_to_the_channel_dialog(app, client, world):
    received = []

    class Listener:
        def on_message_update(self, event):
            received.append(event["data"]["message"])

    post_id = publish(client, world, world.owner, "Открыты до 20:00").get_json()["data"]["id"]
    with app.app_context():
        dispatcher().register(Listener())
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
    monkeypatch.setattr(live, "publish", lambda topic, name, data: sent.append((topic, name)))
    post_id = publish(client, world, world.owner).get_json()["data"]["id"]
    client.patch(post_url(world, post_id), json={"text": "Новое"}, headers=B(world.owner))
    client.delete(post_url(world, post_id), headers=B(world.owner))
    topic = f"channel:{world.business_id}"
    assert sent == [(topic, "post"), (topic, "post.updated"), (topic, "post.deleted")]


# --- reactions and comments ---------------------------------------------------------------------

def react(client, world, post_id, who, emoji="👍", action="set"):
    return client.post(post_url(world, post_id, "/reactions"),
                       json={"emoji": emoji, "action": action}, headers=B(who) if who else {})


def test_reactions_only_when_allowed_and_from_the_list(app, client, world):
    post_id = publish(client, world, world.owner).get_json()["data"]["id"]
    off = react(client, world, post_id, world.customer)
    assert off.status_code == 403 and off.get_json()["error"]["code"] == "reactions_off"
    settings(client, world, allowReactions=True)
    assert react(client, world, post_id, None).status_code == 401
    assert react(client, world, post_id, world.customer, "🤡").status_code == 422
    assert react(client, world, post_id, world.customer, "👍", "toggle").status_code == 422
    first = react(client, world, post_id, world.customer).get_json()["data"]
    again = react(client, world, post_id, world.customer).get_json()["data"]
    assert first == again == {"reactionCounts": {"👍": 1}, "myReactions": ["👍"]}
    react(client, world, post_id, world.stranger)
    react(client, world, post_id, world.stranger, "🔥")
    item = feed(client, world, world.stranger).get_json()["data"]["items"][0]
    assert item["reactionCounts"] == {"👍": 2, "🔥": 1}
    assert item["myReactions"] == ["👍", "🔥"]
    undone = react(client, world, post_id, world.customer, action="unset").get_json()["data"]
    assert undone == {"reactionCounts": {"👍": 1, "🔥": 1}, "myReactions": []}
    react(client, world, post_id, world.stranger, "🔥", "unset")
    react(client, world, post_id, world.stranger, "🔥", "unset")  # again: no change
    assert feed(client, world).get_json()["data"]["items"][0]["reactionCounts"] == {"👍": 1}


def test_no_reactions_or_comments_on_a_pending_post(app, client, world):
    settings(client, world, moderationEnabled=True, allowReactions=True, allowComments=True)
    grant_publishing(app, world, world.operator)
    post_id = publish(client, world, world.operator).get_json()["data"]["id"]
    assert react(client, world, post_id, world.customer).status_code == 404
    assert client.post(post_url(world, post_id, "/comments"), json={"text": "?"},
                       headers=B(world.customer)).status_code == 404


def test_comments_only_when_allowed(app, client, world):
    post_id = publish(client, world, world.owner).get_json()["data"]["id"]
    url = post_url(world, post_id, "/comments")
    off = client.post(url, json={"text": "Здорово"}, headers=B(world.customer))
    assert off.status_code == 403 and off.get_json()["error"]["code"] == "comments_off"
    assert client.get(url).status_code == 403
    settings(client, world, allowComments=True)
    assert client.post(url, json={"text": "Здорово"}).status_code == 401
    assert client.post(url, json={"text": "я" * 1001},
                       headers=B(world.customer)).status_code == 422
    assert client.post(url, json={"text": "   "}, headers=B(world.customer)).status_code == 422
    made = client.post(url, json={"text": " Здорово "}, headers=B(world.customer))
    assert made.status_code == 201
    client.post(url, json={"text": "А во сколько?"}, headers=B(world.stranger))
    listed = client.get(url).get_json()
    assert [c["text"] for c in listed["data"]] == ["Здорово", "А во сколько?"]
    assert listed["data"][0]["author"] == {"id": world.customer["user"]["id"], "name": "Кирилл"}
    assert listed["pagination"]["total"] == 2
    assert feed(client, world).get_json()["data"]["items"][0]["commentCount"] == 2


def test_a_comment_is_deleted_by_its_author_or_an_owner_or_manager(app, client, world):
    settings(client, world, allowComments=True)
    post_id = publish(client, world, world.owner).get_json()["data"]["id"]
    url = post_url(world, post_id, "/comments")
    first = client.post(url, json={"text": "раз"}, headers=B(world.customer)).get_json()["data"]
    second = client.post(url, json={"text": "два"}, headers=B(world.customer)).get_json()["data"]
    for who in (world.stranger, world.viewer, world.operator):
        assert client.delete(f"{url}/{first['id']}", headers=B(who)).status_code == 403
    assert client.delete(f"{url}/{first['id']}", headers=B(world.customer)).status_code == 200
    assert client.delete(f"{url}/{second['id']}", headers=B(world.manager)).status_code == 200
    assert client.delete(f"{url}/{second['id']}", headers=B(world.owner)).status_code == 404
    assert client.get(url).get_json()["data"] == []
    assert feed(client, world).get_json()["data"]["items"][0]["commentCount"] == 0


# --- subscribers as members of the channel dialog ------------------------------------------------

def active_members(app, world):
    with app.app_context():
        return {m.user_id for m in DialogMember.objects(dialog_id=channel_dialog(app, world),
                                                        is_active=True)}


def test_subscribing_joins_the_channel_dialog_and_unsubscribing_leaves_it(app, client, world):
    customer = world.customer["user"]["id"]
    assert customer not in active_members(app, world)
    subscribe(client, world, world.customer)
    assert customer in active_members(app, world)
    client.delete(f"/api/businesses/{world.business_id}/subscribe", headers=B(world.customer))
    assert customer not in active_members(app, world)
    assert f"bot_{world.business_id}" in active_members(app, world)


def test_a_subscription_never_fails_when_messaging_is_down_and_the_backfill_fixes_it(
        app, client, world, monkeypatch, runner):
    def down(*_args, **_kwargs):
        raise MessagingError("mms3 is down")

    with app.app_context():
        monkeypatch.setattr(gateway(), "add_member", down)
    subscribe(client, world, world.customer)
    subscribe(client, world, world.stranger)
    customer, stranger = world.customer["user"]["id"], world.stranger["user"]["id"]
    assert not {customer, stranger} & active_members(app, world)
    monkeypatch.undo()
    with app.app_context():  # someone out of step the other way: a member, not a subscriber
        gateway().add_member(channel_dialog(app, world), world.viewer["user"]["id"])
    result = runner.invoke(args=["channels", "backfill", "--business", world.business_id])
    assert result.exit_code == 0, result.output
    assert "2 added, 1 removed" in result.output
    assert active_members(app, world) == {customer, stranger, f"bot_{world.business_id}"}
    with app.app_context():
        assert channel_members.backfill(world.business_id) == {
            "added": 0, "removed": 0, "redelivered": 0}


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


# --- the same through the mms3 adapter (the stand-in) -----------------------------------------

def test_through_mms3_posts_edits_and_members_reach_the_channel_dialog(make_app, mms3):
    app = make_app(MMS3_API_URL=mms3.url, MMS3_API_KEY=mms3.api_key, MMS3_RETRIES=0)
    client = app.test_client()
    world = make_world(app, client)
    dialog_id = channel_dialog(app, world)
    stored = mms3.dialogs[("tnt_default", dialog_id)]
    assert stored["meta"] == {"type": "business_channel", "businessId": world.business_id}
    subscribe(client, world, world.customer)
    assert world.customer["user"]["id"] in stored["_members"]
    post_id = publish(client, world, world.owner, "Из mms3").get_json()["data"]["id"]
    client.patch(post_url(world, post_id), json={"text": "Из mms3, исправлено"},
                 headers=B(world.owner))
    with app.app_context():
        message_id = ChannelPost.objects.get(id=post_id).message_id
    message = mms3.messages[("tnt_default", message_id)]
    assert (message["senderId"], message["content"]) == (f"bot_{world.business_id}",
                                                         "Из mms3, исправлено")
    assert message["meta"]["authorId"] == world.owner["user"]["id"]
    del stored["_members"][world.customer["user"]["id"]]  # out of step, as after an outage
    with app.app_context():
        assert channel_members.backfill(world.business_id)["added"] == 1
    assert world.customer["user"]["id"] in stored["_members"]
    client.delete(f"/api/businesses/{world.business_id}/subscribe", headers=B(world.customer))
    assert world.customer["user"]["id"] not in stored["_members"]
