"""Sending and verifying sign-in codes: normalisation, expiry, tries, resends and limits."""

from app import clock
from app.models import SmsCode, User

PHONE = "+79161234567"


def verify(client, phone, code):
    return client.post("/api/auth/verify-code", json={"phone": phone, "code": code})


def wrong(code):
    return f"{(int(code) + 1) % 10**6:06d}"


def test_russian_formats_are_normalised_to_e164(client, auth, sms):
    for typed in ("8 916 123-45-67", "+7 (916) 123 45 67", "9161234567"):
        clock.advance(61)
        response = auth.send_code(typed)
        assert response.status_code == 200
        assert response.get_json()["data"]["phone"] == PHONE
    assert [to for to, _text in sms.messages()] == [PHONE] * 3


def test_invalid_phone_is_422_and_sends_nothing(client, auth, sms):
    for typed in ("12", "+7 916", "not a phone", "+1 555 0100", "8" * 40):
        response = auth.send_code(typed)
        assert response.status_code == 422, typed
        assert response.get_json()["error"]["code"] in ("invalid_phone", "validation_error")
    assert sms.messages() == []


def test_only_a_keyed_hash_of_the_code_is_stored(app, auth, sms):
    auth.send_code(PHONE)
    code = sms.last_code(PHONE)
    with app.app_context():
        stored = SmsCode.objects.get(phone=PHONE)
    assert code not in stored.code_hash
    assert len(stored.code_hash) == 64
    assert (stored.expires_at - stored.created_at).total_seconds() == 300


def test_the_answer_is_the_same_for_known_and_new_phones(client, auth):
    auth.sign_in(PHONE)
    known = auth.send_code(PHONE).get_json()
    new = auth.send_code("+79167654321").get_json()
    known["data"].pop("phone")
    new["data"].pop("phone")
    assert known == new


def test_first_success_registers_and_sets_last_login(app, client, auth, sms):
    clock.freeze()
    data = auth.sign_in(PHONE)
    assert data["user"]["id"].startswith("usr_")
    assert data["tokenType"] == "Bearer" and data["expiresIn"] == 900
    with app.app_context():
        user = User.objects.get(phone=PHONE)
        assert user.last_login_at is not None
        assert User.objects(phone=PHONE).count() == 1
    # A second sign-in finds the same account.
    again = auth.sign_in(PHONE)
    assert again["user"]["id"] == data["user"]["id"]


def test_an_expired_code_is_refused(client, auth, sms):
    clock.freeze()
    auth.send_code(PHONE)
    code = sms.last_code(PHONE)
    clock.advance(301)
    response = verify(client, PHONE, code)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "code_expired"


def test_a_code_just_before_expiry_works(client, auth, sms):
    clock.freeze()
    auth.send_code(PHONE)
    clock.advance(299)
    assert verify(client, PHONE, sms.last_code(PHONE)).status_code == 200


def test_five_wrong_tries_burn_the_code_and_the_sixth_try_fails_even_if_right(client, auth, sms):
    auth.send_code(PHONE)
    code = sms.last_code(PHONE)
    left = []
    for _ in range(4):
        response = verify(client, PHONE, wrong(code))
        assert response.status_code == 400
        left.append(response.get_json()["error"]["details"]["attemptsLeft"])
    assert left == [4, 3, 2, 1]
    fifth = verify(client, PHONE, wrong(code))
    assert fifth.get_json()["error"]["code"] == "code_burned"
    sixth = verify(client, PHONE, code)
    assert sixth.status_code == 400
    assert sixth.get_json()["error"]["code"] == "code_burned"


def test_a_code_works_once(client, auth, sms):
    auth.send_code(PHONE)
    code = sms.last_code(PHONE)
    assert verify(client, PHONE, code).status_code == 200
    assert verify(client, PHONE, code).get_json()["error"]["code"] == "code_used"


def test_a_new_code_replaces_the_old_one(client, auth, sms):
    clock.freeze()
    auth.send_code(PHONE)
    first = sms.last_code(PHONE)
    clock.advance(60)
    auth.send_code(PHONE)
    second = sms.last_code(PHONE)
    if first != second:
        assert verify(client, PHONE, first).status_code == 400
    assert verify(client, PHONE, second).status_code == 200


