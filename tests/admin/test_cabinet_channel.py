"""The cabinet's channel page: publishing (with an image), pre-moderation with approve and
reject, editing and deleting, a post's comments, who may open it, CSRF, and isolation between
businesses."""

import io
import logging
import re

import pytest

from app.businesses.permissions import get_business
from app.channels import feedback, posts
from app.models import AuditEntry, BusinessMember, BusinessSettings, ChannelPost, ChannelSettings
from tests.admin.cabinet_world import MANAGER, OPERATOR, OWNER, STRANGER, png_bytes, post, sign_in
from tests.admin.conftest import csrf_token
from tests.factories import person


class _SmsOutbox(logging.Handler):
    """The console provider's SMS, caught from its logger (works without pytest's logging
    plugin, which the shared `sms` fixture needs)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.sent = []

    def emit(self, record):
        if hasattr(record, "sms_to"):
            self.sent.append((record.sms_to, record.sms_text))

    def last_code(self, phone):
        texts = [text for to, text in self.sent if to == phone]
        assert texts, f"no SMS was sent to {phone}"
        return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


@pytest.fixture
def sms():
    outbox = _SmsOutbox()
    logger = logging.getLogger("bank.sms")
    logger.addHandler(outbox)
    yield outbox
    logger.removeHandler(outbox)


def page_of(world):
    return f"/cabinet/b/{world['a']}/channel"


def set_channel(business_id, **values):
    settings = BusinessSettings.objects.get(business_id=business_id)
    settings.channel_settings = ChannelSettings(**values)
    settings.save()


def grant(world, user_id):
    BusinessMember.objects(business_id=world["a"], user_id=user_id).update_one(
        set__permissions={"canPublishChannel": True})


def test_the_owner_publishes_with_an_image_and_sees_the_post(app, sms, world):
    owner = sign_in(app, sms, OWNER)
    url = page_of(world)
    assert f'href="{url}"' in owner.get(f"/cabinet/b/{world['a']}/").get_data(as_text=True)
    done = post(owner, url, {"text": "  Свежая выпечка <b>к 9:00</b> ",
                             "image": (io.BytesIO(png_bytes()), "bread.png")},
                content_type="multipart/form-data")
    assert done.status_code == 303
    stored = ChannelPost.objects.get(business_id=world["a"])
    assert (stored.text, stored.status) == ("Свежая выпечка <b>к 9:00</b>", "published")
    assert stored.image.startswith("posts/") and stored.message_id  # delivered by the job
    html = owner.get(url).get_data(as_text=True)
    assert "Свежая выпечка &lt;b&gt;к 9:00&lt;/b&gt;" in html and "The post is published." in html
    assert f'data-post-id="{stored.id}" data-comments="0"' in html
    assert AuditEntry.objects(action="publish", target_type="channel_post").count() == 1


def test_an_empty_post_is_refused_and_nothing_is_stored(app, sms, world):
    owner = sign_in(app, sms, OWNER)
    refused = post(owner, page_of(world), {"text": "   "})
    assert refused.status_code == 422
    assert "Write from 1 to 4000 characters." in refused.get_data(as_text=True)
    assert ChannelPost.objects.count() == 0


def test_members_without_the_permission_and_strangers_cannot_open_it(app, sms, world):
    operator = sign_in(app, sms, OPERATOR)
    assert operator.get(page_of(world)).status_code == 403
    assert page_of(world) not in operator.get(f"/cabinet/b/{world['a']}/").get_data(True)
    token = csrf_token(operator.get(f"/cabinet/b/{world['a']}/team"))
    assert operator.post(page_of(world), data={"csrf_token": token,
                                               "text": "Взлом"}).status_code == 403
    assert sign_in(app, sms, STRANGER).get(page_of(world)).status_code == 404
    assert ChannelPost.objects.count() == 0


def test_pending_posts_wait_for_the_owner_who_approves_or_rejects(app, sms, world):
    set_channel(world["a"], moderation_enabled=True)
    grant(world, world["operator"])
    operator = sign_in(app, sms, OPERATOR)
    post(operator, page_of(world), {"text": "Акция недели"})
    post(operator, page_of(world), {"text": "Лишнее"})
    waiting = {p.text: p for p in ChannelPost.objects(business_id=world["a"])}
    assert {p.status for p in waiting.values()} == {"pending"}
    mine = operator.get(page_of(world)).get_data(as_text=True)
    assert 'id="pending-posts"' not in mine and "Акция недели" not in mine
    owner = sign_in(app, sms, OWNER)
    html = owner.get(page_of(world)).get_data(as_text=True)
    assert 'id="pending-posts"' in html and "Акция недели" in html
    approve = f"{page_of(world)}/{waiting['Акция недели'].id}/approve"
    assert post(owner, approve, page_url=page_of(world)).status_code == 303
    reject = f"{page_of(world)}/{waiting['Лишнее'].id}/reject"
    assert post(owner, reject, page_url=page_of(world)).status_code == 303
    statuses = {p.text: p.status for p in ChannelPost.objects(business_id=world["a"])}
    assert statuses == {"Акция недели": "published", "Лишнее": "rejected"}
    html = owner.get(page_of(world)).get_data(as_text=True)
    assert 'id="no-pending"' in html and "Лишнее" not in html
    assert "Акция недели" in html.split('id="posts"')[1]
    assert AuditEntry.objects(action="approve", target_type="channel_post").count() == 1
    # An operator may not approve, even their own post with a valid form.
    post(operator, page_of(world), {"text": "Ещё одна"})
    third = ChannelPost.objects.get(text="Ещё одна")
    refused = post(operator, f"{page_of(world)}/{third.id}/approve", page_url=page_of(world))
    assert refused.status_code == 303
    assert ChannelPost.objects.get(id=third.id).status == "pending"


def test_an_approved_post_offers_its_author_delete_but_not_edit(app, sms, world):
    set_channel(world["a"], moderation_enabled=True)
    grant(world, world["operator"])
    operator = sign_in(app, sms, OPERATOR)
    post(operator, page_of(world), {"text": "Акция недели"})
    waiting = ChannelPost.objects.get(business_id=world["a"])
    owner = sign_in(app, sms, OWNER)
    post(owner, f"{page_of(world)}/{waiting.id}/approve", page_url=page_of(world))
    item = operator.get(page_of(world)).get_data(as_text=True).split('id="posts"')[1]
    assert "Акция недели" in item
    assert f"/{waiting.id}/edit" not in item and f"/{waiting.id}/delete" in item
    # The owner may still do both.
    item = owner.get(page_of(world)).get_data(as_text=True).split('id="posts"')[1]
    assert f"/{waiting.id}/edit" in item and f"/{waiting.id}/delete" in item


def test_edit_and_delete_from_the_page(app, sms, world):
    manager = sign_in(app, sms, MANAGER)
    post(manager, page_of(world), {"text": "Было"})
    stored = ChannelPost.objects.get(business_id=world["a"])
    edited = post(manager, f"{page_of(world)}/{stored.id}/edit", {"text": "Стало"},
                  page_url=page_of(world))
    assert edited.status_code == 303
    stored.reload()
    assert stored.text == "Стало" and stored.edited_at is not None
    assert post(manager, f"{page_of(world)}/{stored.id}/delete",
                page_url=page_of(world)).status_code == 303
    assert ChannelPost.objects.get(id=stored.id).deleted_at is not None
    assert 'id="no-posts"' in manager.get(page_of(world)).get_data(as_text=True)


def test_a_post_page_shows_reactions_and_comments_and_a_manager_deletes_one(app, sms, world):
    set_channel(world["a"], allow_comments=True, allow_reactions=True)
    business = get_business(world["a"])
    author = BusinessMember.objects.get(business_id=world["a"], role="owner").user_id
    with app.test_request_context():
        from app.models import User

        created = posts.create(business, User.objects.get(id=author), "Новое меню")
        reader = person(app, "+79160000031", "Читатель")
        feedback.react(world["a"], reader, created.id, "🔥", "set")
        comment = feedback.add_comment(world["a"], reader, created.id, "Когда?")
    manager = sign_in(app, sms, MANAGER)
    listing = manager.get(page_of(world)).get_data(as_text=True)
    assert 'data-comments="1"' in listing and 'data-reaction="🔥"' in listing
    url = f"{page_of(world)}/{created.id}"
    html = manager.get(url).get_data(as_text=True)
    assert "Когда?" in html and "Читатель" in html
    gone = post(manager, f"{url}/comments/{comment['id']}/delete", page_url=url)
    assert gone.status_code == 303
    assert ChannelPost.objects.get(id=created.id).comment_count == 0
    assert "Когда?" not in manager.get(url).get_data(as_text=True)


def test_actions_without_a_valid_token_change_nothing(app, sms, world):
    owner = sign_in(app, sms, OWNER)
    post(owner, page_of(world), {"text": "Есть"})
    stored = ChannelPost.objects.get(business_id=world["a"])
    for url, data in ((page_of(world), {"text": "Без токена"}),
                      (f"{page_of(world)}/{stored.id}/edit", {"text": "Без токена"}),
                      (f"{page_of(world)}/{stored.id}/delete", {})):
        owner.post(url, data={"csrf_token": "forged", **data})
    assert [(p.text, p.deleted_at) for p in ChannelPost.objects] == [("Есть", None)]


def test_another_business_s_channel_pages_answer_404(app, sms, world):
    b = world["b"]
    with app.test_request_context():
        from app.models import User

        theirs = posts.create(get_business(b), User.objects.get(id=world["other_owner"]),
                                 "Пекарня")
    owner = sign_in(app, sms, OWNER)
    token = csrf_token(owner.get(page_of(world)))
    base = f"/cabinet/b/{b}/channel"
    assert owner.get(base).status_code == 404
    assert owner.get(f"{base}/{theirs.id}").status_code == 404
    for tail in ("", f"/{theirs.id}/edit", f"/{theirs.id}/delete", f"/{theirs.id}/approve",
                 f"/{theirs.id}/reject", f"/{theirs.id}/comments/cmt_x/delete"):
        assert owner.post(base + tail, data={"csrf_token": token,
                                             "text": "Взлом"}).status_code == 404
    # A's pages with B's post id change nothing of B either.
    for tail in ("edit", "delete"):
        owner.post(f"{page_of(world)}/{theirs.id}/{tail}", data={"csrf_token": token,
                                                                 "text": "Взлом"})
    theirs.reload()
    assert (theirs.text, theirs.deleted_at) == ("Пекарня", None)
