"""The widget's page in the cabinet: who may see and change it, validation, the secret shown
once, and the audit log."""

import re

import pytest

from app.businesses import widget_settings
from app.models import AuditEntry, BusinessMember, BusinessSettings
from tests.admin.cabinet_world import (
    MANAGER,
    OPERATOR,
    OWNER,
    audit,
    post,
    sign_in,
    world,  # noqa: F401 - the fixture
)
from tests.admin.conftest import csrf_token

FORM = {"color": "#ff8800", "position": "left", "launcher_text": "Напишите нам",
        "away_message": "Мы ответим утром.",
        "allowed_origins": "https://shop.example\nshop2.example/\n\nhttp://localhost:8000",
        "identity_required": "y"}


def widget_of(business_id):
    return BusinessSettings.objects.get(business_id=business_id).widget


def test_the_owner_saves_the_settings_and_the_change_is_audited(app, sms, world):  # noqa: F811
    owner = sign_in(app, sms, OWNER)
    url = f"/cabinet/b/{world['a']}/widget"
    response = post(owner, url, FORM)
    assert response.status_code == 303, response.get_data(as_text=True)
    widget = widget_of(world["a"])
    assert (widget.color, widget.position, widget.launcher_text) == ("#ff8800", "left",
                                                                      "Напишите нам")
    assert widget.away_message == "Мы ответим утром."
    assert widget.allowed_origins == ["https://shop.example", "https://shop2.example",
                                      "http://localhost:8000"]
    assert widget.identity_required is True
    [entry] = audit("update", "widget_settings")
    assert entry.business_id == world["a"] and entry.actor_id == world["owner"]
    assert entry.changes["color"] == {"before": "#2563eb", "after": "#ff8800"}
    assert entry.changes["allowedOrigins"]["after"][1] == "https://shop2.example"
    assert entry.changes["identityRequired"] == {"before": False, "after": True}

    html = owner.get(url).get_data(as_text=True)
    assert "The widget&#39;s settings are saved." in html
    assert 'value="#ff8800"' in html and "https://shop2.example" in html
    # The snippet with the slug and the public address filled in.
    assert ('&lt;script src=&#34;http://bank.test/widget.js&#34; data-business=&#34;coffee-a'
            '&#34; async&gt;&lt;/script&gt;') in html
    post(owner, url, FORM)  # saving the same again changes nothing: no second entry
    assert len(audit("update", "widget_settings")) == 1


@pytest.mark.parametrize("changes, message", [
    ({"color": "red"}, "A colour is written like #2563eb."),
    ({"position": "top"}, "Not a valid choice"),
    ({"launcher_text": "х" * 41}, "At most 40 characters."),
    ({"away_message": "х" * 1001}, "At most 1000 characters."),
    ({"allowed_origins": "https://shop.example/path"}, "Enter a website address like"),
    ({"allowed_origins": "javascript:alert(1)"}, "Enter a website address like"),
    ({"allowed_origins": "\n".join(f"https://s{i}.example" for i in range(21))},
     "At most 20 websites."),
])
def test_refusals_are_shown_and_change_nothing(app, sms, world, changes, message):  # noqa: F811
    owner = sign_in(app, sms, OWNER)
    owner.get(f"/cabinet/b/{world['a']}/widget")  # the settings exist with their defaults
    before = BusinessSettings.objects.get(business_id=world["a"]).to_mongo().to_dict()
    response = post(owner, f"/cabinet/b/{world['a']}/widget", {**FORM, **changes})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert BusinessSettings.objects.get(business_id=world["a"]).to_mongo().to_dict() == before
    assert audit("update", "widget_settings") == []


def test_the_owner_sets_the_launchers_distance_from_the_bottom(app, sms, world):  # noqa: F811
    owner = sign_in(app, sms, OWNER)
    url = f"/cabinet/b/{world['a']}/widget"
    html = owner.get(url).get_data(as_text=True)
    # A number field with its label, its range and the default filled in.
    assert '<label for="bottom_offset">Distance from the bottom of the screen, px</label>' in html
    field = re.search(r'<input[^>]*id="bottom_offset"[^>]*>', html).group(0)
    for attribute in ('type="number"', 'min="0"', 'max="400"', 'value="20"'):
        assert attribute in field, field
    assert "From 0 to 400 pixels; 20 when empty." in html

    assert post(owner, url, {**FORM, "bottom_offset": " 96 "}).status_code == 303
    assert widget_of(world["a"]).bottom_offset == 96
    [entry] = audit("update", "widget_settings")
    assert entry.changes["bottomOffset"] == {"before": 20, "after": 96}
    assert 'value="96"' in owner.get(url).get_data(as_text=True)
    config = app.test_client().get("/api/widget/coffee-a/config").get_json()["data"]
    assert config["appearance"]["bottomOffset"] == 96  # what the loader reads

    assert post(owner, url, {**FORM, "bottom_offset": ""}).status_code == 303
    assert widget_of(world["a"]).bottom_offset is None  # empty: the default again
    assert 'value="20"' in owner.get(url).get_data(as_text=True)


@pytest.mark.parametrize("typed", ["-1", "401", "12.5", "abc", "96px", "1e3"])
def test_a_bad_distance_is_refused_next_to_its_field(app, sms, world, typed):  # noqa: F811
    owner = sign_in(app, sms, OWNER)
    url = f"/cabinet/b/{world['a']}/widget"
    post(owner, url, {**FORM, "bottom_offset": "50"})
    before = BusinessSettings.objects.get(business_id=world["a"]).to_mongo().to_dict()
    response = post(owner, url, {**FORM, "color": "#000000", "bottom_offset": typed})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = re.search(r'<input[^>]*id="bottom_offset"[^>]*>\s*<small[^>]*>[^<]*</small>\s*'
                      r'<div class="invalid-feedback d-block">([^<]*)</div>', html)
    assert field.group(1) == ("The distance from the bottom is a whole number of pixels from 0 "
                              "to 400.")
    assert "is-invalid" in field.group(0)
    assert BusinessSettings.objects.get(business_id=world["a"]).to_mongo().to_dict() == before


