"""Phones in the back office are shown in full to support and superadmin only: every view of
/admin, every record's details and every CSV export is read by each platform role, over
data where phones stand in every place they can (a person without a name, an invitation, the
SMS log, the audit log's "who" and its fields, a report about a person)."""

import re

import pytest

from app.accounts import platform_roles, users
from app.backoffice import reports
from app.lib import audit
from app.models import BusinessMember
from tests.factories import business, person

NAMELESS = "+79031112233"  # a customer without a name
INVITED = "+79034445566"  # invited to a team, no account yet
PHONES = (NAMELESS, INVITED)


@pytest.fixture
def world(app, sms, client):
    owner = person(app, "+79030000001", "Анна")
    shop = business(app, owner, "Кофейня", slug="coffee")
    customer = person(app, NAMELESS)
    with app.app_context():
        BusinessMember(business_id=shop.id, invited_phone=INVITED, role="operator",
                       invited_by=owner.id).save()
        audit.record("cabinet", customer, "invite", "member", "mbr_1",
                     {"phone": {"before": None, "after": INVITED}}, business_id=shop.id)
        reports.create(owner, "user", customer.id, "spam")
    client.post("/api/auth/send-code", json={"phone": NAMELESS})  # an SMS log entry
    return shop


def pages(app, client):
    """Every page a staff member can open: each view, each record's details, each export."""
    # The dead letters need RabbitMQ; they hold mms3's events, not people's records.
    urls = [view.url.rstrip("/") + "/" for view in app.extensions["back_office"]._views
            if view.endpoint != "admin_dead_letters"]
    found = []
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        found.append((url, html))
        for details in sorted(set(re.findall(r'href="(/admin/[^"]*/details/\?[^"]+)"', html))):
            found.append((details, client.get(details.replace("&amp;", "&")).get_data(
                as_text=True)))
        if "/export/csv/" in html:
            export = client.get(url.rstrip("/") + "/export/csv/")
            assert export.status_code == 200, url
            found.append((url + "export/csv/", export.get_data(as_text=True)))
    return found


@pytest.mark.parametrize("role", ["superadmin", "moderator", "support"])
def test_each_role_sees_phones_in_full_only_if_its_role_may(app, world, staff_client, role):
    seen = pages(app, staff_client(role))
    assert len(seen) > 20  # every view, the records listed on it, the exports
    everything = "\n".join(text for _url, text in seen)
    may = platform_roles.SEE_PHONES in platform_roles.CAPABILITIES[role]
    for phone in PHONES:
        if may:
            assert phone in everything
        else:
            leaks = [url for url, text in seen if phone in text]
            assert leaks == [], f"{phone} in full on {leaks}"
            assert platform_roles.mask_phone(phone) in everything
    # The places the review found: the audit log (page and CSV) and the business's details.
    audit_pages = [text for url, text in seen if url.startswith("/admin/audit")]
    assert any(platform_roles.mask_phone(NAMELESS) in text or NAMELESS in text
               for text in audit_pages)
    details = [text for url, text in seen if url.startswith("/admin/businesses/details")]
    assert details and all((INVITED in text) == may for text in details)


def test_the_sign_in_page_keeps_the_phone_typed_into_it(app, client, sms):
    with app.app_context():
        users.grant_platform_role("+79150000002", "moderator")
    page = client.get("/admin/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(
        as_text=True)).group(1)
    sent = client.post("/admin/login", data={"step": "phone", "phone": "+79150000002",
                                             "csrf_token": token})
    assert 'value="+79150000002"' in sent.get_data(as_text=True)
