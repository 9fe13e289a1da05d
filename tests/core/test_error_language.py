"""Error details a person reads come in the request's language and name the field: pydantic's
validation errors, the owner role refused with a pointer to the ownership transfer, and a
sign-in code used twice (`code_used`, not `code_expired`)."""

import pytest

from app import clock
from tests import factories

RU = {"Accept-Language": "ru"}
EN = {"Accept-Language": "en"}
OWNER = "+79160000001"
PHONE = "+79161234567"


@pytest.fixture
def team(app):
    owner = factories.signed_in(app, OWNER, "Ольга")
    business = factories.business(app, owner["user"]["id"], "Кофейня", slug="lang-biz")
    return {"business": business.id,
            "headers": {"Authorization": f"Bearer {owner['accessToken']}"}}


def invite(client, team, language, **body):
    return client.post(f"/api/businesses/{team['business']}/members",
                       headers={**team["headers"], **language}, json=body)


def fields(response):
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    return error, {f["field"]: f for f in error["details"]["fields"]}


@pytest.mark.parametrize("language, top, missing, too_long", [
    (EN, "Some fields are not valid.", 'The field "role" is required.',
     'The field "phone" takes at most 32 characters.'),
    (RU, "Некоторые поля заполнены неверно.", "Поле «role» обязательно.",
     "Поле «phone» должно содержать не больше 32 символов."),
])
def test_a_missing_and_a_too_long_field(client, team, language, top, missing, too_long):
    error, named = fields(invite(client, team, language, phone="8" * 40))
    assert error["message"] == top
    assert named["role"]["type"] == "missing"
    assert named["role"]["message"] == missing
    assert named["phone"]["type"] == "string_too_long"
    assert named["phone"]["message"] == too_long


@pytest.mark.parametrize("language, expected", [
    (EN, 'The field "role" has an invalid format.'),
    (RU, "Поле «role» заполнено в неверном формате."),
])
def test_a_pattern_mismatch(client, team, language, expected):
    _error, named = fields(invite(client, team, language, phone=PHONE, role="boss"))
    assert named["role"]["type"] == "string_pattern_mismatch"
    assert named["role"]["message"] == expected


@pytest.mark.parametrize("language, expected", [
    (EN, 'The field "format" must be one of: svg, png, pdf.'),
    (RU, "Поле «format» должно быть одним из: svg, png, pdf."),
])
def test_a_value_outside_a_list(client, team, language, expected):
    response = client.get(f"/api/businesses/{team['business']}/qr",
                          query_string={"format": "gif"}, headers={**team["headers"], **language})
    _error, named = fields(response)
    assert named["format"]["type"] == "literal_error"
    assert named["format"]["message"] == expected


@pytest.mark.parametrize("language, expected", [
    (EN, 'The field "code" is required.'),
    (RU, "Поле «code» обязательно."),
])
def test_pydantic_english_never_reaches_a_person(client, language, expected):
    response = client.post("/api/auth/verify-code", json={"phone": PHONE}, headers=language)
    _error, named = fields(response)
    assert named["code"]["message"] == expected
    assert "Field required" not in response.get_data(as_text=True)


@pytest.mark.parametrize("language, words", [
    (EN, ("one owner", "transfer the ownership")),
    (RU, ("один владелец", "передайте владение")),
])
def test_inviting_an_owner_points_to_the_ownership_transfer(client, team, language, words):
    _error, named = fields(invite(client, team, language, phone=PHONE, role="owner"))
    message = named["role"]["message"]
    assert named["role"]["type"] == "owner_role"
    assert all(word in message for word in words), message
    assert f"/api/businesses/{team['business']}/transfer-ownership" in message
    assert "pattern" not in message and "^(" not in message


def verify(client, code, language):
    return client.post("/api/auth/verify-code", json={"phone": PHONE, "code": code},
                       headers=language)


@pytest.mark.parametrize("language, used, expired", [
    (EN, "This code was already used. Ask for a new one.",
     "The code has expired. Ask for a new one."),
    (RU, "Этот код уже использован. Запросите новый.",
     "Срок действия кода истёк. Запросите новый."),
])
def test_a_used_code_is_code_used_and_an_old_one_code_expired(client, auth, sms, language,
                                                               used, expired):
    clock.freeze()
    auth.send_code(PHONE)
    code = sms.last_code(PHONE)
    assert verify(client, code, language).status_code == 200
    again = verify(client, code, language)
    assert again.status_code == 400
    assert again.get_json()["error"]["code"] == "code_used"
    assert again.get_json()["error"]["message"] == used

    clock.advance(61)
    auth.send_code(PHONE)
    fresh = sms.last_code(PHONE)
    clock.advance(301)
    late = verify(client, fresh, language)
    assert late.status_code == 400
    assert late.get_json()["error"]["code"] == "code_expired"
    assert late.get_json()["error"]["message"] == expired