def test_resend_before_60_seconds_is_429_with_retry_after(client, auth):
    clock.freeze()
    assert auth.send_code(PHONE).status_code == 200
    clock.advance(59)
    early = auth.send_code(PHONE)
    assert early.status_code == 429
    assert early.headers["Retry-After"] == "1"
    assert early.get_json()["error"]["code"] == "resend_too_soon"
    clock.advance(1)  # the 61st second
    assert auth.send_code(PHONE).status_code == 200


def test_at_most_five_codes_per_phone_from_one_address_per_hour(client, auth):
    clock.freeze()
    for _ in range(5):
        assert auth.send_code(PHONE).status_code == 200
        clock.advance(61)
    sixth = auth.send_code(PHONE)
    assert sixth.status_code == 429
    assert sixth.get_json()["error"]["code"] == "rate_limited"
    assert int(sixth.headers["Retry-After"]) > 60
    # Another phone from the same address is still served.
    assert auth.send_code("+79167654321").status_code == 200


def test_someone_who_knows_a_number_cannot_lock_its_owner_out(client, auth):
    """Five codes from the attacker's address spend their share, not the owner's: the owner,
    elsewhere, still gets a code. A higher ceiling per phone bounds what all addresses
    together may send (the SMS bill)."""
    clock.freeze()
    for _ in range(5):
        assert auth.send_code(PHONE, environ_base={"REMOTE_ADDR": "198.51.100.66"}) \
            .status_code == 200
        clock.advance(61)
    assert auth.send_code(PHONE, environ_base={"REMOTE_ADDR": "198.51.100.66"}) \
        .status_code == 429
    assert auth.send_code(PHONE, environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code == 200


def test_a_phone_gets_at_most_twenty_codes_an_hour_from_everywhere(client, auth):
    clock.freeze()
    statuses = []
    for n in range(21):
        statuses.append(auth.send_code(PHONE, environ_base={"REMOTE_ADDR": f"203.0.113.{n}"})
                        .status_code)
        clock.advance(61)
    assert statuses == [200] * 20 + [429]


def test_at_most_twenty_codes_per_ip_per_hour(client, auth, sms):
    phones = [f"+7916{n:07d}" for n in range(1000001, 1000022)]
    statuses = [auth.send_code(phone).status_code for phone in phones]
    assert statuses == [200] * 20 + [429]
    assert len(sms.messages()) == 20
    other_ip = auth.send_code(phones[-1], environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other_ip.status_code == 200


def test_limits_are_settings(make_app, sms):
    app = make_app(SMS_LIMIT_PER_IP="2/hour")
    client = app.test_client()
    statuses = [client.post("/api/auth/send-code", json={"phone": f"+7916000000{n}"}).status_code
                for n in range(3)]
    assert statuses == [200, 200, 429]


def test_a_blocked_user_is_refused_with_403(app, client, auth, sms):
    auth.sign_in(PHONE)
    with app.app_context():
        User.objects(phone=PHONE).update_one(set__is_blocked=True, set__blocked_reason="spam")
    auth.send_code(PHONE)
    response = verify(client, PHONE, sms.last_code(PHONE))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "user_blocked"


def test_limits_live_in_redis_when_configured(make_app, sms):
    import uuid

    import redis

    prefix = f"bank-test-{uuid.uuid4().hex[:8]}"
    app = make_app(REDIS_URL="redis://127.0.0.1:6379/15", REDIS_KEY_PREFIX=prefix,
                   SMS_LIMIT_PER_IP="2/hour")
    client = app.test_client()
    statuses = [client.post("/api/auth/send-code", json={"phone": f"+7916000000{n}"}).status_code
                for n in range(3)]
    assert statuses == [200, 200, 429]
    server = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    keys = [key.decode() for key in server.keys(f"*{prefix}*")]
    assert any("sms-ip" in key for key in keys) and any("sms-phone" in key for key in keys)
    server.delete(*keys)
