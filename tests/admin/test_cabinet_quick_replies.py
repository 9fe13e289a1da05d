"""Quick replies in the cabinet: managed by the owner and managers, offered in the inbox to
those who may reply, with their limits."""

import pytest

from app.conversations import quick_replies
from app.errors import Forbidden
from app.models import Business, QuickReply, User
from tests.admin.cabinet_world import (
    MANAGER,
    OPERATOR,
    OTHER_OWNER,
    OWNER,
    STRANGER,
    audit,
    post,
    sign_in,
)
from tests.admin.inbox_world import VIEWER, flashed


def test_quick_replies_are_managed_by_the_owner_and_managers(app, sms, world, inbox):
    url = f"/cabinet/b/{world['a']}/quick-replies"
    for phone, status in ((OPERATOR, 403), (VIEWER, 403), (STRANGER, 404), (OTHER_OWNER, 404)):
        assert sign_in(app, sms, phone).get(url).status_code == status, phone
    operator = sign_in(app, sms, OPERATOR)
    assert post(operator, url, {"title": "Часы", "text": "С 9 до 21"},
                page_url=inbox.page).status_code == 403

    manager = sign_in(app, sms, MANAGER)
    created = post(manager, url, {"title": "Часы", "text": "Мы открыты с 9 до 21 <каждый день>"})
    assert created.status_code == 303
    [reply] = QuickReply.objects(business_id=world["a"])
    assert reply.created_by == world["manager"]
    assert len(audit("create", "quick_reply")) == 1

    # In the inbox, next to the reply box, for those who may reply (the text as an attribute).
    html = operator.get(inbox.page).get_data(as_text=True)
    assert 'data-text="Мы открыты с 9 до 21 &lt;каждый день&gt;"' in html
    assert 'id="manage-quick-replies"' not in html
    assert "quick-reply" not in sign_in(app, sms, VIEWER).get(inbox.page).get_data(as_text=True)

    edited = post(manager, f"{url}/{reply.id}", {"title": "Режим", "text": "С 10 до 22"},
                  page_url=url)
    assert edited.status_code == 303
    assert (reply.reload().title, reply.text) == ("Режим", "С 10 до 22")
    owner = sign_in(app, sms, OWNER)
    assert post(owner, f"{url}/{reply.id}/delete", page_url=url).status_code == 303
    assert QuickReply.objects(business_id=world["a"]).count() == 0
    assert len(audit("delete", "quick_reply")) == 1


def test_quick_replies_have_limits(app, sms, world):
    url = f"/cabinet/b/{world['a']}/quick-replies"
    manager = sign_in(app, sms, MANAGER)
    too_long = post(manager, url, {"title": "т" * 61, "text": "ok"})
    assert too_long.status_code == 422
    assert post(manager, url, {"title": "ok", "text": "т" * 1001}).status_code == 422
    assert post(manager, url, {"title": "  ", "text": "ok"}).status_code == 422
    forged = manager.post(url, data={"title": "ok", "text": "ok", "csrf_token": "forged"})
    assert forged.status_code == 400
    assert QuickReply.objects.count() == 0
    with app.test_request_context():
        business = Business.objects.get(id=world["a"])
        user = User.objects.get(id=world["manager"])
        for n in range(quick_replies.LIMIT):
            quick_replies.create(business, user, f"Ответ {n}", "текст")
        operator = User.objects.get(id=world["operator"])
        with pytest.raises(Forbidden):
            quick_replies.create(business, operator, "Нельзя", "текст")
    full = post(manager, url, {"title": "Сто первый", "text": "текст"})
    assert full.status_code == 409
    assert "at most 100 quick replies" in full.get_data(as_text=True)
    assert QuickReply.objects(business_id=world["a"]).count() == quick_replies.LIMIT

    # Another business's reply id is not found from A's page.
    other = sign_in(app, sms, OTHER_OWNER)
    assert post(other, f"/cabinet/b/{world['b']}/quick-replies", {"title": "Б", "text": "б"}) \
        .status_code == 303
    b_reply = QuickReply.objects.get(business_id=world["b"])
    gone = post(manager, f"{url}/{b_reply.id}/delete", page_url=url)
    assert "No such quick reply." in flashed(manager, gone)
    assert QuickReply.objects(id=b_reply.id).count() == 1
