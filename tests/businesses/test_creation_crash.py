"""A business is created all or nothing, also when the process dies half-way (kill -9): the
business document is written last, so a crash at any earlier step leaves nothing anybody can
see or reach, the owner can take the same slug again, and `flask repair` removes the rest."""

import pytest

from app import clock
from app.businesses import businesses, qr, slugs
from app.models import Business, BusinessMember, BusinessSettings, SlugClaim
from tests.factories import person, signed_in


class Crash(BaseException):
    """A death no `except Exception` sees, so no step is undone: what kill -9 leaves."""


def crash(*_args, **_kwargs):
    raise Crash


STEPS = {
    "after the slug is claimed": (BusinessMember, "save"),
    "after the owner's membership": (BusinessSettings, "save"),
    "after the settings": (qr, "new_code"),
    "as the business is written": (Business, "save"),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_a_crash_at_any_step_leaves_nothing_visible_and_the_slug_free(app, client, runner,
                                                                      monkeypatch, step):
    owner = signed_in(app, "+79161230001")
    bearer = {"Authorization": f"Bearer {owner['accessToken']}"}
    target, name = STEPS[step]
    with app.test_request_context(), pytest.raises(Crash):
        monkeypatch.setattr(target, name, crash)
        businesses.create(person(app, "+79161230001"), "Кофейня", slug="coffee")
    monkeypatch.undo()

    assert client.get("/api/businesses/slug/coffee").status_code == 404
    mine = client.get("/api/me/businesses", headers=bearer).get_json()["data"]
    assert mine == []
    with app.app_context():
        assert Business.objects.count() == 0
    # The crash is long past: the slug is the owner's to take again, at once.
    clock.advance(slugs.CREATION_SECONDS.total_seconds() + 1)
    again = client.post("/api/businesses", headers=bearer, json={"name": "Кофейня",
                                                                  "slug": "coffee"})
    assert again.status_code == 201, again.get_json()
    made = again.get_json()["data"]["id"]
    assert client.put(f"/api/businesses/{made}", headers=bearer,
                      json={"description": "Свежая выпечка"}).status_code == 200
    with app.app_context():
        assert BusinessMember.objects(business_id=made, role="owner").count() == 1
        assert BusinessSettings.objects(business_id=made).count() == 1


def test_flask_repair_removes_what_a_crashed_creation_left(app, runner, monkeypatch):
    with app.test_request_context(), pytest.raises(Crash):
        monkeypatch.setattr(qr, "new_code", crash)
        businesses.create(person(app, "+79161230001"), "Кофейня", slug="coffee")
    monkeypatch.undo()
    assert "0 slug claim(s)" in runner.invoke(args=["repair"]).output  # too fresh to judge
    clock.advance(slugs.CREATION_SECONDS.total_seconds() + 1)
    out = runner.invoke(args=["repair"]).output
    assert "1 slug claim(s), 1 membership(s), 1 settings" in out
    with app.app_context():
        assert SlugClaim.objects.count() == 0
        assert BusinessMember.objects.count() == BusinessSettings.objects.count() == 0


def test_a_claim_in_flight_is_not_taken_over(app):
    """A creation still running keeps its slug: only an old claim without a business is free."""
    with app.app_context():
        slugs.claim("coffee", "biz_inflight")
        with pytest.raises(Exception) as taken:
            slugs.claim("coffee", "biz_other")
        assert taken.value.code == "slug_taken"
