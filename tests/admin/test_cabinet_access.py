"""The business cabinet: what each role may do, QR codes, bot settings, statistics, and
the isolation between businesses."""

import io
import re
from datetime import timedelta

import pytest

from app import clock
from app.businesses import stats, subscriptions
from app.models import (
    AuditEntry,
    Business,
    BusinessMember,
    BusinessSettings,
    ChannelComment,
    ChannelPost,
    Conversation,
    QrScanDay,
    QuickReply,
)
from tests import factories
from tests.admin.cabinet_world import (
    MANAGER,
    NEWBIE,
    OPERATOR,
    OWNER,
    audit,
    png_bytes,
    post,
    sign_in,
)
from tests.admin.conftest import csrf_token

# --- what an operator may do ------------------------------------------------------------------

def test_an_operator_sees_the_business_but_cannot_change_settings(app, sms, world):
    operator = sign_in(app, sms, OPERATOR)
    base = f"/cabinet/b/{world['a']}"
    overview = operator.get(f"{base}/")
    assert overview.status_code == 200
    html = overview.get_data(as_text=True)
    assert "Кофейня А" in html and f'href="{base}/edit"' not in html
    assert f'href="{base}/bot"' not in html
    for url in (f"{base}/team", f"{base}/qr", f"{base}/stats", f"{base}/qr/png"):
        assert operator.get(url).status_code == 200, url
    assert 'id="invite-form"' not in operator.get(f"{base}/team").get_data(as_text=True)

    before = Business.objects.get(id=world["a"]).to_mongo().to_dict()
    token = csrf_token(operator.get(f"{base}/team"))
    assert operator.get(f"{base}/edit").status_code == 403
    assert operator.get(f"{base}/bot").status_code == 403
    for url, data in ((f"{base}/edit", {"name": "Взлом", "slug": "hacked"}),
                      (f"{base}/bot", {"greeting": "Взлом"}),
                      (f"{base}/logo", {}),
                      (f"{base}/team/invite", {"phone": NEWBIE, "role": "viewer"}),
                      (f"{base}/team/{world['manager']}/role", {"role": "viewer"}),
                      (f"{base}/team/{world['manager']}/remove", {}),
                      (f"{base}/team/transfer", {"user_id": world["operator"], "confirm": "y"})):
        response = operator.post(url, data={"csrf_token": token, **data})
        if url.endswith("/remove"):
            # Anyone may try (leaving is allowed); the service refuses removing others.
            assert response.status_code == 303
        else:
            assert response.status_code == 403, url
    assert Business.objects.get(id=world["a"]).to_mongo().to_dict() == before
    assert BusinessMember.objects(business_id=world["a"], is_active=True).count() == 3
    assert {m.role for m in BusinessMember.objects(business_id=world["a"])} == {
        "owner", "operator", "manager"}
    assert AuditEntry.objects.count() == 0


# --- QR codes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, mimetype, magic", [
    ("svg", "image/svg+xml", b"<svg"), ("png", "image/png", b"\x89PNG"),
    ("pdf", "application/pdf", b"%PDF")])
def test_qr_downloads_in_each_format(app, sms, world, fmt, mimetype, magic):
    owner = sign_in(app, sms, OWNER)
    page = owner.get(f"/cabinet/b/{world['a']}/qr").get_data(as_text=True)
    assert f'href="/cabinet/b/{world["a"]}/qr/{fmt}"' in page
    response = owner.get(f"/cabinet/b/{world['a']}/qr/{fmt}")
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f'attachment; filename="coffee-a-qr.{fmt}"'
    assert response.data.lstrip().startswith(magic)
    assert owner.get(f"/cabinet/b/{world['a']}/qr/gif").status_code == 404


# --- bot settings -----------------------------------------------------------------------------

