"""The cabinet tests' world: two businesses with their teams, and signing in at
/cabinet/login as a person would."""

import io

import pytest
from PIL import Image

from app.models import AuditEntry
from tests import factories

OWNER, OPERATOR, MANAGER, STRANGER, NEWBIE, OTHER_OWNER = (
    "+79160000011", "+79160000012", "+79160000013", "+79160000014", "+79160000015",
    "+79160000016")


def sign_in(app, sms, phone):
    """A test client signed in at /cabinet/login (the phone step, then the code from the SMS),
    showing its pages in English (the messages below are asserted in English)."""
    from tests.admin.conftest import sign_in as sign_in_at  # conftest imports this module

    client = app.test_client()
    client.set_cookie("lang", "en")
    done = sign_in_at(client, sms, phone, area="cabinet")
    assert done.status_code == 302, done.get_data(as_text=True)
    assert done.headers["Location"].endswith("/cabinet/")
    return client


def post(client, url, data=None, page_url=None, **kwargs):
    """POST a form with the CSRF token of the page it is on (`page_url`, else the URL)."""
    from tests.admin.conftest import csrf_token  # conftest imports this module

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
