"""Team invitations with consent: an invitation makes nobody a member until its invitee accepts
it at /api/me/invitations, before it expires; declining or a withdrawal closes it. Only the
invited phone sees and answers it; the team sees the phone masked and no name until then."""

import json
from datetime import timedelta

import pytest

from app import clock
from app.models import AuditEntry, Business, BusinessMember
from tests import factories

OWNER, OPERATOR, NEWBIE, STRANGER = "+79160000001", "+79160000003", "+79160000005", \
    "+79160000009"
DAY = 24 * 3600


def make_team(app):
    """A business whose owner and operator have tokens; the invitee (Нина) has an account."""
    people = {"owner": factories.signed_in(app, OWNER, "Ольга"),
              "operator": factories.signed_in(app, OPERATOR, "Олег"),
              "newbie": factories.signed_in(app, NEWBIE, "Нина"),
              "stranger": factories.signed_in(app, STRANGER, "Степан")}
    business = factories.business(app, people["owner"]["user"]["id"], "Кофейня",
                                  slug="team-biz")
    factories.member(app, business.id, people["operator"]["user"]["id"], "operator")
    people["business"] = business.id
    return people


@pytest.fixture
def team(app):
    return make_team(app)


def bearer(who):
    return {"Authorization": f"Bearer {who['accessToken']}"}


def invite(client, team, phone=NEWBIE, role="operator", who="owner", **extra):
    return client.post(f"/api/businesses/{team['business']}/members", headers=bearer(team[who]),
                       json={"phone": phone, "role": role, **extra})


def answer(client, who, invitation_id, action):
    return client.post(f"/api/me/invitations/{invitation_id}/{action}", headers=bearer(who))


def mine(client, who):
    return client.get("/api/me/invitations", headers=bearer(who)).get_json()


def team_list(client, team):
    listing = client.get(f"/api/businesses/{team['business']}/members",
                         headers=bearer(team["owner"])).get_json()["data"]
    return {row["memberId"]: row for row in listing}


def invitee_count(client, who):
    return client.get("/api/me", headers=bearer(who)).get_json()["data"]["counts"]["invitations"]


def active_member(app, team, who):
    with app.app_context():
        return BusinessMember.objects(business_id=team["business"], user_id=team[who]["user"]["id"],
                                      is_active=True).first()


def test_the_invitee_sees_the_invitation_and_accepting_joins_the_team(app, client, team):
    invited = invite(client, team, permissions={"canPublishChannel": True}).get_json()["data"]
    assert active_member(app, team, "newbie") is None

    waiting = mine(client, team["newbie"])
    assert waiting["pagination"]["total"] == 1
    [row] = waiting["data"]
    assert row["id"] == invited["memberId"] and row["role"] == "operator"
    assert row["business"]["name"] == "Кофейня" and row["business"]["slug"] == "team-biz"
    assert row["expiresAt"] == invited["expiresAt"]
    assert invitee_count(client, team["newbie"]) == 1

    accepted = answer(client, team["newbie"], invited["memberId"], "accept")
    assert accepted.status_code == 200
    assert accepted.get_json()["data"] == {"accepted": True, "businessId": team["business"],
                                           "role": "operator"}
    member = active_member(app, team, "newbie")
    assert member.id == invited["memberId"] and member.joined_at is not None
    row = team_list(client, team)[invited["memberId"]]
    # Accepted: the team sees who it is now, with the permissions the invitation gave.
    assert (row["status"], row["name"], row["phone"]) == ("active", "Нина", NEWBIE)
    assert row["permissions"]["canPublishChannel"] is True and row["expiresAt"] is None
    assert mine(client, team["newbie"])["data"] == [] and invitee_count(client, team["newbie"]) == 0
    assert answer(client, team["newbie"], invited["memberId"], "accept").status_code == 404

    with app.app_context():
        [entry] = AuditEntry.objects(action="accept_invitation")
    assert (entry.area, entry.actor_id, entry.target_type, entry.target_id, entry.business_id) \
        == ("site", team["newbie"]["user"]["id"], "member", invited["memberId"],
            team["business"])
    assert entry.changes == {"status": {"before": "invited", "after": "active"},
                             "userId": {"before": None,
                                        "after": team["newbie"]["user"]["id"]}}


