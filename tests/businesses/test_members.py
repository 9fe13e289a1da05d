"""The team: roles, overrides, invitations by phone, the one owner, managers' limits."""

import pytest

from app.models import Business, BusinessMember, MemberRole
from tests import factories

OWNER, MANAGER, OPERATOR, VIEWER, NEWBIE = (
    "+79160000001", "+79160000002", "+79160000003", "+79160000004", "+79160000005")


@pytest.fixture
def team(app, auth):
    """A business with an owner, a manager, an operator and a viewer, all signed in."""
    people = {role: auth.sign_in(phone) for role, phone in
              (("owner", OWNER), ("manager", MANAGER), ("operator", OPERATOR),
               ("viewer", VIEWER))}
    business = factories.business(app, people["owner"]["user"]["id"], slug="team-biz")
    for role in ("manager", "operator", "viewer"):
        factories.member(app, business.id, people[role]["user"]["id"], role)
    people["business"] = business.id
    return people


def call(client, auth, who, method, url, **kwargs):
    return client.open(url, method=method, headers=auth.bearer(who["accessToken"]), **kwargs)


def members_url(team):
    return f"/api/businesses/{team['business']}/members"


def roles_of(client, auth, team):
    listing = call(client, auth, team["owner"], "GET", members_url(team)).get_json()["data"]
    return {m["userId"] or m["phone"]: m for m in listing}


def test_list_shows_roles_and_effective_permissions(client, auth, team):
    members = roles_of(client, auth, team)
    assert members[team["owner"]["user"]["id"]]["permissions"] == {
        "canReply": True, "canPublishChannel": True, "canManageMembers": True,
        "canManageSettings": True}
    assert members[team["manager"]["user"]["id"]]["permissions"]["canManageMembers"] is True
    assert members[team["manager"]["user"]["id"]]["permissions"]["canManageSettings"] is False
    assert members[team["operator"]["user"]["id"]]["permissions"] == {
        "canReply": True, "canPublishChannel": False, "canManageMembers": False,
        "canManageSettings": False}
    assert not any(members[team["viewer"]["user"]["id"]]["permissions"].values())


def test_invite_by_phone_joins_only_when_accepted(app, client, auth, team):
    """Signing in with the invited phone joins nobody (it used to); accepting does."""
    invited = call(client, auth, team["owner"], "POST", members_url(team),
                   json={"phone": "8 916 000-00-05", "role": "operator"})
    assert invited.status_code == 201
    assert invited.get_json()["data"]["status"] == "invited"
    newbie = auth.sign_in(NEWBIE)
    assert newbie["user"]["id"] not in roles_of(client, auth, team)
    mine = client.get("/api/me/businesses", headers=auth.bearer(newbie["accessToken"]))
    assert mine.get_json()["data"] == []
    accepted = client.post(
        f"/api/me/invitations/{invited.get_json()['data']['memberId']}/accept",
        headers=auth.bearer(newbie["accessToken"]))
    assert accepted.status_code == 200
    members = roles_of(client, auth, team)
    assert members[newbie["user"]["id"]]["role"] == "operator"
    assert members[newbie["user"]["id"]]["status"] == "active"
    me = client.get("/api/me/businesses", headers=auth.bearer(newbie["accessToken"]))
    assert me.get_json()["data"][0]["role"] == "operator"


def test_inviting_an_existing_account_makes_an_invitation_not_a_member(app, client, auth, team):
    newbie = factories.person(app, NEWBIE, "Нина")
    invited = call(client, auth, team["owner"], "POST", members_url(team),
                   json={"phone": NEWBIE, "role": "viewer"}).get_json()["data"]
    assert invited["status"] == "invited" and invited["userId"] is None
    assert invited["name"] is None and invited["phone"] == "+7916*****05"
    with app.app_context():
        assert BusinessMember.objects(business_id=team["business"], user_id=newbie.id).count() \
            == 0


def test_the_same_person_cannot_be_invited_twice(client, auth, team):
    first = call(client, auth, team["owner"], "POST", members_url(team),
                 json={"phone": NEWBIE, "role": "viewer"})
    again = call(client, auth, team["owner"], "POST", members_url(team),
                 json={"phone": NEWBIE, "role": "operator"})
    existing = call(client, auth, team["owner"], "POST", members_url(team),
                    json={"phone": OPERATOR, "role": "viewer"})
    assert (first.status_code, again.status_code, existing.status_code) == (201, 409, 409)


def test_nobody_is_invited_as_owner(client, auth, team):
    response = call(client, auth, team["owner"], "POST", members_url(team),
                    json={"phone": NEWBIE, "role": "owner"})
    assert response.status_code == 422


