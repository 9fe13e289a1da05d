"""The business cabinet at /cabinet: sign-in through the real /cabinet/login flow, each page and
action for each role, the audit trail, CSRF refusal, and isolation between businesses proved
by guessing another business's ids."""

import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from app import clock
from app.models import AuditEntry, Business, BusinessMember, BusinessSettings, QrScanDay, User
from app.services import business_stats, subscriptions
from tests import factories
from tests.admin.conftest import csrf_token
from tests.admin.conftest import sign_in as sign_in_at

OWNER, OPERATOR, MANAGER, STRANGER, NEWBIE, OTHER_OWNER = (
    "+79160000011", "+79160000012", "+79160000013", "+79160000014", "+79160000015",
    "+79160000016")


def sign_in(app, sms, phone):
    """A test client signed in at /cabinet/login (the phone step, then the code from the SMS),
    showing its pages in English (the messages below are asserted in English)."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    done = sign_in_at(client, sms, phone, area="cabinet")
    assert done.status_code == 302, done.get_data(as_text=True)
    assert done.headers["Location"].endswith("/cabinet/")
    return client


def post(client, url, data=None, page_url=None, **kwargs):
    """POST a form with the CSRF token of the page it is on (`page_url`, else the URL)."""
    page = client.get(page_url or url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={"csrf_token": csrf_token(page), **(data or {})}, **kwargs)


@pytest.fixture
def world(app):
    """Business A (owner, operator, manager) and business B of another owner."""
    people = {name: factories.person(app, phone, title) for name, phone, title in (
        ("owner", OWNER, "Анна"), ("operator", OPERATOR, "Олег"), ("manager", MANAGER, "Майя"),
        ("stranger", STRANGER, None), ("other_owner", OTHER_OWNER, "Борис"))}
    a = factories.business(app, people["owner"], "Кофейня А", slug="coffee-a")
    b = factories.business(app, people["other_owner"], "Пекарня Б", slug="bakery-b")
    factories.member(app, a.id, people["operator"].id, "operator")
    factories.member(app, a.id, people["manager"].id, "manager")
    return {"a": a.id, "b": b.id, **{name: person.id for name, person in people.items()}}


def audit(action, target_type=None):
    query = AuditEntry.objects(action=action)
    if target_type:
        query = query.filter(target_type=target_type)
    return list(query)


def edit_data(business, **changes):
    location = business.location
    point = location.point["coordinates"] if location and location.point else None
    data = {"name": business.name, "description": business.description, "slug": business.slug,
            "categories": list(business.category_ids), "address": location.address if location
            else "", "lat": str(point[1]) if point else "", "lng": str(point[0]) if point else "",
            "is_public": "y" if business.is_public else ""}
    data.update(changes)
    return {key: value for key, value in data.items() if value not in ("", None)}


def png_bytes(size=(64, 64)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


# --- signing in, the list ---------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_the_login_page(app, client, world):
    for url in ("/cabinet/", f"/cabinet/b/{world['a']}/", f"/cabinet/b/{world['a']}/edit"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/cabinet/login?next=")
    response = client.post(f"/cabinet/b/{world['a']}/team/invite",
                           data={"phone": NEWBIE, "role": "operator"})
    assert response.status_code == 302
    assert BusinessMember.objects(invited_phone=NEWBIE).count() == 0


def test_login_page_is_the_phone_and_code_form(client):
    page = client.get("/cabinet/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="step" value="phone"' in html and 'name="phone"' in html


def test_a_wrong_code_does_not_sign_in(app, sms):
    client = app.test_client()
    page = client.get("/cabinet/login")
    sent = client.post("/cabinet/login", data={"csrf_token": csrf_token(page), "step": "phone",
                                               "phone": STRANGER})
    wrong = "000000" if sms.last_code(STRANGER) != "000000" else "111111"
    response = client.post("/cabinet/login", data={"csrf_token": csrf_token(sent),
                                                   "step": "code", "phone": STRANGER,
                                                   "code": wrong})
    assert response.status_code == 200
    assert client.get("/cabinet/").status_code == 302


def test_a_person_without_a_team_sees_an_empty_list(app, sms, world):
    client = sign_in(app, sms, STRANGER)
    page = client.get("/cabinet/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="no-businesses"' in html
    assert "data-business=" not in html and "Кофейня А" not in html


def test_the_list_shows_my_businesses_with_my_role(app, sms, world):
    factories.member(app, world["b"], world["operator"], "viewer")
    html = sign_in(app, sms, OPERATOR).get("/cabinet/").get_data(as_text=True)
    assert f'data-business="{world["a"]}"' in html and f'data-business="{world["b"]}"' in html
    assert 'data-role="operator"' in html and 'data-role="viewer"' in html


def test_sign_out_needs_the_form_token(app, sms, world):
    client = sign_in(app, sms, OWNER)
    forged = client.post("/cabinet/logout")
    assert forged.status_code == 303 and client.get("/cabinet/").status_code == 200
    signed_out = post(client, "/cabinet/logout", page_url="/cabinet/")
    assert signed_out.status_code == 302
    assert client.get("/cabinet/").status_code == 302


# --- the owner edits the business -------------------------------------------------------------

def test_the_owner_edits_name_and_slug_and_the_old_slug_redirects(app, client, sms, world):
    owner = sign_in(app, sms, OWNER)
    page = owner.get(f"/cabinet/b/{world['a']}/edit")
    assert page.status_code == 200
    assert 'id="slug-warning"' in page.get_data(as_text=True)
    business = Business.objects.get(id=world["a"])
    response = owner.post(f"/cabinet/b/{world['a']}/edit", data={
        "csrf_token": csrf_token(page),
        **edit_data(business, name="Кофейня А+", slug="coffee-a-plus", is_public="",
                    address="Москва, Арбат, 1", lat="55,75", lng="37.6")})
    assert response.status_code == 303, response.get_data(as_text=True)
    business.reload()
    assert (business.name, business.slug, business.is_public) == (
        "Кофейня А+", "coffee-a-plus", False)
    assert business.location.address == "Москва, Арбат, 1"
    assert business.location.point["coordinates"] == [37.6, 55.75]
    assert "coffee-a" in business.previous_slugs

    moved = client.get("/api/businesses/slug/coffee-a")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/api/businesses/slug/coffee-a-plus")

    [entry] = audit("update", "business")
    assert entry.area == "cabinet" and entry.business_id == world["a"]
    assert entry.actor_id == world["owner"] and entry.target_id == world["a"]
    assert entry.changes["name"] == {"before": "Кофейня А", "after": "Кофейня А+"}
    assert entry.changes["slug"] == {"before": "coffee-a", "after": "coffee-a-plus"}
    assert entry.changes["isPublic"] == {"before": True, "after": False}
    assert "description" not in entry.changes  # unchanged fields are not listed
    assert "coffee-a-plus" in owner.get(f"/cabinet/b/{world['a']}/edit").get_data(as_text=True)


def test_saving_without_changes_leaves_no_audit_entry(app, sms, world):
    owner = sign_in(app, sms, OWNER)
    business = Business.objects.get(id=world["a"])
    response = post(owner, f"/cabinet/b/{world['a']}/edit", edit_data(business))
    assert response.status_code == 303
    assert audit("update", "business") == []


def test_categories_come_from_the_active_tree_up_to_three(app, sms, world):
    from app.models import Category

    active = [c.id for c in Category.objects(is_active=True)[:4]]
    owner = sign_in(app, sms, OWNER)
    business = Business.objects.get(id=world["a"])
    html = owner.get(f"/cabinet/b/{world['a']}/edit").get_data(as_text=True)
    assert all(f'value="{category_id}"' in html for category_id in active)

    saved = post(owner, f"/cabinet/b/{world['a']}/edit",
                 edit_data(business, categories=active[:2]))
    assert saved.status_code == 303
    assert Business.objects.get(id=world["a"]).category_ids == active[:2]

    too_many = post(owner, f"/cabinet/b/{world['a']}/edit", edit_data(business, categories=active))
    assert too_many.status_code == 422
    assert "at most 3 categories" in too_many.get_data(as_text=True)
    unknown = post(owner, f"/cabinet/b/{world['a']}/edit",
                   edit_data(business, categories=["cat_nope"]))
    assert unknown.status_code == 422
    assert Business.objects.get(id=world["a"]).category_ids == active[:2]


@pytest.mark.parametrize("changes, status, message", [
    ({"slug": "bakery-b"}, 409, "This address is taken."),
    ({"slug": "admin"}, 422, "This address is reserved."),
    ({"slug": "Not a slug!"}, 422, "single hyphens"),
    ({"name": "   "}, 422, "1 to 120 characters"),
    ({"lat": "55.7", "lng": ""}, 422, "both the latitude and the longitude"),
    ({"lat": "95", "lng": "37"}, 422, "Number must be between"),
    ({"address": "Арбат, 1", "lat": "", "lng": ""}, 422, "needs its coordinates"),
])
def test_the_service_rules_refuse_and_show_why(app, sms, world, changes, status, message):
    owner = sign_in(app, sms, OWNER)
    business = Business.objects.get(id=world["a"])
    before = business.to_mongo().to_dict()
    data = edit_data(business)
    data.update({key: value for key, value in changes.items()})
    data = {key: value for key, value in data.items() if value != ""}
    response = post(owner, f"/cabinet/b/{world['a']}/edit", data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert Business.objects.get(id=world["a"]).to_mongo().to_dict() == before
    assert audit("update") == []


def test_a_taken_slug_answer_suggests_free_ones(app, sms, world):
    owner = sign_in(app, sms, OWNER)
    business = Business.objects.get(id=world["a"])
    html = post(owner, f"/cabinet/b/{world['a']}/edit",
                edit_data(business, slug="bakery-b")).get_data(as_text=True)
    assert "bakery-b-2" in html


def test_the_logo_upload_goes_through_the_service(app, sms, world):
    owner = sign_in(app, sms, OWNER)
    url = f"/cabinet/b/{world['a']}/logo"
    page = owner.get(f"/cabinet/b/{world['a']}/edit")
    bad = owner.post(url, data={"csrf_token": csrf_token(page),
                                "logo": (io.BytesIO(b"not an image"), "logo.png")},
                     content_type="multipart/form-data")
    assert bad.status_code == 303
    assert Business.objects.get(id=world["a"]).logo is None
    assert "alert-danger" in owner.get(bad.headers["Location"]).get_data(as_text=True)

    good = owner.post(url, data={"csrf_token": csrf_token(page),
                                 "logo": (io.BytesIO(png_bytes()), "logo.png")},
                      content_type="multipart/form-data")
    assert good.status_code == 303
    logo = Business.objects.get(id=world["a"]).logo
    assert logo and logo.endswith(".webp")
    assert 'id="logo-image"' in owner.get(good.headers["Location"]).get_data(as_text=True)
    [entry] = audit("update", "business")
    assert entry.changes == {"logo": {"before": None, "after": logo}}


# --- the team ---------------------------------------------------------------------------------

def test_the_owner_invites_an_operator_who_joins_at_first_sign_in(app, sms, world):
    owner = sign_in(app, sms, OWNER)
    response = post(owner, f"/cabinet/b/{world['a']}/team/invite",
                    {"phone": "8 916 000-00-15", "role": "operator"},
                    page_url=f"/cabinet/b/{world['a']}/team")
    assert response.status_code == 303
    team = owner.get(f"/cabinet/b/{world['a']}/team").get_data(as_text=True)
    assert f'data-phone="{NEWBIE}" data-role="operator" data-status="invited"' in team
    [entry] = audit("invite", "member")
    assert entry.business_id == world["a"]
    assert entry.changes["phone"] == {"before": None, "after": NEWBIE}
    assert entry.changes["role"] == {"before": None, "after": "operator"}

    newbie = sign_in(app, sms, NEWBIE)
    home = newbie.get("/cabinet/").get_data(as_text=True)
    assert f'data-business="{world["a"]}"' in home and 'data-role="operator"' in home
    assert newbie.get(f"/cabinet/b/{world['a']}/").status_code == 200
    user = User.objects.get(phone=NEWBIE)
    assert BusinessMember.objects.get(business_id=world["a"], invited_phone=NEWBIE).user_id == \
        user.id


def test_inviting_shows_the_services_refusals(app, sms, world):
    owner = sign_in(app, sms, OWNER)
    team = f"/cabinet/b/{world['a']}/team"
    again = post(owner, f"{team}/invite", {"phone": OPERATOR, "role": "viewer"}, page_url=team)
    assert again.status_code == 409
    assert "already on the team" in again.get_data(as_text=True)
    owner_role = post(owner, f"{team}/invite", {"phone": NEWBIE, "role": "owner"}, page_url=team)
    assert owner_role.status_code == 422
    bad_phone = post(owner, f"{team}/invite", {"phone": "12", "role": "viewer"}, page_url=team)
    assert bad_phone.status_code == 422
    assert BusinessMember.objects(business_id=world["a"]).count() == 3
    assert audit("invite") == []


def test_role_change_removal_and_withdrawal_are_audited(app, sms, world):
    owner = sign_in(app, sms, OWNER)
    team = f"/cabinet/b/{world['a']}/team"
    changed = post(owner, f"{team}/{world['operator']}/role", {"role": "viewer"}, page_url=team)
    assert changed.status_code == 303
    operator = BusinessMember.objects.get(business_id=world["a"], user_id=world["operator"])
    assert operator.role == "viewer"
    [entry] = audit("change_role", "member")
    assert entry.target_id == operator.id
    assert entry.changes == {"role": {"before": "operator", "after": "viewer"}}

    removed = post(owner, f"{team}/{world['operator']}/remove", page_url=team)
    assert removed.status_code == 303
    operator.reload()
    assert operator.is_active is False
    [entry] = audit("remove", "member")
    assert entry.changes == {"isActive": {"before": True, "after": False}}
    assert entry.target_id == operator.id and entry.business_id == world["a"]

    post(owner, f"{team}/invite", {"phone": NEWBIE, "role": "viewer"}, page_url=team)
    invitation = BusinessMember.objects.get(business_id=world["a"], invited_phone=NEWBIE)
    withdrawn = post(owner, f"{team}/invitations/{invitation.id}/withdraw", page_url=team)
    assert withdrawn.status_code == 303
    invitation.reload()
    assert invitation.is_active is False
    [entry] = audit("withdraw_invitation", "member")
    assert entry.changes == {"isActive": {"before": True, "after": False}}


def test_the_owner_transfers_ownership(app, sms, world):
    owner = sign_in(app, sms, OWNER)
    team = f"/cabinet/b/{world['a']}/team"
    unconfirmed = post(owner, f"{team}/transfer", {"user_id": world["manager"]}, page_url=team)
    assert unconfirmed.status_code == 303
    assert Business.objects.get(id=world["a"]).owner_id == world["owner"]

    done = post(owner, f"{team}/transfer", {"user_id": world["manager"], "confirm": "y"},
                page_url=team)
    assert done.status_code == 303
    assert Business.objects.get(id=world["a"]).owner_id == world["manager"]
    roles = {m.user_id: m.role for m in BusinessMember.objects(business_id=world["a"])}
    assert roles[world["manager"]] == "owner" and roles[world["owner"]] == "manager"
    [entry] = audit("transfer_ownership", "business")
    assert entry.changes == {"ownerId": {"before": world["owner"], "after": world["manager"]}}
    # Now a manager: no more transfer form, and the settings are closed.
    html = owner.get(team).get_data(as_text=True)
    assert 'id="transfer-form"' not in html
    assert owner.get(f"/cabinet/b/{world['a']}/edit").status_code == 403


def test_a_manager_manages_only_roles_below_their_own(app, sms, world):
    manager = sign_in(app, sms, MANAGER)
    team = f"/cabinet/b/{world['a']}/team"
    html = manager.get(team).get_data(as_text=True)
    assert 'id="invite-form"' in html and 'id="transfer-form"' not in html
    as_manager = post(manager, f"{team}/invite", {"phone": NEWBIE, "role": "manager"},
                      page_url=team)
    assert as_manager.status_code == 422  # not among the roles a manager may give
    assert BusinessMember.objects(invited_phone=NEWBIE).count() == 0
    as_viewer = post(manager, f"{team}/invite", {"phone": NEWBIE, "role": "viewer"},
                     page_url=team)
    assert as_viewer.status_code == 303
    demote_owner = post(manager, f"{team}/{world['owner']}/role", {"role": "viewer"},
                        page_url=team)
    assert demote_owner.status_code == 303
    assert BusinessMember.objects.get(business_id=world["a"], user_id=world["owner"]).role == \
        "owner"
    assert manager.post(f"{team}/transfer").status_code == 403
    assert manager.get(f"/cabinet/b/{world['a']}/bot").status_code == 403


def test_a_member_leaves_the_team(app, sms, world):
    operator = sign_in(app, sms, OPERATOR)
    team = f"/cabinet/b/{world['a']}/team"
    assert 'id="leave-team"' in operator.get(team).get_data(as_text=True)
    left = post(operator, f"{team}/{world['operator']}/remove", page_url=team)
    assert left.status_code == 303 and left.headers["Location"].endswith("/cabinet/")
    assert operator.get(f"/cabinet/b/{world['a']}/").status_code == 404
    [entry] = audit("leave", "member")
    assert entry.actor_id == world["operator"]


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


@pytest.mark.parametrize("data, message", [
    ({"timezone": "Mars/Olympus", "mon": "09:00-18:00"}, "Unknown time zone"),
    ({"mon": "09:00-18:00"}, "Fill this in."),  # hours need a time zone
    ({"timezone": "Europe/Moscow", "tue": "18:00-09:00"}, "closing time must be later"),
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
        subscriptions.subscribe(person, business)
    clock.freeze(start)
    subscriptions.subscribe(factories.person(app, "+79161000009"),
                            Business.objects.get(id=world["b"]))  # another business's
    QrScanDay(business_id=world["a"], day=start.date().isoformat(), count=7).save()
    Business._get_db()["dialogs"].insert_many([{"businessId": world["a"]},
                                               {"meta": {"businessId": world["a"]}},
                                               {"businessId": world["b"]}])

    found = business_stats.subscribers(world["a"], 30)
    assert found["total"] == 3 and len(found["perDay"]) == 30
    assert [row["count"] for row in found["perDay"][-3:]] == [1, 1, 1]
    assert found["perDay"][-1]["day"] == start.date().isoformat()
    assert business_stats.dialogs(world["a"]) == 2

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
    before = snapshot(b)
    base = f"/cabinet/b/{b}"
    gets = [f"{base}/", f"{base}/edit", f"{base}/team", f"{base}/bot", f"{base}/qr",
            f"{base}/stats", f"{base}/qr/svg", f"{base}/qr/png", f"{base}/qr/pdf"]
    posts = [
        (f"{base}/edit", {"name": "Взлом", "slug": "hacked-b"}),
        (f"{base}/logo", {"logo": lambda: (io.BytesIO(png_bytes()), "x.png")}),
        (f"{base}/bot", {"greeting": "Взлом"}),
        (f"{base}/team/invite", {"phone": NEWBIE, "role": "manager"}),
        (f"{base}/team/{world['stranger']}/role", {"role": "manager"}),
        (f"{base}/team/{world['stranger']}/remove", {}),
        (f"{base}/team/{b_owner.user_id}/remove", {}),
        (f"{base}/team/invitations/{invitation.id}/withdraw", {}),
        (f"{base}/team/transfer", {"user_id": world["owner"], "confirm": "y"}),
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
        for url in (f"{a}/{world['stranger']}/role", f"{a}/{world['stranger']}/remove",
                    f"{a}/invitations/{invitation.id}/withdraw"):
            client.post(url, data={"csrf_token": token, "role": "manager"})
        listing = client.get("/cabinet/").get_data(as_text=True)
        assert b not in listing and "Пекарня Б" not in listing
    assert snapshot(b) == before


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
            (f"{base}/team/{team.user_id}/remove", {}),
            (f"{base}/team/invitations/{invitation.id}/withdraw", {}),
            (f"{base}/team/transfer", {"user_id": world["manager"], "confirm": "y"})):
        response = owner.post(url, data={**extra, **data}, content_type="multipart/form-data")
        assert response.status_code in (303, 400), (url, response.status_code)
    assert snapshot(world["a"]) == before
    html = owner.get(f"{base}/team").get_data(as_text=True)
    assert "The form has expired" in html  # the refusal says why