def test_declining_closes_the_invitation(app, client, team):
    invited = invite(client, team).get_json()["data"]
    declined = answer(client, team["newbie"], invited["memberId"], "decline")
    assert declined.status_code == 200 and declined.get_json()["data"] == {"declined": True}
    assert invited["memberId"] not in team_list(client, team)
    assert active_member(app, team, "newbie") is None
    assert answer(client, team["newbie"], invited["memberId"], "accept").status_code == 404
    assert mine(client, team["newbie"])["data"] == []
    with app.app_context():
        assert BusinessMember.objects.get(id=invited["memberId"]).declined_at is not None
        [entry] = AuditEntry.objects(action="decline_invitation")
    assert (entry.area, entry.actor_id, entry.business_id) == (
        "site", team["newbie"]["user"]["id"], team["business"])
    assert entry.changes == {"status": {"before": "invited", "after": "declined"},
                             "isActive": {"before": True, "after": False}}
    # Declined, the phone may be invited again.
    assert invite(client, team).status_code == 201


def test_an_invitation_expires_after_the_configured_days(make_app):
    app = make_app(INVITATION_DAYS=3)
    client = app.test_client()
    team = make_team(app)
    invited = invite(client, team).get_json()["data"]
    with app.app_context():
        stored = BusinessMember.objects.get(id=invited["memberId"])
        assert stored.expires_at - stored.invited_at == timedelta(days=3)

    clock.advance(3 * DAY + 1)
    refused = answer(client, team["newbie"], invited["memberId"], "accept")
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "invitation_expired"
    assert active_member(app, team, "newbie") is None
    assert mine(client, team["newbie"])["data"] == [] and invitee_count(client, team["newbie"]) == 0
    row = team_list(client, team)[invited["memberId"]]
    assert row["status"] == "expired" and row["phone"] == "+7916*****05"

    # Invited again: a fresh invitation replaces the expired one, and can be accepted.
    again = invite(client, team)
    assert again.status_code == 201
    listing = team_list(client, team)
    assert invited["memberId"] not in listing
    assert listing[again.get_json()["data"]["memberId"]]["status"] == "invited"
    assert answer(client, team["newbie"], again.get_json()["data"]["memberId"],
                  "accept").status_code == 200


def test_an_expired_invitation_can_be_withdrawn(app, client, team):
    invited = invite(client, team).get_json()["data"]
    clock.advance(8 * DAY)
    url = f"/api/businesses/{team['business']}/invitations/{invited['memberId']}"
    assert client.delete(url, headers=bearer(team["owner"])).status_code == 200
    assert invited["memberId"] not in team_list(client, team)


def test_a_withdrawn_invitation_cannot_be_accepted(app, client, team):
    invited = invite(client, team).get_json()["data"]
    url = f"/api/businesses/{team['business']}/invitations/{invited['memberId']}"
    assert client.delete(url, headers=bearer(team["owner"])).status_code == 200
    assert mine(client, team["newbie"])["data"] == []
    for action in ("accept", "decline"):
        refused = answer(client, team["newbie"], invited["memberId"], action)
        assert refused.status_code == 404
        assert refused.get_json()["error"]["code"] == "invitation_not_found"
    assert active_member(app, team, "newbie") is None


