"""The cabinet as an app of its own (admin/cabinet/pwa.py): its manifest, its service worker
scoped to the cabinet, its start page (the inbox of the business last used); and handing a
dialog to a colleague from the inbox."""

import io
import json
import re

from PIL import Image

from app.models import BusinessMember
from tests.admin.cabinet_world import OPERATOR, OWNER, audit, post, sign_in
from tests.admin.inbox_world import conversation, flashed


def test_the_cabinet_has_a_manifest_of_its_own(client):
    response = client.get("/cabinet/manifest.webmanifest", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert (manifest["id"], manifest["scope"], manifest["start_url"]) == (
        "/cabinet/", "/cabinet/", "/cabinet/app")
    assert manifest["display"] == "standalone" and manifest["lang"] == "en"
    assert manifest["name"] and manifest["short_name"] and manifest["description"]
    icons = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"),
            ("512x512", "maskable")} <= icons
    for icon in manifest["icons"]:
        fetched = client.get(icon["src"])
        assert fetched.status_code == 200
        assert "x".join(map(str, Image.open(io.BytesIO(fetched.data)).size)) == icon["sizes"]
    russian = client.get("/cabinet/manifest.webmanifest", headers={"Accept-Language": "ru"})
    assert json.loads(russian.get_data(as_text=True))["name"] != manifest["name"]


def test_its_service_worker_is_scoped_to_the_cabinet_and_loads_the_push_code(client):
    response = client.get("/cabinet/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/cabinet/"
    assert response.headers["Cache-Control"] == "no-cache"
    again = client.get("/cabinet/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    source = response.get_data(as_text=True)
    [push_script] = re.findall(r'var PUSH_SCRIPT = "([^"]+)";', source)
    assert push_script.startswith("/static/js/sw-push.js?v=")
    pushed = client.get(push_script).get_data(as_text=True)
    assert 'addEventListener("push"' in pushed and 'addEventListener("notificationclick"' in pushed
    # The site's worker loads the same code; each keeps its own caches.
    assert push_script in client.get("/sw.js").get_data(as_text=True)
    assert re.search(r'var CACHE = "cabinet-" \+ VERSION', source)


def test_the_pages_link_the_manifest(app, sms, world, inbox):
    owner = sign_in(app, sms, OWNER)
    html = owner.get(inbox.base).get_data(as_text=True)
    assert '<link rel="manifest" href="/cabinet/manifest.webmanifest">' in html
    assert "interactive-widget=resizes-content" in html


def test_the_app_opens_on_the_inbox_of_the_business_last_used(app, client, sms, world, inbox):
    signed_out = client.get("/cabinet/app")
    assert signed_out.status_code == 302 and signed_out.headers["Location"].endswith("/cabinet/")
    operator = sign_in(app, sms, OPERATOR)
    first = operator.get("/cabinet/app")
    assert first.headers["Location"].endswith("/cabinet/")  # no business used yet: the list
    operator.get(f"/cabinet/b/{world['a']}/team")
    opened = operator.get("/cabinet/app")
    assert opened.headers["Location"].endswith(f"/cabinet/b/{world['a']}/inbox")
    # Someone who left the team is not sent to its inbox.
    BusinessMember.objects(business_id=world["a"], user_id=world["operator"]).update(
        set__is_active=False)
    assert operator.get("/cabinet/app").headers["Location"].endswith("/cabinet/")


def test_a_lead_hands_a_dialog_to_a_colleague_from_the_inbox(app, sms, world, inbox):
    owner = sign_in(app, sms, OWNER)
    page = owner.get(inbox.page).get_data(as_text=True)
    assert 'id="hand-over-to"' in page and f'value="{world["operator"]}"' in page
    assert f'value="{world["owner"]}"' not in page  # "take" is for oneself
    handed = post(owner, f"{inbox.url}/assign", {"assignee": world["operator"]},
                  page_url=inbox.page)
    assert handed.status_code == 303
    assert "The dialog is handed over." in flashed(owner, handed)
    stored = conversation(inbox)
    assert stored.assigned_to == world["operator"] and world["operator"] in stored.participants
    [entry] = audit("assign", "dialog")
    assert entry.changes["assigned_to"]["after"] == world["operator"]


def test_an_operator_cannot_hand_a_dialog_out_nor_see_the_control(app, sms, world, inbox):
    operator = sign_in(app, sms, OPERATOR)
    page = operator.get(inbox.page).get_data(as_text=True)
    assert 'id="hand-over-to"' not in page and 'id="take"' in page
    refused = post(operator, f"{inbox.url}/assign", {"assignee": world["owner"]},
                   page_url=inbox.page)
    assert "Only the owner or a manager can do this." in flashed(operator, refused)
    assert conversation(inbox).assigned_to is None
