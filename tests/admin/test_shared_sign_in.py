"""One sign-in for the site and the cabinet: each half opens the other without a second SMS,
signing out of either ends both, nothing travels in a URL, and a sign-in form that must wait
for a new code says for how long."""

import re

from app import clock
from tests.admin.conftest import csrf_token
from tests.admin.conftest import sign_in as sign_in_at

PHONE = "+79160001122"
FETCH = {"X-Requested-With": "fetch"}


def cabinet_home(client):
    return client.get("/cabinet/")


def test_the_sites_sign_in_opens_the_cabinet_without_a_second_sms(app, client, auth, sms):
    pair = auth.sign_in(PHONE)
    sent = len(sms.messages(PHONE))
    assert cabinet_home(client).status_code == 302  # the site's tokens alone open nothing
    opened = client.post("/cabinet/session", headers=auth.bearer(pair["accessToken"]))
    assert opened.status_code == 200
    assert opened.get_json()["data"]["user"]["id"] == pair["user"]["id"]
    assert cabinet_home(client).status_code == 200
    assert len(sms.messages(PHONE)) == sent


def test_only_a_valid_access_token_opens_the_cabinet(app, client, auth):
    pair = auth.sign_in(PHONE)
    for headers in ({}, auth.bearer("not-a-token"), auth.bearer(pair["refreshToken"])):
        refused = client.post("/cabinet/session", headers=headers)
        assert refused.status_code in (401, 422), headers
        assert refused.get_json()["error"]["code"]
        assert cabinet_home(client).status_code == 302
    # Signed out on the site, its old access token opens nothing either.
    client.post("/api/auth/logout", json={"refreshToken": pair["refreshToken"]},
                headers=auth.bearer(pair["accessToken"]))
    assert client.post("/cabinet/session",
                       headers=auth.bearer(pair["accessToken"])).status_code == 401
    assert cabinet_home(client).status_code == 302
    # The token is only ever read from the header: a query string opens nothing.
    assert client.post(f"/cabinet/session?access_token={pair['accessToken']}").status_code == 401


def test_the_cabinets_sign_in_gives_the_site_its_tokens_only_to_our_own_script(app, sms):
    client = app.test_client()
    anonymous = client.post("/cabinet/session/tokens", headers=FETCH)
    assert anonymous.status_code == 401
    assert sign_in_at(client, sms, PHONE, "cabinet").status_code == 302
    # A form posted from another site cannot set the header; a cross-site fetch says so.
    assert client.post("/cabinet/session/tokens").status_code == 403
    assert client.post("/cabinet/session/tokens",
                       headers={**FETCH, "Sec-Fetch-Site": "cross-site"}).status_code == 403
    given = client.post("/cabinet/session/tokens", headers=FETCH)
    assert given.status_code == 200
    pair = given.get_json()["data"]
    me = client.get("/api/me", headers={"Authorization": f"Bearer {pair['accessToken']}"})
    assert me.status_code == 200 and me.get_json()["data"]["phone"] == PHONE


def test_signing_out_of_the_cabinet_signs_out_of_the_site(app, sms):
    client = app.test_client()
    sign_in_at(client, sms, PHONE, "cabinet")
    pair = client.post("/cabinet/session/tokens", headers=FETCH).get_json()["data"]
    page = cabinet_home(client)
    out = client.post("/cabinet/logout", data={"csrf_token": csrf_token(page)})
    assert out.status_code == 302
    bearer = {"Authorization": f"Bearer {pair['accessToken']}"}
    assert client.get("/api/me", headers=bearer).status_code == 401
    refreshed = client.post("/api/auth/refresh",
                            headers={"Authorization": f"Bearer {pair['refreshToken']}"})
    assert refreshed.status_code == 401
    assert cabinet_home(client).status_code == 302


def test_signing_out_of_the_site_signs_out_of_the_cabinet(app, client, auth):
    pair = auth.sign_in(PHONE)
    client.post("/cabinet/session", headers=auth.bearer(pair["accessToken"]))
    assert cabinet_home(client).status_code == 200
    client.post("/api/auth/logout", json={"refreshToken": pair["refreshToken"]},
                headers=auth.bearer(pair["accessToken"]))
    assert cabinet_home(client).status_code == 302


def test_another_sign_in_of_the_same_person_is_not_ended(app, client, auth, sms):
    """Signing out on one phone leaves the person's other devices signed in."""
    laptop = auth.sign_in(PHONE)
    client.post("/cabinet/session", headers=auth.bearer(laptop["accessToken"]))
    phone_client = app.test_client()
    sign_in_at(phone_client, sms, PHONE, "cabinet")
    client.post("/api/auth/logout", json={"refreshToken": laptop["refreshToken"]},
                headers=auth.bearer(laptop["accessToken"]))
    assert cabinet_home(client).status_code == 302
    assert cabinet_home(phone_client).status_code == 200


def test_a_sign_in_that_must_wait_shows_the_code_step_and_the_seconds_left(app, client, auth,
                                                                          sms):
    client.set_cookie("lang", "en")
    auth.send_code(PHONE)  # on the site, a moment ago
    clock.advance(20)
    page = client.get("/cabinet/login")
    answer = client.post("/cabinet/login", data={
        "step": "phone", "phone": PHONE, "csrf_token": csrf_token(page)})
    html = answer.get_data(as_text=True)
    assert 'name="code"' in html  # the code sent on the site works here
    wait = int(re.search(r'data-countdown="(\d+)"', html).group(1))
    assert 30 <= wait <= 40
    assert f"ask for a new one in {wait} s" in html
    # That code signs in here.
    signed = client.post("/cabinet/login", data={
        "step": "code", "phone": PHONE, "code": sms.last_code(PHONE),
        "csrf_token": csrf_token(answer)})
    assert signed.status_code == 302
    assert cabinet_home(client).status_code == 200


def test_an_open_session_is_reused_and_new_ones_are_bounded_per_person(app, client, auth):
    from app.models import WebSession

    app.config["CABINET_SESSIONS_PER_USER"] = "2/hour"
    pair = auth.sign_in(PHONE)
    bearer = auth.bearer(pair["accessToken"])
    for _ in range(5):  # each click on "Cabinet" asks again: the open session is kept
        assert client.post("/cabinet/session", headers=bearer).status_code == 200
    assert WebSession.objects.count() == 1
    # Without the cookie every call would store a new session: the third is refused.
    assert app.test_client().post("/cabinet/session", headers=bearer).status_code == 200
    refused = app.test_client().post("/cabinet/session", headers=bearer)
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"]
    assert WebSession.objects.count() == 2
