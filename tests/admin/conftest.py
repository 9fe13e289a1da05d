"""Signing in to /admin and /cabinet as a person would: the login form, its CSRF token,
the code from the SMS."""

import re

import pytest

from app import clock
from app.accounts import users

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(response):
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


def sign_in(client, sms, phone, area="admin"):
    """Sign `client` in at /<area>/login; returns the last response."""
    page = client.get(f"/{area}/login")
    sent = client.post(f"/{area}/login", data={
        "step": "phone", "phone": phone, "csrf_token": csrf_token(page)})
    assert 'name="code"' in sent.get_data(as_text=True), sent.get_data(as_text=True)[:500]
    clock.advance(61)  # a later sign-in of this phone is not "too soon"
    return client.post(f"/{area}/login", data={
        "step": "code", "phone": phone, "code": sms.last_code(phone),
        "csrf_token": csrf_token(sent)})


ROLE_PHONES = {"superadmin": "+79150000001", "moderator": "+79150000002",
               "support": "+79150000003", "nobody": "+79150000004"}


@pytest.fixture
def staff_client(app, sms):
    """staff_client("moderator") -> a test client signed in to /admin with that role
    ("nobody": a signed-in person without any platform role; None: anonymous)."""
    def make(role):
        client = app.test_client()
        if role is None:
            return client
        phone = ROLE_PHONES[role]
        with app.app_context():
            if role == "nobody":
                users.ensure_user(phone)
            else:
                users.grant_platform_role(phone, role)
        response = sign_in(client, sms, phone)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client
    return make


# The cabinet tests' two businesses (a fixture defined next to their helpers).
from tests.admin.cabinet_world import world  # noqa: E402, F401


@pytest.fixture
def inbox(app, world):  # noqa: F811 (world is the fixture imported above)
    """A dialog of the first business's customer, for the inbox tests."""
    from tests.admin.inbox_world import make_inbox

    return make_inbox(app, world)
