"""Provisioning in mms3: a chat user per person, a bot and a channel per business. mms3
being down never fails sign-up or business creation; the sync state shows it, and a retry
(the back office's button) finishes the job once mms3 is back."""

import pytest

from app.models import Business, User
from tests.admin.conftest import csrf_token
from tests.factories import business, person


@pytest.fixture
def app(make_app, mms3):
    return make_app(MMS3_API_URL=mms3.url, MMS3_API_KEY=mms3.api_key, MMS3_RETRIES=0)


@pytest.fixture
def mms3_app(app):
    return app


def test_people_and_businesses_are_provisioned_in_mms3(mms3_app, mms3):
    owner = person(mms3_app, "+79160000011", "Ольга")
    shop = business(mms3_app, owner, name="Пекарня")
    with mms3_app.app_context():
        shop = Business.objects.get(id=shop.id)
        assert User.objects.get(id=owner.id).chat_sync.state == "done"
        assert shop.chat_sync.state == "done"
    tenant = "tnt_default"
    assert mms3.users[(tenant, owner.id)]["name"] == "Ольга"
    assert mms3.users[(tenant, f"bot_{shop.id}")]["type"] == "bot"
    channel = mms3.dialogs[(tenant, shop.chat_channel_id)]
    assert channel["meta"] == {"type": "business_channel", "businessId": shop.id}


def test_mms3_down_fails_nothing_and_a_retry_recovers(mms3_app, mms3, staff_client):
    owner = person(mms3_app, "+79160000012", "Ольга")
    mms3.fail_next(50)
    shop = business(mms3_app, owner, name="Пекарня")  # the request itself succeeds
    with mms3_app.app_context():
        sync = Business.objects.get(id=shop.id).chat_sync
        assert sync.state == "failed" and "500" in sync.last_error
    mms3.script.clear()  # mms3 is back

    admin = staff_client("superadmin")
    page = admin.get("/admin/messaging-sync/")
    assert shop.id in page.get_data(as_text=True)
    answer = admin.post("/admin/messaging-sync/retry", data={
        "kind": "business", "object_id": shop.id, "csrf_token": csrf_token(page)})
    assert answer.status_code == 302
    with mms3_app.app_context():
        shop = Business.objects.get(id=shop.id)
        assert shop.chat_sync.state == "done" and shop.chat_channel_id
    assert shop.id not in admin.get("/admin/messaging-sync/").get_data(as_text=True)
    assert admin.post("/admin/messaging-sync/retry", data={
        "kind": "business", "object_id": shop.id}).status_code == 302  # no CSRF: refused
    assert staff_client("support").post("/admin/messaging-sync/retry", data={
        "kind": "business", "object_id": shop.id}).status_code == 403