def test_bot_settings_are_saved_and_audited(app, sms, world):
    owner = sign_in(app, sms, OWNER)
    url = f"/cabinet/b/{world['a']}/bot"
    response = post(owner, url, {
        "greeting": "Здравствуйте!", "auto_reply_enabled": "y",
        "auto_reply_message": "Ответим скоро", "keywords": "оператор\nчеловек, оператор",
        "allow_comments": "y", "timezone": "Europe/Moscow", "mon": "9:00-13:00, 14:00-18:00",
        "sat": "10:00 – 15:00"})
    assert response.status_code == 303, response.get_data(as_text=True)
    settings = BusinessSettings.objects.get(business_id=world["a"])
    assert settings.greeting == "Здравствуйте!"
    assert settings.auto_reply_enabled is True
    assert settings.invite_owner_on_keywords == ["оператор", "человек"]
    assert settings.channel_settings.allow_comments is True
    assert settings.channel_settings.allow_reactions is False
    assert settings.business_hours == {"timezone": "Europe/Moscow", "days": {
        "mon": [{"open": "09:00", "close": "13:00"}, {"open": "14:00", "close": "18:00"}],
        "sat": [{"open": "10:00", "close": "15:00"}]}}
    [entry] = audit("update", "bot_settings")
    assert entry.business_id == world["a"] and entry.target_id == world["a"]
    assert entry.changes["greeting"] == {"before": None, "after": "Здравствуйте!"}
    assert entry.changes["autoReplyEnabled"] == {"before": None, "after": True}
    html = owner.get(url).get_data(as_text=True)
    assert "09:00-13:00, 14:00-18:00" in html and "Europe/Moscow" in html