def test_only_the_invited_phone_sees_or_answers_it(app, client, team):
    invited = invite(client, team).get_json()["data"]
    for who in ("stranger", "operator", "owner"):
        assert mine(client, team[who])["data"] == []
        for action in ("accept", "decline"):
            refused = answer(client, team[who], invited["memberId"], action)
            assert refused.status_code == 404, (who, action)
            assert refused.get_json()["error"]["code"] == "invitation_not_found"
    assert answer(client, team["newbie"], "mem_0000000000000000", "accept").status_code == 404
    assert client.post(f"/api/me/invitations/{invited['memberId']}/accept").status_code == 401
    with app.app_context():
        stored = BusinessMember.objects.get(id=invited["memberId"])
        assert (stored.user_id, stored.is_active) == (None, True)
        assert AuditEntry.objects(action__in=["accept_invitation",
                                              "decline_invitation"]).count() == 0
    # Someone else's membership row is not an invitation to anyone.
    operator = active_member(app, team, "operator")
    assert answer(client, team["newbie"], operator.id, "accept").status_code == 404


def test_a_deleted_business_s_invitation_is_gone(app, client, team):
    invited = invite(client, team).get_json()["data"]
    with app.app_context():
        Business.objects(id=team["business"]).update_one(set__deleted_at=clock.now())
    assert mine(client, team["newbie"])["data"] == [] and invitee_count(client, team["newbie"]) == 0
    assert answer(client, team["newbie"], invited["memberId"], "accept").status_code == 404


def test_someone_on_the_team_already_cannot_join_twice(app, client, team):
    invited = invite(client, team).get_json()["data"]
    factories.member(app, team["business"], team["newbie"]["user"]["id"], "viewer")
    refused = answer(client, team["newbie"], invited["memberId"], "accept")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "already_member"
    with app.app_context():
        assert BusinessMember.objects(business_id=team["business"],
                                      user_id=team["newbie"]["user"]["id"]).count() == 1
    assert invited["memberId"] not in team_list(client, team)


def test_inviting_tells_nothing_of_whether_or_whose_the_phone_is(app, client, team):
    """A phone with an account (Нина's) and one without get the same answer, and the team's
    list shows neither a name nor the whole number until the invitation is accepted."""
    clock.freeze()  # the same times in both answers
    known = invite(client, team, NEWBIE).get_json()["data"]
    unknown = invite(client, team, "+79160000077").get_json()["data"]
    for answered, masked in ((known, "+7916*****05"), (unknown, "+7916*****77")):
        assert answered["phone"] == masked
        assert (answered["status"], answered["name"], answered["userId"]) == (
            "invited", None, None)
    assert set(known) == set(unknown)
    assert {k: v for k, v in known.items() if k not in ("memberId", "phone")} == \
        {k: v for k, v in unknown.items() if k not in ("memberId", "phone")}
    listing = client.get(f"/api/businesses/{team['business']}/members",
                         headers=bearer(team["operator"]))
    text = json.dumps(listing.get_json(), ensure_ascii=False)
    assert "Нина" not in text and NEWBIE not in text and team["newbie"]["user"]["id"] not in text


def test_an_open_invitation_cannot_be_sent_twice(client, team):
    assert invite(client, team).status_code == 201
    again = invite(client, team, role="viewer")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_invited"
    member = invite(client, team, OPERATOR)
    assert member.status_code == 409 and member.get_json()["error"]["code"] == "already_member"


def test_signing_in_joins_nobody(app, client, auth, team):
    invited = invite(client, team, "+79160000055").get_json()["data"]
    signed = auth.sign_in("+79160000055")
    with app.app_context():
        assert BusinessMember.objects(user_id=signed["user"]["id"]).count() == 0
        assert BusinessMember.objects.get(id=invited["memberId"]).user_id is None
    assert [row["id"] for row in mine(client, signed)["data"]] == [invited["memberId"]]


def test_invitations_one_person_sends_are_limited(make_app):
    app = make_app(INVITATIONS_PER_USER="2/hour")
    client = app.test_client()
    team = make_team(app)
    assert [invite(client, team, f"+7916000007{n}").status_code for n in range(3)] == \
        [201, 201, 429]
    with app.app_context():
        assert BusinessMember.objects(invited_phone="+79160000072").count() == 0
