"""Every failure under /api/ is a JSON error; input is validated by declared schemas."""

import json
import logging

import pytest

from tests.factories import signed_in

PHONE = "+79161234567"


def error_of(response):
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    return response.get_json()["error"]


def test_malformed_json_is_400(client):
    response = client.post("/api/auth/send-code", data='{"phone": "+7916',
                           content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


@pytest.mark.parametrize("payload", [
    {"phone": 79161234567},
    {"phone": ["+79161234567"]},
    {"phone": None},
    {},
    ["+79161234567"],
    "+79161234567",
])
def test_wrong_types_are_422(client, payload, sms):
    response = client.post("/api/auth/send-code", data=json.dumps(payload),
                           content_type="application/json")
    assert response.status_code == 422
    assert error_of(response)["code"] == "validation_error"
    assert sms.messages() == []


@pytest.mark.parametrize("url,payload", [
    ("/api/auth/send-code", {"phone": {"$gt": ""}}),
    ("/api/auth/verify-code", {"phone": PHONE, "code": {"$ne": "000000"}}),
    ("/api/auth/verify-code", {"phone": {"$regex": ".*"}, "code": "123456"}),
])
def test_operator_injection_is_422(client, url, payload):
    response = client.post(url, json=payload)
    assert response.status_code == 422
    fields = error_of(response)["details"]["fields"]
    assert fields and fields[0]["field"] in ("phone", "code")


def test_operator_injection_cannot_sign_in(client, auth, sms):
    auth.send_code(PHONE)
    response = client.post("/api/auth/verify-code", json={"phone": PHONE, "code": {"$ne": ""}})
    assert response.status_code == 422
    assert "accessToken" not in response.get_data(as_text=True)


def test_unknown_fields_are_422(client, sms):
    response = client.post("/api/auth/send-code", json={"phone": PHONE, "admin": True})
    assert response.status_code == 422
    assert error_of(response)["details"]["fields"][0]["field"] == "admin"
    assert sms.messages() == []


def test_non_json_content_type_is_415(client):
    response = client.post("/api/auth/send-code", data="phone=%2B79161234567",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


def test_oversized_body_is_413(make_app):
    client = make_app(MAX_CONTENT_LENGTH=4096).test_client()
    response = client.post("/api/auth/send-code",
                           data=json.dumps({"phone": PHONE, "pad": "x" * 10000}),
                           content_type="application/json")
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_unknown_route_is_json_404_and_wrong_method_is_json_405(client):
    missing = client.get("/api/nothing-here")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    wrong = client.get("/api/auth/send-code")
    assert wrong.status_code == 405 and error_of(wrong)["code"] == "method_not_allowed"
    assert "POST" in wrong.headers["Allow"]


def test_unexpected_error_is_json_500_without_a_trace(app):
    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/api/boom", "boom", boom)
    response = app.test_client().get("/api/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert error_of(response)["code"] == "internal_error"
    assert "secret internals" not in body and "Traceback" not in body


def test_request_id_is_echoed_or_made(client):
    given = client.get("/api/health", headers={"X-Request-ID": "abc-123"})
    assert given.headers["X-Request-ID"] == "abc-123"
    made = client.get("/api/health", headers={"X-Request-ID": "bad id <with> spaces"})
    assert made.headers["X-Request-ID"] != "bad id <with> spaces"
    assert len(made.headers["X-Request-ID"]) == 32


def test_logs_are_json_with_the_request_id(client, caplog):
    caplog.set_level("INFO")
    client.get("/api/health", headers={"X-Request-ID": "trace-me-42"})
    ours = next(h for h in logging.getLogger().handlers if getattr(h, "bank_json", False))
    record = next(r for r in caplog.records if r.name == "bank.access")
    line = json.loads(ours.format(record))
    assert line["request_id"] == "trace-me-42"
    assert line["path"] == "/api/health" and line["status"] == 200 and line["level"] == "INFO"


def test_success_envelope_and_timestamps(client, auth):
    tokens = auth.sign_in(PHONE)
    body = client.get(f"/api/users/{tokens['user']['id']}").get_json()
    assert set(body) == {"data"}
    assert body["data"]["createdAt"].endswith("Z")


def test_cors_allows_configured_origins_only(make_app):
    client = make_app(CORS_ORIGINS="https://shop.example").test_client()
    allowed = client.get("/api/health", headers={"Origin": "https://shop.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    other = client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_error_messages_are_russian_by_default_and_english_on_request(client):
    en = client.post("/api/auth/send-code", json={"phone": "12"},
                     headers={"Accept-Language": "en"})
    assert error_of(en)["message"] == "Enter a valid phone number."
    ru = client.post("/api/auth/send-code", json={"phone": "12"})
    assert error_of(ru)["message"] == "Введите корректный номер телефона."


def test_openapi_document_is_generated_from_the_schemas(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    send_code = document["paths"]["/api/auth/send-code"]["post"]
    ref = send_code["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert schema["required"] == ["phone"] and schema["additionalProperties"] is False
    assert document["paths"]["/api/me"]["get"]["security"] == [{"bearer": []}]
    assert "/api/users/{user_id}" in document["paths"]


def test_docs_page_uses_local_assets(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert "swagger-ui-bundle.js" in page and "https://" not in page
    asset = page.split('src="')[1].split('"')[0]
    assert client.get(asset).status_code == 200


def test_health_and_ready(client):
    assert client.get("/api/health").get_json() == {"data": {"status": "ok"}}
    ready = client.get("/api/ready")
    assert ready.status_code == 200
    assert ready.get_json()["data"]["checks"] == {"store": "ok"}


def test_ready_reports_an_unreachable_broker(make_app):
    client = make_app(CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:1//").test_client()
    response = client.get("/api/ready")
    assert response.status_code == 503
    checks = response.get_json()["data"]["checks"]
    assert checks["store"] == "ok" and checks["broker"].startswith("error")


@pytest.mark.parametrize("body", ["[" * 100_000, "{\"a\":" * 100_000,
                                  "[" * 999 + "]" * 999, '{"phone": ' + "[" * 40 + "]" * 40 + "}"])
def test_deeply_nested_json_is_400_on_every_json_endpoint(app, client, body):
    """The JSON reader's recursion (100,000 "[") and a body nested deeper than any of ours."""
    signed = signed_in(app, "+79161234567")
    for method, path in (("post", "/api/auth/send-code"), ("post", "/api/businesses"),
                         ("put", f"/api/users/{signed['user']['id']}")):
        response = getattr(client, method)(path, data=body, content_type="application/json",
                                           headers={"Authorization":
                                                    f"Bearer {signed['accessToken']}"})
        assert response.status_code == 400, (path, response.get_json())
        assert error_of(response)["code"] == "malformed_json"
