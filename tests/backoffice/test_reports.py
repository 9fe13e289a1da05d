"""Reports from customers: POST /api/reports and its rules."""

import pytest

from app.accounts import users
from app.backoffice import reports
from app.models import Business, Report, User
from tests import factories

REPORTER, OWNER, OTHER, MODERATOR = "+79160000011", "+79160000012", "+79160000013", "+79160000014"


@pytest.fixture
def reporter(app):
    return factories.signed_in(app, REPORTER, "Покупатель")


@pytest.fixture
def business(app):
    owner = factories.person(app, OWNER, "Владелец")
    return factories.business(app, owner, slug="reported-biz")


def post_report(client, who, **payload):
    payload.setdefault("reason", "spam")
    headers = {"Authorization": f"Bearer {who['accessToken']}"} if who else {}
    return client.post("/api/reports", json=payload, headers=headers)


def stored(app):
    with app.app_context():
        return list(Report.objects.order_by("created_at"))


def test_report_a_business_is_201_and_stored(app, client, reporter, business):
    response = post_report(client, reporter, targetType="business", targetId=business.id,
                           reason="fraud", comment="  Берут деньги и не отвечают  ")
    assert response.status_code == 201
    data = response.get_json()["data"]
    assert data["id"].startswith("rep_")
    assert data["status"] == "open"
    [report] = stored(app)
    assert (report.id, report.reporter_id, report.target_type, report.target_id, report.reason,
            report.comment) == (data["id"], reporter["user"]["id"], "business", business.id,
                                "fraud", "Берут деньги и не отвечают")


def test_report_a_user_is_201(app, client, reporter):
    other = factories.person(app, OTHER, "Спамер")
    response = post_report(client, reporter, targetType="user", targetId=other.id,
                           reason="abuse")
    assert response.status_code == 201
    assert [r.target_id for r in stored(app)] == [other.id]


@pytest.mark.parametrize("target_type", ["post", "message"])
def test_posts_and_messages_are_accepted_unchecked(app, client, reporter, target_type):
    response = post_report(client, reporter, targetType=target_type, targetId="pst_future1")
    assert response.status_code == 201
    assert [(r.target_type, r.target_id) for r in stored(app)] == [(target_type, "pst_future1")]


def test_anonymous_is_401(app, client, business):
    response = post_report(client, None, targetType="business", targetId=business.id)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert stored(app) == []


@pytest.mark.parametrize("target_type,code", [("business", "business_not_found"),
                                               ("user", "user_not_found")])
def test_unknown_target_is_404(app, client, reporter, target_type, code):
    response = post_report(client, reporter, targetType=target_type, targetId="biz_nosuchthing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == code
    assert stored(app) == []


def test_deleted_business_is_404(app, client, reporter, business):
    with app.app_context():
        owner = User.objects.get(phone=OWNER)
        from app.businesses import businesses

        businesses.soft_delete(Business.objects.get(id=business.id), owner)
    response = post_report(client, reporter, targetType="business", targetId=business.id)
    assert response.status_code == 404
    assert stored(app) == []


def test_same_target_twice_while_open_is_409_then_allowed_once_resolved(
        app, client, reporter, business):
    first = post_report(client, reporter, targetType="business", targetId=business.id)
    assert first.status_code == 201
    again = post_report(client, reporter, targetType="business", targetId=business.id,
                        reason="fraud")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "already_reported"
    assert len(stored(app)) == 1
    # Somebody else may still report it.
    other = factories.signed_in(app, OTHER)
    assert post_report(client, other, targetType="business",
                       targetId=business.id).status_code == 201

    with app.test_request_context():
        moderator = users.grant_platform_role(MODERATOR, "moderator")
        assert reports.resolve(moderator, "business", business.id, "dismiss",
                               "Nothing wrong here") == 2
    later = post_report(client, reporter, targetType="business", targetId=business.id)
    assert later.status_code == 201
    assert [r.status for r in stored(app)] == ["dismissed", "dismissed", "open"]


def test_the_database_holds_one_open_report_per_reporter_and_target(app, reporter, business):
    """The unique partial index catches two identical reports that raced past the check."""
    from mongoengine import NotUniqueError

    with app.app_context():
        Report(reporter_id=reporter["user"]["id"], target_type="business",
               target_id=business.id, reason="spam").save()
        with pytest.raises(NotUniqueError):
            Report(reporter_id=reporter["user"]["id"], target_type="business",
                   target_id=business.id, reason="fraud").save()
        Report(reporter_id=reporter["user"]["id"], target_type="business",
               target_id=business.id, reason="fraud", status="dismissed").save()
        assert Report.objects.count() == 2


@pytest.mark.parametrize("payload,field", [
    ({"targetType": "business", "reason": "boring"}, "reason"),
    ({"targetType": "shop"}, "targetType"),
    ({"targetType": "business", "admin": True}, "admin"),
    ({"targetType": "business", "comment": "x" * 1001}, "comment"),
    ({"targetType": "business", "targetId": {"$ne": ""}}, "targetId"),
    ({"targetType": "business", "reason": {"$in": ["spam"]}}, "reason"),
    ({"targetType": "business", "targetId": "biz_1; drop"}, "targetId"),
    ({"targetType": "business", "status": "actioned"}, "status"),
])
def test_bad_input_is_422_and_stores_nothing(app, client, reporter, business, payload, field):
    payload = {"targetId": business.id, "reason": "spam", **payload}
    response = client.post("/api/reports", json=payload,
                           headers={"Authorization": f"Bearer {reporter['accessToken']}"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in {f["field"].split(".")[0] for f in error["details"]["fields"]}
    assert stored(app) == []


def test_more_than_the_hourly_limit_is_429(app, client, reporter):
    assert app.config["REPORTS_PER_HOUR"] == 10
    statuses = [post_report(client, reporter, targetType="post",
                            targetId=f"pst_{n}").status_code for n in range(11)]
    assert statuses == [201] * 10 + [429]
    refused = post_report(client, reporter, targetType="post", targetId="pst_more")
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert len(stored(app)) == 10
    # The limit is per user.
    other = factories.signed_in(app, OTHER)
    assert post_report(client, other, targetType="post", targetId="pst_0").status_code == 201


def test_reporting_yourself_is_refused(app, client, reporter):
    response = post_report(client, reporter, targetType="user",
                           targetId=reporter["user"]["id"])
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "cannot_report_self"
    assert stored(app) == []


def test_reporting_your_own_business_is_refused(app, client, business):
    owner = factories.signed_in(app, OWNER)
    manager = factories.signed_in(app, OTHER)
    factories.member(app, business.id, manager["user"]["id"], "manager")
    for who in (owner, manager):
        response = post_report(client, who, targetType="business", targetId=business.id)
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "cannot_report_own_business"
    assert stored(app) == []


def test_the_endpoint_is_in_the_openapi_document(client):
    document = client.get("/api/openapi.json").get_json()
    assert "post" in document["paths"]["/api/reports"]
