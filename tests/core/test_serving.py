"""The README's walk-through against the real server: gunicorn with gunicorn.conf.py serving
wsgi:app on the embedded store, driven over HTTP, then restarted."""

import os
from functools import partial

import pytest
import requests

from tests.live_server import running_server

# Every call in the walk-through has a timeout, so a hung server fails the test.
get, post, put = (partial(requests.request, verb, timeout=30) for verb in ("GET", "POST", "PUT"))


@pytest.fixture
def server(tmp_path):
    if os.environ.get("MONGODB_URI"):
        pytest.skip("this walk-through is of the embedded defaults; MONGODB_URI is set")
    with running_server(tmp_path) as live:  # `flask migrate` only
        yield live


def test_sign_in_walk_through_and_restart(server):
    base, phone = server.base, "+79123456789"
    sent = post(f"{base}/api/auth/send-code", json={"phone": "8 912 345-67-89"})
    assert sent.status_code == 200 and sent.json()["data"]["phone"] == phone
    verified = post(f"{base}/api/auth/verify-code",
                             json={"phone": phone, "code": server.code_for(phone)})
    assert verified.status_code == 200
    tokens = verified.json()["data"]
    bearer = {"Authorization": f"Bearer {tokens['accessToken']}"}

    me = get(f"{base}/api/me", headers=bearer).json()["data"]
    renamed = put(f"{base}/api/users/{me['id']}", json={"name": "Анна"}, headers=bearer)
    assert renamed.json()["data"]["name"] == "Анна"

    refreshed = post(f"{base}/api/auth/refresh",
                              headers={"Authorization": f"Bearer {tokens['refreshToken']}"})
    assert refreshed.status_code == 200
    fresh = refreshed.json()["data"]
    fresh_bearer = {"Authorization": f"Bearer {fresh['accessToken']}"}
    out = post(f"{base}/api/auth/logout", headers=fresh_bearer,
                        json={"refreshToken": fresh["refreshToken"]})
    assert out.status_code == 200
    assert get(f"{base}/api/me", headers=fresh_bearer).status_code == 401
    assert post(f"{base}/api/auth/refresh", headers={
        "Authorization": f"Bearer {fresh['refreshToken']}"}).status_code == 401

    server.stop()
    server.start()
    profile = get(f"{base}/api/users/{me['id']}")
    assert profile.status_code == 200 and profile.json()["data"]["name"] == "Анна"
