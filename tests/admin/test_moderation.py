"""Moderation in the back office: the queue of reports grouped by target, acting on it through
the real /admin sign-in and CSRF-protected forms, and what each action does to the public."""

import re

import pytest

from app.accounts import users
from app.backoffice import moderation, reports
from app.errors import Forbidden
from app.models import AuditEntry, Business, Report, User
from tests import factories
from tests.admin.conftest import ROLE_PHONES, csrf_token

OWNER, FIRST, SECOND, TROUBLEMAKER = "+79160000031", "+79160000032", "+79160000033", "+79160000034"
QUEUE = "/admin/reports/"
RESOLVE = "/admin/reports/resolve"


@pytest.fixture
def people(app):
    """Two customers with tokens, and a business owned by a third person."""
    owner = factories.signed_in(app, OWNER, "Владелец")
    business = factories.business(app, owner["user"]["id"], name="Шумная кофейня",
                                  slug="noisy-coffee")
    return {"owner": owner, "business": business,
            "first": factories.signed_in(app, FIRST, "Первый"),
            "second": factories.signed_in(app, SECOND, "Второй")}


def report(client, who, target_type, target_id, reason="spam"):
    response = client.post("/api/reports", json={
        "targetType": target_type, "targetId": target_id, "reason": reason},
        headers={"Authorization": f"Bearer {who['accessToken']}"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]["id"]


@pytest.fixture
def reported(client, people):
    """The business reported by both customers."""
    business = people["business"]
    report(client, people["first"], "business", business.id, "spam")
    report(client, people["second"], "business", business.id, "fraud")
    return business


def queue_rows(page):
    return re.findall(r'data-target="([a-z]+):([^"]+)"', page)


def act(client, target_type, target_id, action, reason="Обман покупателей", token=True):
    data = {"target_type": target_type, "target_id": target_id, "action": action,
            "reason": reason}
    if token is True:
        data["csrf_token"] = csrf_token(client.get(QUEUE))
    elif token:
        data["csrf_token"] = token
    return client.post(RESOLVE, data=data)


def statuses(app, target_id):
    with app.app_context():
        return sorted(r.status for r in Report.objects(target_id=target_id))


def public_answers(client, slug):
    """What the public gets: the landing page, the API by slug, and the catalog's ids."""
    catalog = client.get("/api/catalog?limit=100").get_json()["data"]
    return (client.get(f"/b/{slug}").status_code,
            client.get(f"/api/businesses/slug/{slug}").status_code,
            slug in {item["slug"] for item in catalog})


def test_the_queue_groups_reports_by_target(app, client, people, reported, staff_client):
    troublemaker = factories.person(app, TROUBLEMAKER, "Тролль")
    report(client, people["first"], "user", troublemaker.id, "abuse")
    page = staff_client("moderator").get(QUEUE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # One row per target, the most reported first.
    assert queue_rows(html) == [("business", reported.id), ("user", troublemaker.id)]
    business_row = html[html.index(f'data-target="business:{reported.id}"'):
                        html.index(f'data-target="user:{troublemaker.id}"')]
    assert re.search(r'class="report-count"[^>]*>2<', business_row)
    assert "Шумная кофейня" in business_row and "/b/noisy-coffee" in business_row
    assert "Спам" in business_row and "Мошенничество" in business_row  # Russian by default
    # A moderator sees phones masked; support sees them in full.
    assert "+7916*****34" in html and TROUBLEMAKER not in html
    support_page = staff_client("support").get(QUEUE).get_data(as_text=True)
    assert TROUBLEMAKER in support_page
    with app.app_context():
        rows, total = reports.queue()
    assert total == 2
    assert [(r.target_id, r.count, r.reasons) for r in rows] == [
        (reported.id, 2, {"fraud": 1, "spam": 1}), (troublemaker.id, 1, {"abuse": 1})]


def test_blocking_a_business_closes_its_reports_and_takes_it_off_public_pages(
        app, client, people, reported, staff_client):
    assert public_answers(client, "noisy-coffee") == (200, 200, True)
    moderator = staff_client("moderator")
    response = act(moderator, "business", reported.id, "block_business",
                   reason="Продают подделки")
    assert response.status_code == 302
    assert statuses(app, reported.id) == ["actioned", "actioned"]
    assert public_answers(client, "noisy-coffee") == (404, 404, False)
    with app.app_context():
        business = Business.objects.get(id=reported.id)
        assert (business.blocked, business.blocked_reason) == (True, "Продают подделки")
        moderator_id = User.objects.get(phone=ROLE_PHONES["moderator"]).id
        closed = Report.objects(target_id=reported.id)
        assert {(r.resolved_by, r.resolution, r.resolution_reason) for r in closed} == {
            (moderator_id, "block_business", "Продают подделки")}
        assert all(r.resolved_at for r in closed)
        block = AuditEntry.objects.get(action="block")
        resolved = AuditEntry.objects.get(action="resolve_reports")
    assert (block.actor_id, block.area, block.target_type, block.target_id, block.reason,
            block.ip) == (moderator_id, "admin", "business", reported.id, "Продают подделки",
                          "127.0.0.1")
    assert block.changes["blocked"] == {"before": False, "after": True}
    assert block.changes["blockedReason"] == {"before": None, "after": "Продают подделки"}
    assert (resolved.target_id, resolved.reason, resolved.changes["status"]) == (
        reported.id, "Продают подделки", {"before": "open", "after": "actioned"})
    assert sorted(resolved.changes["openReports"]["before"]) == sorted(
        r.id for r in closed)
    # The queue is empty; the history shows both reports and who closed them.
    assert queue_rows(moderator.get(QUEUE).get_data(as_text=True)) == []
    history = moderator.get("/admin/reports/history").get_data(as_text=True)
    assert history.count("Продают подделки") == 2
    # Its team still sees it.
    owner = client.get(f"/api/businesses/{reported.id}",
                       headers={"Authorization": f"Bearer {people['owner']['accessToken']}"})
    assert owner.status_code == 200


def test_hiding_a_business_takes_it_off_public_pages(app, client, reported, staff_client):
    act(staff_client("moderator"), "business", reported.id, "hide", reason="Проверяем жалобы")
    assert statuses(app, reported.id) == ["actioned", "actioned"]
    assert public_answers(client, "noisy-coffee") == (404, 404, False)
    assert client.get(f"/api/businesses/{reported.id}").status_code == 404
    with app.app_context():
        business = Business.objects.get(id=reported.id)
        assert (business.hidden, business.blocked) == (True, False)
        hide = AuditEntry.objects.get(action="hide")
    assert hide.changes["hidden"] == {"before": False, "after": True}
    assert hide.reason == "Проверяем жалобы"


def test_dismissing_closes_the_reports_and_changes_nothing_else(app, client, reported,
                                                                 staff_client):
    with app.app_context():
        before = Business._get_collection().find_one({"_id": reported.id})
    act(staff_client("moderator"), "business", reported.id, "dismiss", reason="Жалобы пустые")
    assert statuses(app, reported.id) == ["dismissed", "dismissed"]
    assert public_answers(client, "noisy-coffee") == (200, 200, True)
    with app.app_context():
        assert Business._get_collection().find_one({"_id": reported.id}) == before
        [entry] = AuditEntry.objects(target_id=reported.id)
    assert (entry.action, entry.reason) == ("resolve_reports", "Жалобы пустые")
    assert entry.changes["status"]["after"] == "dismissed"


def test_blocking_a_user_stops_their_token_at_once(app, client, people, staff_client):
    troublemaker = factories.signed_in(app, TROUBLEMAKER, "Тролль")
    bearer = {"Authorization": f"Bearer {troublemaker['accessToken']}"}
    assert client.get("/api/me", headers=bearer).status_code == 200
    report(client, people["first"], "user", troublemaker["user"]["id"], "abuse")
    act(staff_client("moderator"), "user", troublemaker["user"]["id"], "block_user",
        reason="Оскорбления")
    refused = client.get("/api/me", headers=bearer)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "user_blocked"
    assert statuses(app, troublemaker["user"]["id"]) == ["actioned"]
    with app.app_context():
        user = User.objects.get(id=troublemaker["user"]["id"])
        assert (user.is_blocked, user.blocked_reason) == (True, "Оскорбления")
        assert AuditEntry.objects.get(action="block").target_type == "user"


def test_an_action_that_does_not_fit_the_target_changes_nothing(app, client, people,
                                                                reported, staff_client):
    moderator = staff_client("moderator")
    act(moderator, "business", reported.id, "block_user")
    act(moderator, "business", reported.id, "block_business", reason="no")  # too short
    assert statuses(app, reported.id) == ["open", "open"]
    with app.app_context():
        assert not Business.objects.get(id=reported.id).blocked
        assert AuditEntry.objects.count() == 0


def test_support_sees_the_queue_but_cannot_act(app, reported, staff_client):
    support = staff_client("support")
    page = support.get(QUEUE)
    assert page.status_code == 200
    assert queue_rows(page.get_data(as_text=True)) == [("business", reported.id)]
    assert RESOLVE not in page.get_data(as_text=True)  # no action forms
    token = csrf_token(support.get("/admin/login"))  # a valid token of this session
    response = act(support, "business", reported.id, "block_business", token=token)
    assert response.status_code == 403
    assert statuses(app, reported.id) == ["open", "open"]
    with app.app_context():
        assert not Business.objects.get(id=reported.id).blocked
        assert AuditEntry.objects.count() == 0


def test_a_post_without_its_csrf_token_changes_nothing(app, reported, staff_client):
    moderator = staff_client("moderator")
    act(moderator, "business", reported.id, "block_business", token=None)
    act(moderator, "business", reported.id, "block_business", token="20991231000000##forged")
    assert statuses(app, reported.id) == ["open", "open"]
    with app.app_context():
        assert not Business.objects.get(id=reported.id).blocked
        assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize("url", [QUEUE, "/admin/reports/history", "/admin/reports/all/",
                                 "/admin/reports/all/export/csv/"])
def test_every_page_checks_the_role(staff_client, reported, url):
    for role in ("superadmin", "moderator", "support"):
        assert staff_client(role).get(url).status_code == 200, (role, url)
    assert staff_client("nobody").get(url).status_code == 403
    anonymous = staff_client(None).get(url)
    assert anonymous.status_code == 302
    assert "/admin/login?next=" in anonymous.headers["Location"]


def test_anonymous_and_non_admins_cannot_act(app, reported, staff_client):
    anonymous = act(staff_client(None), "business", reported.id, "block_business", token=None)
    assert anonymous.status_code == 302
    assert "/admin/login" in anonymous.headers["Location"]
    nobody = staff_client("nobody")
    token = csrf_token(nobody.get("/admin/login"))
    assert act(nobody, "business", reported.id, "block_business",
               token=token).status_code == 403
    assert statuses(app, reported.id) == ["open", "open"]


def test_the_list_of_all_reports_exports_csv(reported, staff_client):
    exported = staff_client("support").get("/admin/reports/all/export/csv/")
    lines = exported.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 3 and all(reported.id in line for line in lines[1:])
    filtered = staff_client("support").get(f"/admin/reports/all/?search={reported.id}")
    assert filtered.get_data(as_text=True).count(reported.id) >= 2


# The moderation service's own rules.


def test_moderators_cannot_block_staff_or_themselves(app):
    with app.test_request_context():
        moderator = users.grant_platform_role(ROLE_PHONES["moderator"], "moderator")
        support = users.grant_platform_role(ROLE_PHONES["support"], "support")
        superadmin = users.grant_platform_role(ROLE_PHONES["superadmin"], "superadmin")
        for target in (support, moderator):
            with pytest.raises(Forbidden):
                moderation.block_user(moderator, target, "Не нравится")
        with pytest.raises(Forbidden):
            moderation.block_user(superadmin, superadmin, "Сам себя")
        assert not User.objects(is_blocked=True).count()
        moderation.block_user(superadmin, support, "Утечка телефонов")
        assert User.objects.get(id=support.id).is_blocked
        moderation.unblock_user(superadmin, support, "Разобрались")
        assert not User.objects.get(id=support.id).is_blocked
        assert [e.action for e in AuditEntry.objects.order_by("at")] == ["block", "unblock"]


def test_support_cannot_use_the_moderation_service(app, reported):
    with app.test_request_context():
        support = users.grant_platform_role(ROLE_PHONES["support"], "support")
        with pytest.raises(Forbidden):
            moderation.block_business(support, reported, "Нарушение")
        with pytest.raises(Forbidden):
            reports.resolve(support, "business", reported.id, "dismiss", "Нарушение")
        assert statuses(app, reported.id) == ["open", "open"]


def test_unblocking_and_unhiding_bring_a_business_back(app, client, reported):
    with app.test_request_context():
        moderator = users.grant_platform_role(ROLE_PHONES["moderator"], "moderator")
        business = Business.objects.get(id=reported.id)
        moderation.block_business(moderator, business, "Проверка")
        moderation.hide_business(moderator, business, "Проверка")
    assert public_answers(client, "noisy-coffee") == (404, 404, False)
    with app.test_request_context():
        moderation.unblock_business(moderator, business, "Всё в порядке")
        assert public_answers(client, "noisy-coffee") == (404, 404, False)  # still hidden
        moderation.unhide_business(moderator, business, "Всё в порядке")
    assert public_answers(client, "noisy-coffee") == (200, 200, True)


def test_a_hidden_business_leaves_every_public_list(app, client):
    from app.businesses import subscriptions
    from app.models import Business, User
    from tests import factories

    owner = factories.signed_in(app, "+79160000011")
    reader = factories.signed_in(app, "+79160000012")
    business = factories.business(app, owner["user"]["id"], slug="to-hide")
    with app.app_context():
        subscriptions.subscribe(User.objects.get(id=reader["user"]["id"]), business)
        Business.objects(id=business.id).update_one(set__hidden=True)
    bearer = {"Authorization": f"Bearer {reader['accessToken']}"}
    assert client.get("/api/me/subscriptions", headers=bearer).get_json()["data"] == []
    listed = client.get(f"/api/businesses?ownerId={owner['user']['id']}", headers=bearer)
    assert listed.get_json()["data"] == []
    assert client.get(f"/q/{business.qr_code}").status_code == 404