def test_a_manager_manages_operators_and_viewers_only(client, auth, team):
    manager = team["manager"]
    assert call(client, auth, manager, "POST", members_url(team),
                json={"phone": NEWBIE, "role": "viewer"}).status_code == 201
    assert call(client, auth, manager, "POST", members_url(team),
                json={"phone": "+79160000006", "role": "manager"}).status_code == 403
    operator_url = f"{members_url(team)}/{team['operator']['user']['id']}"
    assert call(client, auth, manager, "PUT", operator_url,
                json={"role": "viewer"}).status_code == 200
    assert call(client, auth, manager, "PUT", operator_url,
                json={"role": "manager"}).status_code == 403
    assert call(client, auth, manager, "DELETE", operator_url).status_code == 200
    other_manager = factories.person(client.application, "+79160000007")
    factories.member(client.application, team["business"], other_manager.id, "manager")
    assert call(client, auth, manager, "DELETE",
                f"{members_url(team)}/{other_manager.id}").status_code == 403


def test_nobody_removes_or_demotes_the_owner(client, auth, team):
    owner_url = f"{members_url(team)}/{team['owner']['user']['id']}"
    for who in ("owner", "manager"):
        assert call(client, auth, team[who], "PUT", owner_url,
                    json={"role": "viewer"}).status_code == 403
        assert call(client, auth, team[who], "DELETE", owner_url).status_code == 403
    members = roles_of(client, auth, team)
    assert members[team["owner"]["user"]["id"]]["role"] == "owner"


def test_ownership_is_transferred_explicitly(app, client, auth, team):
    url = f"/api/businesses/{team['business']}/transfer-ownership"
    refused = call(client, auth, team["manager"], "POST", url,
                   json={"userId": team["manager"]["user"]["id"]})
    assert refused.status_code == 403
    done = call(client, auth, team["owner"], "POST", url,
                json={"userId": team["operator"]["user"]["id"]})
    assert done.status_code == 200 and done.get_json()["data"]["myRole"] == "manager"
    members = roles_of(client, auth, team)
    owners = [m for m in members.values() if m["role"] == "owner"]
    assert [m["userId"] for m in owners] == [team["operator"]["user"]["id"]]
    with app.app_context():
        assert Business.objects.get(id=team["business"]).owner_id == \
            team["operator"]["user"]["id"]
    assert call(client, auth, team["owner"], "POST", url,
                json={"userId": "usr_outsider"}).status_code == 403


def test_overrides_change_one_member_and_cannot_exceed_the_granter(client, auth, team):
    operator_url = f"{members_url(team)}/{team['operator']['user']['id']}"
    granted = call(client, auth, team["owner"], "PUT", operator_url,
                   json={"permissions": {"canPublishChannel": True}})
    assert granted.get_json()["data"]["permissions"]["canPublishChannel"] is True
    too_much = call(client, auth, team["manager"], "PUT", operator_url,
                    json={"permissions": {"canManageSettings": True}})
    assert too_much.status_code == 403
    unknown = call(client, auth, team["owner"], "PUT", operator_url,
                   json={"permissions": {"canFly": True}})
    assert unknown.status_code == 422
    cleared = call(client, auth, team["owner"], "PUT", operator_url,
                   json={"permissions": {"canPublishChannel": None}})
    assert cleared.get_json()["data"]["permissions"]["canPublishChannel"] is False


def test_a_role_template_change_reaches_members_without_overrides(app, client, auth, team):
    operator_url = f"{members_url(team)}/{team['operator']['user']['id']}"
    call(client, auth, team["owner"], "PUT", operator_url,
         json={"permissions": {"canReply": False}})
    newbie = factories.person(app, NEWBIE)
    factories.member(app, team["business"], newbie.id, "operator")
    with app.app_context():
        MemberRole.objects(id="operator").update_one(set__permissions__can_publish_channel=True)
    members = roles_of(client, auth, team)
    assert members[newbie.id]["permissions"]["canPublishChannel"] is True
    overridden = members[team["operator"]["user"]["id"]]["permissions"]
    assert overridden["canPublishChannel"] is True and overridden["canReply"] is False


def test_nobody_changes_their_own_role(client, auth, team):
    url = f"{members_url(team)}/{team['manager']['user']['id']}"
    assert call(client, auth, team["manager"], "PUT", url,
                json={"permissions": {"canManageSettings": True}}).status_code == 403


def test_a_member_can_leave(app, client, auth, team):
    url = f"{members_url(team)}/{team['viewer']['user']['id']}"
    assert call(client, auth, team["viewer"], "DELETE", url).status_code == 200
    with app.app_context():
        assert BusinessMember.objects(business_id=team["business"],
                                      user_id=team["viewer"]["user"]["id"],
                                      is_active=True).count() == 0


def test_an_invitation_can_be_withdrawn(client, auth, team):
    invited = call(client, auth, team["owner"], "POST", members_url(team),
                   json={"phone": NEWBIE, "role": "viewer"}).get_json()["data"]
    url = f"/api/businesses/{team['business']}/invitations/{invited['memberId']}"
    assert call(client, auth, team["operator"], "DELETE", url).status_code == 403
    assert call(client, auth, team["owner"], "DELETE", url).status_code == 200
    newbie = auth.sign_in(NEWBIE)
    assert client.get("/api/me/businesses",
                      headers=auth.bearer(newbie["accessToken"])).get_json()["data"] == []
