"""After signing in at /admin/login or /cabinet/login the person goes back to `next` only
when it is a path of this site, by the one rule the public pages use too: a tab or a newline
that browsers drop ("/\\t/evil.example" is "//evil.example" to them) sends them home
instead, and never makes the answer fail once the code is spent."""

import pytest

from app import clock
from app.accounts import users
from tests.admin.conftest import csrf_token

PHONE = "+79150000001"
HOSTILE = ["/\t/evil.example/phish", "/\n/evil.example/phish", "/\r\nSet-Cookie: x=1",
           "//evil.example", "/\\evil.example", "https://evil.example/"]


def signed_in_with_next(app, sms, area, target):
    client = app.test_client()
    with app.app_context():
        users.grant_platform_role(PHONE, "superadmin")
    page = client.get(f"/{area}/login", query_string={"next": target})
    sent = client.post(f"/{area}/login", data={"step": "phone", "phone": PHONE, "next": target,
                                              "csrf_token": csrf_token(page)})
    clock.advance(61)
    return client.post(f"/{area}/login", data={
        "step": "code", "phone": PHONE, "code": sms.last_code(PHONE), "next": target,
        "csrf_token": csrf_token(sent)})


@pytest.mark.parametrize("area", ["admin", "cabinet"])
@pytest.mark.parametrize("target", HOSTILE)
def test_a_hostile_next_sends_the_person_home(app, sms, area, target):
    answer = signed_in_with_next(app, sms, area, target)
    assert answer.status_code == 302
    assert answer.headers["Location"] in (f"/{area}/", f"http://bank.test/{area}/")
    assert "evil" not in answer.headers["Location"]


@pytest.mark.parametrize("area", ["admin", "cabinet"])
def test_a_path_of_the_site_is_where_the_person_goes_back(app, sms, area):
    answer = signed_in_with_next(app, sms, area, f"/{area}/?page=2")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/{area}/?page=2")
