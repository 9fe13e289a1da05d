"""The cabinet's team page with invitations that wait for consent and per-member permission
overrides: what an invitation shows (a masked phone, no name, its expiry), withdrawing one,
and the permissions form within the team's rules, each change in the audit log."""

import re

import pytest

from app import clock
from app.models import AuditEntry, BusinessMember
from tests import factories
from tests.admin.cabinet_world import MANAGER, NEWBIE, OPERATOR, OWNER, audit, post, sign_in

ALL_DEFAULT = {"can_reply": "default", "can_publish_channel": "default",
               "can_manage_members": "default", "can_manage_settings": "default"}


def team_url(world):
    return f"/cabinet/b/{world['a']}/team"


def member(world, who):
    return BusinessMember.objects.get(business_id=world["a"], user_id=world[who])


def set_permissions(client, world, who, follow=False, **states):
    return post(client, f"{team_url(world)}/{world[who]}/permissions",
                {**ALL_DEFAULT, **states}, page_url=team_url(world), follow_redirects=follow)


def row_of(html, phone):
    found = re.search(rf'<tr data-phone="{re.escape(phone)}".*?</tr>', html, re.S)
    assert found, f"no row for {phone}"
    return found.group(0)


# --- invitations ------------------------------------------------------------------------------

def test_an_invitation_shows_a_masked_phone_no_name_and_its_expiry(app, sms, world):
    factories.person(app, NEWBIE, "Нина Новикова")  # the phone has an account, with a name
    clock.freeze()
    owner = sign_in(app, sms, OWNER)
    invited = post(owner, f"{team_url(world)}/invite", {"phone": NEWBIE, "role": "viewer"},
                   page_url=team_url(world), follow_redirects=True)
    html = invited.get_data(as_text=True)
    assert "Invited +7916*****15." in html
    row = row_of(html, "+7916*****15")
    assert 'data-status="invited"' in row and "Invited" in row
    assert "Нина" not in html and NEWBIE not in html
    expiry = BusinessMember.objects.get(business_id=world["a"], invited_phone=NEWBIE).expires_at
    assert f"until {expiry.strftime('%b')} {expiry.day}, {expiry.year}" in row
    assert "Withdraw the invitation" in row and "Permissions" not in row


def test_an_expired_invitation_shows_as_expired_and_can_be_withdrawn(app, sms, world):
    owner = sign_in(app, sms, OWNER)
    post(owner, f"{team_url(world)}/invite", {"phone": NEWBIE, "role": "viewer"},
         page_url=team_url(world))
    clock.advance(8 * 24 * 3600)
    owner = sign_in(app, sms, OWNER)  # the session ended meanwhile
    row = row_of(owner.get(team_url(world)).get_data(as_text=True), "+7916*****15")
    assert 'data-status="expired"' in row and "Expired" in row
    invitation = BusinessMember.objects.get(business_id=world["a"], invited_phone=NEWBIE)
    withdrawn = post(owner, f"{team_url(world)}/invitations/{invitation.id}/withdraw",
                     page_url=team_url(world))
    assert withdrawn.status_code == 303
    invitation.reload()
    assert invitation.is_active is False
    assert "+7916*****15" not in owner.get(team_url(world)).get_data(as_text=True)
    [entry] = audit("withdraw_invitation", "member")
    assert entry.target_id == invitation.id


# --- permission overrides ---------------------------------------------------------------------

def test_the_owner_sets_and_clears_a_member_s_overrides(app, sms, world):
    owner = sign_in(app, sms, OWNER)
    html = owner.get(team_url(world)).get_data(as_text=True)
    assert f'action="/cabinet/b/{world["a"]}/team/{world["operator"]}/permissions"' in html
    assert f'/team/{world["owner"]}/permissions' not in html  # nobody's form for themselves

    done = set_permissions(owner, world, "operator", follow=True, can_publish_channel="on",
                           can_reply="off")
    assert "The permissions are changed." in done.get_data(as_text=True)
    assert member(world, "operator").permissions == {"canPublishChannel": True,
                                                     "canReply": False}
    [entry] = audit("change_permissions", "member")
    assert (entry.area, entry.actor_id, entry.business_id, entry.target_id) == (
        "cabinet", world["owner"], world["a"], member(world, "operator").id)
    assert entry.changes == {"canPublishChannel": {"before": "default", "after": "on"},
                             "canReply": {"before": "default", "after": "off"}}
    row = owner.get(team_url(world)).get_data(as_text=True)
    assert re.search(r'name="can_publish_channel"[^>]*>\s*<option value="default">[^<]*</option>'
                     r'\s*<option value="on" selected>', row)

    set_permissions(owner, world, "operator")  # all back to the role's
    assert member(world, "operator").permissions == {}
    assert len(audit("change_permissions", "member")) == 2
    set_permissions(owner, world, "operator")  # nothing to change: nothing written
    assert len(audit("change_permissions", "member")) == 2