def test_every_control_on_the_page_has_a_label(app, sms, world):  # noqa: F811
    """Each input, select and textarea is named: by a <label for>, aria-label or
    aria-labelledby pointing at an element that exists (the snippet, the new secret)."""
    owner = sign_in(app, sms, OWNER)
    url = f"/cabinet/b/{world['a']}/widget"
    pages = [owner.get(url).get_data(as_text=True),
             post(owner, f"{url}/secret", page_url=url).get_data(as_text=True)]
    for html in pages:
        controls = re.findall(r"<(?:input|select|textarea)\b[^>]*>", html)
        named = 0
        for control in controls:
            if re.search(r'type="(?:hidden|submit|button)"', control):
                continue
            control_id = re.search(r'\bid="([^"]+)"', control)
            by = re.search(r'aria-labelledby="([^"]+)"', control)
            assert (control_id and re.search(rf'<label[^>]*for="{control_id.group(1)}"', html)
                    or "aria-label=" in control
                    or by and f'id="{by.group(1)}"' in html), control
            named += 1
        assert named >= 8
    assert 'id="snippet"' in pages[0] and 'id="new-secret"' in pages[1]


def test_the_team_may_look_but_only_settings_managers_may_change(app, sms, world):  # noqa: F811
    base = f"/cabinet/b/{world['a']}/widget"
    operator = sign_in(app, sms, OPERATOR)
    page = operator.get(base)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="snippet"' in html and 'id="save-widget"' not in html
    assert 'id="rotate-secret"' not in html and "<fieldset disabled>" in html
    assert f'href="{base}"' in operator.get(f"/cabinet/b/{world['a']}/").get_data(as_text=True)
    token = csrf_token(page)
    assert operator.post(base, data={"csrf_token": token, **FORM}).status_code == 403
    assert operator.post(f"{base}/secret", data={"csrf_token": token}).status_code == 403
    assert not widget_of(world["a"]).identity_secret
    assert AuditEntry.objects.count() == 0

    # A manager given canManageSettings may.
    BusinessMember.objects(business_id=world["a"], user_id=world["manager"]).update_one(
        set__permissions={"canManageSettings": True})
    manager = sign_in(app, sms, MANAGER)
    assert post(manager, base, {**FORM, "color": "#000000"}).status_code == 303
    assert widget_of(world["a"]).color == "#000000"


def test_the_secret_is_shown_once_and_replaced_by_rotation(app, sms, world):  # noqa: F811
    owner = sign_in(app, sms, OWNER)
    base = f"/cabinet/b/{world['a']}/widget"
    assert "No secret yet" in owner.get(base).get_data(as_text=True)
    first = post(owner, f"{base}/secret", page_url=base)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "no-store"
    shown = re.search(r'id="new-secret" value="([0-9a-f]{64})"', first.get_data(as_text=True))
    secret = shown.group(1)
    widget = widget_of(world["a"])
    assert widget.identity_secret == secret
    assert widget_settings.verify_identity(widget, "customer-42",
                                           widget_settings.sign(secret, "customer-42"))

    later = owner.get(base).get_data(as_text=True)
    assert secret not in later and 'id="new-secret"' not in later
    assert "A secret is set." in later

    second = post(owner, f"{base}/secret", page_url=base).get_data(as_text=True)
    new_secret = re.search(r'id="new-secret" value="([0-9a-f]{64})"', second).group(1)
    assert new_secret != secret
    widget = widget_of(world["a"])
    assert not widget_settings.verify_identity(widget, "customer-42",
                                               widget_settings.sign(secret, "customer-42"))
    entries = audit("rotate_secret", "widget_settings")
    assert len(entries) == 2
    assert entries[0].changes["identitySecret"]["before"] is None
    assert entries[1].changes["identitySecret"]["before"] == \
        entries[0].changes["identitySecret"]["after"]
    logged = str([entry.to_mongo().to_dict() for entry in AuditEntry.objects])
    assert secret not in logged and new_secret not in logged


def test_forms_without_a_valid_csrf_token_change_nothing(app, sms, world):  # noqa: F811
    owner = sign_in(app, sms, OWNER)
    base = f"/cabinet/b/{world['a']}/widget"
    owner.get(base)
    before = BusinessSettings.objects.get(business_id=world["a"]).to_mongo().to_dict()
    for url in (base, f"{base}/secret"):
        response = owner.post(url, data={"csrf_token": "forged", **FORM})
        assert response.status_code == 400
        assert "The form has expired" in response.get_data(as_text=True)
    assert BusinessSettings.objects.get(business_id=world["a"]).to_mongo().to_dict() == before
    assert AuditEntry.objects.count() == 0


def test_the_page_shows_the_business_hours_with_a_link_to_the_bot(app, sms, world):  # noqa: F811
    owner = sign_in(app, sms, OWNER)
    base = f"/cabinet/b/{world['a']}"
    assert "No business hours are set" in owner.get(f"{base}/widget").get_data(as_text=True)
    post(owner, f"{base}/bot", {"timezone": "Europe/Moscow", "mon": "09:00-18:00"})
    html = owner.get(f"{base}/widget").get_data(as_text=True)
    assert "Europe/Moscow" in html and "09:00-18:00" in html
    assert f'href="{base}/bot" id="hours-link"' in html
