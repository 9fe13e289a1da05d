"""The business cabinet at /cabinet: sign-in through the real /cabinet/login flow, each page and
action for each role, the audit trail, CSRF refusal, and isolation between businesses proved
by guessing another business's ids."""

import io

import pytest

from app.models import Business, BusinessMember, User
from tests import factories
from tests.admin.cabinet_world import (
    MANAGER,
    NEWBIE,
    OPERATOR,
    OWNER,
    STRANGER,
    audit,
    edit_data,
    png_bytes,
    post,
    sign_in,
)
from tests.admin.conftest import csrf_token

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

def test_the_owner_invites_an_operator_who_joins_when_they_accept(app, sms, world):
    """Signing in with the invited phone joins nobody (it used to); accepting does."""
    owner = sign_in(app, sms, OWNER)
    response = post(owner, f"/cabinet/b/{world['a']}/team/invite",
                    {"phone": "8 916 000-00-15", "role": "operator"},
                    page_url=f"/cabinet/b/{world['a']}/team")
    assert response.status_code == 303
    team = owner.get(f"/cabinet/b/{world['a']}/team").get_data(as_text=True)
    assert 'data-phone="+7916*****15" data-role="operator" data-status="invited"' in team
    assert NEWBIE not in team
    [entry] = audit("invite", "member")
    assert entry.business_id == world["a"]
    assert entry.changes["phone"] == {"before": None, "after": NEWBIE}
    assert entry.changes["role"] == {"before": None, "after": "operator"}

    newbie = sign_in(app, sms, NEWBIE)
    home = newbie.get("/cabinet/").get_data(as_text=True)
    assert f'data-business="{world["a"]}"' not in home
    assert newbie.get(f"/cabinet/b/{world['a']}/").status_code == 404
    invitation = BusinessMember.objects.get(business_id=world["a"], invited_phone=NEWBIE)
    assert invitation.user_id is None

    token = factories.signed_in(app, NEWBIE)["accessToken"]
    accepted = app.test_client().post(f"/api/me/invitations/{invitation.id}/accept",
                                      headers={"Authorization": f"Bearer {token}"})
    assert accepted.status_code == 200
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