def test_the_bot_page_tries_a_message_against_the_saved_keywords(app, sms, world):
    owner = sign_in(app, sms, OWNER)
    url = f"/cabinet/b/{world['a']}/bot"
    assert post(owner, url, {"keywords": "мастер\nдоставка"}).status_code == 303

    def result(sample):
        html = owner.get(url, query_string={"try": sample}).get_data(as_text=True)
        found = re.search(r'id="try-result" role="status">\s*(.*?)\s*</p>', html, re.S)
        return found.group(1) if found else None

    assert "“мастер”" in result("Позовите мастера")
    assert "“доставка”" in result("А с доставкой можно?")
    assert "No keyword matches" in result("Нужна мастерская")
    assert "asks for a person" in result("Позовите оператора")
    assert result("") is None
    assert "&lt;b&gt;" in owner.get(url, query_string={"try": "<b>"}).get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"timezone": "Mars/Olympus", "mon": "09:00-18:00"}, "Unknown time zone"),
    ({"mon": "09:00-18:00"}, "Fill this in."),  # hours need a time zone
    ({"timezone": "Europe/Moscow", "tue": "09:00-09:00"}, "closing time must differ"),
    ({"timezone": "Europe/Moscow", "wed": "25:00-26:00"}, "09:00-18:00"),
    ({"timezone": "Europe/Moscow", "thu": "всегда"}, "09:00-18:00"),
    ({"timezone": "Europe/Moscow",
      "fri": "01:00-02:00, 03:00-04:00, 05:00-06:00, 07:00-08:00, 09:00-10:00"}, "At most 4"),
    ({"greeting": "а" * 1001}, "At most 1000 characters"),
    ({"keywords": "\n".join(f"слово{i}" for i in range(51))}, "At most 50"),
])
def test_bot_settings_are_validated_like_the_api(app, sms, world, data, message):
    owner = sign_in(app, sms, OWNER)
    before = BusinessSettings.objects.get(business_id=world["a"]).to_mongo().to_dict()
    response = post(owner, f"/cabinet/b/{world['a']}/bot", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert BusinessSettings.objects.get(business_id=world["a"]).to_mongo().to_dict() == before
    assert audit("update", "bot_settings") == []


# --- statistics -------------------------------------------------------------------------------

def test_statistics_count_subscribers_per_day_scans_and_dialogs(app, sms, world):
    business = Business.objects.get(id=world["a"])
    start = clock.freeze()
    for index in range(3):
        person = factories.person(app, f"+7916100000{index}")
        clock.freeze(start - timedelta(days=index))
        with app.app_context():  # a subscription tells the channel (an event on the app's bus)
            subscriptions.subscribe(person, business)
    clock.freeze(start)
    other = factories.person(app, "+79161000009")
    with app.app_context():
        subscriptions.subscribe(other, Business.objects.get(id=world["b"]))  # another business's
    QrScanDay(business_id=world["a"], day=start.date().isoformat(), count=7).save()
    Business._get_db()["conversations"].insert_many([
        {"businessId": world["a"], "customerId": "usr_1"},
        {"businessId": world["a"], "customerId": "usr_2"},
        {"businessId": world["b"], "customerId": "usr_1"}])
    Business._get_db()["dialogs"].insert_one({"meta": {"businessId": world["a"],
                                                       "type": "business_channel"}})

    found = stats.subscribers(world["a"], 30)
    assert found["total"] == 3 and len(found["perDay"]) == 30
    assert [row["count"] for row in found["perDay"][-3:]] == [1, 1, 1]
    assert found["perDay"][-1]["day"] == start.date().isoformat()
    assert stats.dialogs(world["a"]) == 2

    owner = sign_in(app, sms, OWNER)
    html = owner.get(f"/cabinet/b/{world['a']}/stats").get_data(as_text=True)
    assert re.search(r'id="stat-subscribers">3<', html)
    assert re.search(r'id="stat-new-subscribers">3<', html)
    assert re.search(r'id="stat-scans">7<', html)
    assert re.search(r'id="stat-dialogs">2<', html)
    assert 'id="chart-subscribers"' in html and 'id="chart-scans"' in html


# --- isolation between businesses -------------------------------------------------------------

def snapshot(business_id):
    """Everything of a business the cabinet could change."""
    return {
        "business": Business.objects.get(id=business_id).to_mongo().to_dict(),
        "members": sorted((m.to_mongo().to_dict() for m in
                           BusinessMember.objects(business_id=business_id)),
                          key=lambda m: m["_id"]),
        "settings": BusinessSettings.objects.get(business_id=business_id).to_mongo().to_dict(),
        "audit": AuditEntry.objects.count(),
    }


def test_a_member_of_a_cannot_see_or_change_anything_of_b(app, sms, world):
    b = world["b"]
    b_owner = BusinessMember.objects.get(business_id=b, role="owner")
    factories.member(app, b, world["stranger"], "viewer")
    invitation = BusinessMember(business_id=b, invited_phone=NEWBIE, role="viewer",
                                invited_by=world["other_owner"]).save()
    # As stored (the store keeps milliseconds), to compare with after the attempts.
    dialog = Conversation.objects.get(
        id=Conversation(business_id=b, customer_id="usr_customer").save().id)
    reply = QuickReply.objects.get(id=QuickReply(business_id=b, title="Б", text="б").save().id)
    news = ChannelPost.objects.get(id=ChannelPost(business_id=b, author_id=b_owner.user_id,
                                                  text="Новость Б", status="pending",
                                                  feed_at=clock.now()).save().id)
    comment = ChannelComment.objects.get(id=ChannelComment(
        business_id=b, post_id=news.id, author_id=b_owner.user_id, text="к").save().id)
    before = snapshot(b)
    base = f"/cabinet/b/{b}"
    gets = [f"{base}/", f"{base}/edit", f"{base}/team", f"{base}/bot", f"{base}/qr",
            f"{base}/stats", f"{base}/qr/svg", f"{base}/qr/png", f"{base}/qr/pdf",
            f"{base}/inbox", f"{base}/inbox/list", f"{base}/inbox/stream",
            f"{base}/quick-replies", f"{base}/channel", f"{base}/channel/{news.id}",
            f"{base}/widget"]
    posts = [
        (f"{base}/edit", {"name": "Взлом", "slug": "hacked-b"}),
        (f"{base}/logo", {"logo": lambda: (io.BytesIO(png_bytes()), "x.png")}),
        (f"{base}/bot", {"greeting": "Взлом"}),
        (f"{base}/team/invite", {"phone": NEWBIE, "role": "manager"}),
        (f"{base}/team/{world['stranger']}/role", {"role": "manager"}),
        (f"{base}/team/{world['stranger']}/permissions",
         dict.fromkeys(("can_reply", "can_publish_channel", "can_manage_members",
                        "can_manage_settings"), "on")),
        (f"{base}/team/{world['stranger']}/remove", {}),
        (f"{base}/team/{b_owner.user_id}/remove", {}),
        (f"{base}/team/invitations/{invitation.id}/withdraw", {}),
        (f"{base}/team/transfer", {"user_id": world["owner"], "confirm": "y"}),
        *[(f"{base}/inbox/{dialog.id}/{action}", {"text": "Взлом", "hours": "24"})
          for action in ("reply", "read", "unread", "archive", "assign", "block", "unblock",
                         "typing")],
        (f"{base}/inbox/duty", {"on_duty": "1"}),
        (f"{base}/quick-replies", {"title": "Взлом", "text": "Взлом"}),
        (f"{base}/quick-replies/{reply.id}", {"title": "Взлом", "text": "Взлом"}),
        (f"{base}/quick-replies/{reply.id}/delete", {}),
        (f"{base}/channel", {"text": "Взлом"}),
        *[(f"{base}/channel/{news.id}/{action}", {"text": "Взлом"})
          for action in ("approve", "reject", "edit", "delete")],
        (f"{base}/channel/{news.id}/comments/{comment.id}/delete", {}),
        (f"{base}/widget", {"color": "#ff0000", "allowed_origins": "https://evil.example"}),
        (f"{base}/widget/secret", {}),
    ]
    # Every route of a business's pages is in the lists above (a new page must join them).
    adapter = app.url_map.bind("localhost")
    tried = {(adapter.match(url, method="GET")[0], "GET") for url in gets} | {
        (adapter.match(url, method="POST")[0], "POST") for url, _data in posts}
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              if "business_id" in rule.arguments for method in rule.methods
              if rule.endpoint.startswith("cabinet") and method in ("GET", "POST")}
    assert routes and routes <= tried, routes - tried
    for who in (OWNER, OPERATOR, MANAGER):  # every role on A's team
        client = sign_in(app, sms, who)
        token = csrf_token(client.get(f"/cabinet/b/{world['a']}/team"))  # a valid token
        for url in gets:
            assert client.get(url).status_code == 404, (who, url)
        for url, data in posts:
            fields = {k: v() if callable(v) else v for k, v in data.items()}  # a fresh file
            response = client.post(url, data={"csrf_token": token, **fields},
                                   content_type="multipart/form-data")
            assert response.status_code == 404, (who, url)
        # A's pages, with B's member ids in them, change nothing of B either.
        a = f"/cabinet/b/{world['a']}/team"
        for url in (f"{a}/{world['stranger']}/role", f"{a}/{world['stranger']}/permissions",
                    f"{a}/{world['stranger']}/remove", f"{a}/invitations/{invitation.id}/withdraw"):
            client.post(url, data={"csrf_token": token, "role": "manager", "can_reply": "on"})
        listing = client.get("/cabinet/").get_data(as_text=True)
        assert b not in listing and "Пекарня Б" not in listing
    assert snapshot(b) == before
    assert Conversation.objects.get(id=dialog.id).to_mongo() == dialog.to_mongo()
    assert QuickReply.objects.get(id=reply.id).to_mongo() == reply.to_mongo()
    assert ChannelPost.objects.get(id=news.id).to_mongo() == news.to_mongo()
    assert ChannelComment.objects(id=comment.id).count() == 1
    assert ChannelPost.objects(business_id=b).count() == 1