def test_a_manager_grants_only_what_they_have_and_below_their_rank(app, sms, world):
    other_manager = factories.person(app, "+79160000019", "Марк")
    factories.member(app, world["a"], other_manager.id, "manager")
    manager = sign_in(app, sms, MANAGER)
    html = manager.get(team_url(world)).get_data(as_text=True)
    # The page offers "on" only for what the manager has (not the settings).
    operator_form = html[html.index(f'id="permissions-{member(world, "operator").id}"'):]
    operator_form = operator_form[:operator_form.index("</details>")]
    assert re.search(r'name="can_manage_settings".*?<option value="on" disabled>',
                     operator_form, re.S)
    assert f'/team/{other_manager.id}/permissions' not in html

    granted = set_permissions(manager, world, "operator", can_publish_channel="on")
    assert granted.status_code == 303
    assert member(world, "operator").permissions == {"canPublishChannel": True}

    refusals = (
        ("operator", {"can_manage_settings": "on"},
         "You cannot grant a permission you do not have."),
        ("owner", {"can_reply": "off"}, "The owner&#39;s role changes only by a transfer."),
        ("manager", {"can_reply": "off"}, "You cannot change your own role or permissions."),
    )
    for who, states, message in refusals:
        refused = set_permissions(manager, world, who, follow=True, can_publish_channel="on"
                                  if who == "operator" else "default", **states)
        assert message in refused.get_data(as_text=True), who
    refused = post(manager, f"{team_url(world)}/{other_manager.id}/permissions",
                   {**ALL_DEFAULT, "can_reply": "off"}, page_url=team_url(world),
                   follow_redirects=True)
    assert "You can only manage roles below your own." in refused.get_data(as_text=True)

    assert member(world, "operator").permissions == {"canPublishChannel": True}
    assert member(world, "owner").permissions == {}
    assert member(world, "manager").permissions == {}
    assert BusinessMember.objects.get(business_id=world["a"],
                                      user_id=other_manager.id).permissions == {}
    assert len(audit("change_permissions", "member")) == 1


def test_an_override_set_by_someone_else_stays_when_another_changes(app, sms, world):
    """The owner gave the operator the settings; the manager (who lacks them) may still turn
    the operator's replies off: the form changes only what was changed in it."""
    BusinessMember.objects(business_id=world["a"], user_id=world["operator"]).update_one(
        set__permissions={"canManageSettings": True})
    manager = sign_in(app, sms, MANAGER)
    done = set_permissions(manager, world, "operator", can_manage_settings="on",
                           can_reply="off")
    assert done.status_code == 303
    assert member(world, "operator").permissions == {"canManageSettings": True,
                                                     "canReply": False}
    [entry] = audit("change_permissions", "member")
    assert entry.changes == {"canReply": {"before": "default", "after": "off"}}


@pytest.mark.parametrize("states", [{"can_reply": "maybe"}, {"can_reply": None}])
def test_a_malformed_permissions_form_changes_nothing(app, sms, world, states):
    owner = sign_in(app, sms, OWNER)
    data = {key: value for key, value in {**ALL_DEFAULT, **states}.items() if value}
    refused = post(owner, f"{team_url(world)}/{world['operator']}/permissions", data,
                   page_url=team_url(world), follow_redirects=True)
    assert "Check the form and try again." in refused.get_data(as_text=True)
    assert member(world, "operator").permissions == {}
    assert AuditEntry.objects(action="change_permissions").count() == 0


def test_an_operator_cannot_change_permissions(app, sms, world):
    operator = sign_in(app, sms, OPERATOR)
    assert "/permissions" not in operator.get(team_url(world)).get_data(as_text=True)
    refused = set_permissions(operator, world, "manager", can_reply="off")
    assert refused.status_code == 403
    assert member(world, "manager").permissions == {}
