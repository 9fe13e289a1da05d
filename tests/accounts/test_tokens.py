"""Access and refresh tokens: rotation, reuse detection, logout, blocked users."""

import uuid

from app.models import User

PHONE = "+79161234567"


def test_me_needs_a_token(client):
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_garbage_token_is_401(client, auth):
    response = client.get("/api/me", headers=auth.bearer("not.a.jwt"))
    assert response.status_code == 401


def test_refresh_rotates_and_the_new_pair_works(client, auth):
    first = auth.sign_in(PHONE)
    response = client.post("/api/auth/refresh", headers=auth.bearer(first["refreshToken"]))
    assert response.status_code == 200
    second = response.get_json()["data"]
    assert second["refreshToken"] != first["refreshToken"]
    assert client.get("/api/me", headers=auth.bearer(second["accessToken"])).status_code == 200
    again = client.post("/api/auth/refresh", headers=auth.bearer(second["refreshToken"]))
    assert again.status_code == 200


def test_an_access_token_cannot_refresh(client, auth):
    tokens = auth.sign_in(PHONE)
    response = client.post("/api/auth/refresh", headers=auth.bearer(tokens["accessToken"]))
    assert response.status_code == 401


def test_a_refresh_token_cannot_read_me(client, auth):
    tokens = auth.sign_in(PHONE)
    assert client.get("/api/me", headers=auth.bearer(tokens["refreshToken"])).status_code == 401


def test_reusing_an_old_refresh_token_revokes_the_whole_family(client, auth):
    first = auth.sign_in(PHONE)
    second = client.post("/api/auth/refresh",
                         headers=auth.bearer(first["refreshToken"])).get_json()["data"]
    reuse = client.post("/api/auth/refresh", headers=auth.bearer(first["refreshToken"]))
    assert reuse.status_code == 401
    assert reuse.get_json()["error"]["code"] == "token_reused"
    # Everything issued in that family is dead now, the thief's and the owner's alike.
    assert client.post("/api/auth/refresh",
                       headers=auth.bearer(second["refreshToken"])).status_code == 401
    assert client.get("/api/me", headers=auth.bearer(second["accessToken"])).status_code == 401
    assert client.get("/api/me", headers=auth.bearer(first["accessToken"])).status_code == 401


def test_other_sessions_survive_a_reuse_in_one_family(client, auth):
    phone_session = auth.sign_in(PHONE)
    laptop = auth.sign_in(PHONE)
    client.post("/api/auth/refresh", headers=auth.bearer(phone_session["refreshToken"]))
    client.post("/api/auth/refresh", headers=auth.bearer(phone_session["refreshToken"]))
    assert client.get("/api/me", headers=auth.bearer(laptop["accessToken"])).status_code == 200


def test_logout_revokes_access_and_refresh_tokens(client, auth):
    tokens = auth.sign_in(PHONE)
    response = client.post("/api/auth/logout", headers=auth.bearer(tokens["accessToken"]),
                           json={"refreshToken": tokens["refreshToken"]})
    assert response.status_code == 200
    me = client.get("/api/me", headers=auth.bearer(tokens["accessToken"]))
    assert me.status_code == 401
    assert me.get_json()["error"]["code"] == "token_revoked"
    refresh = client.post("/api/auth/refresh", headers=auth.bearer(tokens["refreshToken"]))
    assert refresh.status_code == 401


def test_logout_without_body_ends_the_whole_session(client, auth):
    """The access token carries its family: without the refresh token in the body the
    session ends all the same (the review found the refresh token still refreshing)."""
    tokens = auth.sign_in(PHONE)
    assert client.post("/api/auth/logout",
                       headers=auth.bearer(tokens["accessToken"])).status_code == 200
    assert client.get("/api/me", headers=auth.bearer(tokens["accessToken"])).status_code == 401
    refresh = client.post("/api/auth/refresh", headers=auth.bearer(tokens["refreshToken"]))
    assert refresh.status_code == 401
    assert refresh.get_json()["error"]["code"] == "token_revoked"


def test_logout_refuses_someone_elses_refresh_token(client, auth):
    mine = auth.sign_in(PHONE)
    theirs = auth.sign_in("+79167654321")
    response = client.post("/api/auth/logout", headers=auth.bearer(mine["accessToken"]),
                           json={"refreshToken": theirs["refreshToken"]})
    assert response.status_code == 422
    assert client.post("/api/auth/refresh",
                       headers=auth.bearer(theirs["refreshToken"])).status_code == 200
    # Refused, it ended nothing: my own session goes on.
    assert client.get("/api/me", headers=auth.bearer(mine["accessToken"])).status_code == 200


def test_blocking_a_user_stops_their_tokens_at_once(app, client, auth):
    tokens = auth.sign_in(PHONE)
    with app.app_context():
        User.objects(phone=PHONE).update_one(set__is_blocked=True)
    response = client.get("/api/me", headers=auth.bearer(tokens["accessToken"]))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "user_blocked"


def test_revocation_uses_redis_when_configured(make_app, sms):
    import redis

    prefix = f"bank-test-{uuid.uuid4().hex[:8]}"  # runs never see each other's limits
    app = make_app(REDIS_URL="redis://127.0.0.1:6379/15", REDIS_KEY_PREFIX=prefix)
    client = app.test_client()
    from tests.conftest import AuthActions

    auth = AuthActions(client, sms)
    tokens = auth.sign_in(PHONE)
    client.post("/api/auth/logout", headers=auth.bearer(tokens["accessToken"]))
    server = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    assert server.keys(f"{prefix}:revoked:jti:*"), "the revoked token should be in Redis"
    assert client.get("/api/me", headers=auth.bearer(tokens["accessToken"])).status_code == 401
    server.delete(*server.keys(f"{prefix}*"))


def test_an_expired_access_token_is_refused_even_after_it_was_used(client, auth, monkeypatch):
    import time

    tokens = auth.sign_in(PHONE)
    headers = auth.bearer(tokens["accessToken"])
    assert client.get("/api/me", headers=headers).status_code == 200  # verified, remembered
    later = time.time() + 15 * 60 + 1
    monkeypatch.setattr("app.api.guard.time.time", lambda: later)
    response = client.get("/api/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "token_expired"


def test_a_token_signed_with_another_key_is_refused(client, auth):
    import jwt

    tokens = auth.sign_in(PHONE)
    claims = jwt.decode(tokens["accessToken"], options={"verify_signature": False})
    forged = jwt.encode(claims, "not-our-key-" * 4, algorithm="HS256")
    response = client.get("/api/me", headers=auth.bearer(forged))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "token_invalid"