def test_a_guessed_id_looks_like_a_missing_one(app, sms, world):
    client = sign_in(app, sms, OWNER)
    foreign = client.get(f"/cabinet/b/{world['b']}/")
    missing = client.get("/cabinet/b/biz_0000000000000000/")
    assert foreign.status_code == missing.status_code == 404
    assert "Пекарня Б" not in foreign.get_data(as_text=True)


def test_a_deleted_business_is_gone_from_the_cabinet(app, sms, world):
    Business.objects(id=world["a"]).update_one(set__deleted_at=clock.now())
    client = sign_in(app, sms, OWNER)
    assert client.get(f"/cabinet/b/{world['a']}/").status_code == 404
    assert world["a"] not in client.get("/cabinet/").get_data(as_text=True)


# --- CSRF -------------------------------------------------------------------------------------

@pytest.mark.parametrize("token", [None, "forged"])
def test_posts_without_a_valid_csrf_token_change_nothing(app, sms, world, token):
    owner = sign_in(app, sms, OWNER)
    team = BusinessMember.objects.get(business_id=world["a"], user_id=world["operator"])
    invitation = BusinessMember(business_id=world["a"], invited_phone=NEWBIE, role="viewer",
                                invited_by=world["owner"]).save()
    before = snapshot(world["a"])
    base = f"/cabinet/b/{world['a']}"
    extra = {} if token is None else {"csrf_token": token}
    for url, data in (
            (f"{base}/edit", {"name": "Без токена", "slug": "no-token"}),
            (f"{base}/logo", {"logo": (io.BytesIO(png_bytes()), "x.png")}),
            (f"{base}/bot", {"greeting": "Без токена"}),
            (f"{base}/team/invite", {"phone": "+79160000099", "role": "viewer"}),
            (f"{base}/team/{team.user_id}/role", {"role": "viewer"}),
            (f"{base}/team/{team.user_id}/permissions",
             {"can_reply": "off", "can_publish_channel": "on", "can_manage_members": "default",
              "can_manage_settings": "default"}),
            (f"{base}/team/{team.user_id}/remove", {}),
            (f"{base}/team/invitations/{invitation.id}/withdraw", {}),
            (f"{base}/team/transfer", {"user_id": world["manager"], "confirm": "y"})):
        response = owner.post(url, data={**extra, **data}, content_type="multipart/form-data")
        assert response.status_code in (303, 400), (url, response.status_code)
    assert snapshot(world["a"]) == before
    html = owner.get(f"{base}/team").get_data(as_text=True)
    assert "The form has expired" in html  # the refusal says why
