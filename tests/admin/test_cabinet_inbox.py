"""The cabinet's team inbox: each page and action for each role, what the customer then sees
through the JSON API, CSRF refusal and the live stream's door. Quick replies and the dialog
statistics are in test_cabinet_quick_replies.py and test_cabinet_inbox_stats.py."""


from app import clock
from app.models import BusinessMember
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
from tests.admin.conftest import csrf_token
from tests.admin.inbox_world import (
    VIEWER,
    conversation,
    customer_reads,
    customer_says,
    flashed,
)

# --- who sees what --------------------------------------------------------------------------

def test_every_member_reads_the_inbox_and_outsiders_get_404(app, client, sms, world, inbox):
    for phone in (OWNER, MANAGER, OPERATOR, VIEWER):
        page = sign_in(app, sms, phone).get(inbox.page)
        assert page.status_code == 200, phone
        html = page.get_data(as_text=True)
        assert f'data-dialog="{inbox.dialog}"' in html and "Есть столик на двоих?" in html
        assert f'href="/cabinet/b/{world["a"]}/inbox"' in html  # the tab
    for phone in (STRANGER, OTHER_OWNER):
        outsider = sign_in(app, sms, phone)
        assert outsider.get(inbox.base).status_code == 404
        assert outsider.get(inbox.page).status_code == 404
        assert post(outsider, f"{inbox.url}/reply", {"text": "hi"},
                    page_url="/cabinet/").status_code == 404
    # B's owner asking for A's dialog inside B's inbox: not found there either.
    assert sign_in(app, sms, OTHER_OWNER).get(
        f"/cabinet/b/{world['b']}/inbox?dialog={inbox.dialog}").status_code == 404
    assert client.get(inbox.base).status_code == 302  # anonymous: to the login page


def test_a_viewer_reads_but_cannot_reply_archive_take_or_block(app, sms, world, inbox):
    viewer = sign_in(app, sms, VIEWER)
    html = viewer.get(inbox.page).get_data(as_text=True)
    assert 'id="reply-form"' not in html and 'id="read-only"' in html
    assert 'id="archive"' not in html and 'id="take"' not in html and 'id="block-form"' not in html
    assert conversation(inbox).team_unread == 1  # a viewer looking does not clear the badge
    for action, data in (("reply", {"text": "Я только смотрю"}), ("archive", {}),
                         ("assign", {}), ("block", {"hours": "24"})):
        assert post(viewer, f"{inbox.url}/{action}", data, page_url=inbox.page).status_code \
            == 403, action
    assert [m["text"] for m in customer_reads(inbox)] == ["Есть столик на двоих?"]
    assert conversation(inbox).status == "open" and conversation(inbox).assigned_to is None
    assert post(viewer, f"{inbox.base}/duty", {"on_duty": "1"},
                page_url=inbox.page).status_code == 403


def test_message_text_is_shown_as_text(app, sms, world, inbox):
    assert customer_says(inbox, '<img src=x onerror="alert(1)"> & <b>bold</b>').status_code \
        == 201
    html = sign_in(app, sms, OPERATOR).get(inbox.page).get_data(as_text=True)
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<b>bold</b>" not in html and "<img src=x" not in html


def test_a_forged_cursor_shows_the_newest_messages(app, sms, world, inbox):
    viewer = sign_in(app, sms, VIEWER)
    huge = "WzEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMCwieCJd"  # [10**30, "x"]
    for query in ("&cursor=nonsense", f"&cursor={huge}", "&page=%C2%B2"):
        page = viewer.get(f"{inbox.page}{query}")
        assert page.status_code == 200, query
        assert "Есть столик на двоих?" in page.get_data(as_text=True)
    assert viewer.get(f"{inbox.base}/list?page=%C2%B2").status_code == 200


# --- replying -----------------------------------------------------------------------------------

def test_an_operator_replies_and_the_customer_sees_it(app, sms, world, inbox):
    operator = sign_in(app, sms, OPERATOR)
    sent = post(operator, f"{inbox.url}/reply", {"text": "  Да, ждём вас в 19:00  "},
                page_url=inbox.page)
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith(f"/inbox?dialog={inbox.dialog}")
    last = customer_reads(inbox)[0]
    assert last["text"] == "Да, ждём вас в 19:00"
    assert last["sender"]["kind"] == "team" and last["sender"]["name"] == "Олег"
    assert last["sender"]["businessName"] == "Кофейня А"
    stored = conversation(inbox)
    assert world["operator"] in stored.participants and stored.first_human_reply_at
    assert "Да, ждём вас в 19:00" in flashed(operator, sent)

    # The page's script sends the same form asking for JSON, and gets the message back.
    page = operator.get(inbox.page)
    answer = operator.post(f"{inbox.url}/reply", data={
        "csrf_token": csrf_token(page), "text": "Столик у окна"},
        headers={"Accept": "application/json"})
    assert answer.status_code == 200
    data = answer.get_json()["data"]
    assert data["text"] == "Столик у окна" and data["dialogId"] == inbox.dialog
    assert customer_reads(inbox)[0]["id"] == data["id"]

    empty = operator.post(f"{inbox.url}/reply", data={
        "csrf_token": csrf_token(page), "text": "   "}, headers={"Accept": "application/json"})
    assert empty.status_code == 422
    too_long = operator.post(f"{inbox.url}/reply", data={
        "csrf_token": csrf_token(page), "text": "я" * 4001},
        headers={"Accept": "application/json"})
    assert too_long.status_code == 422
    assert len(customer_reads(inbox)) == 3


def test_posts_without_the_csrf_token_change_nothing(app, sms, world, inbox):
    manager = sign_in(app, sms, MANAGER)
    manager.get(inbox.page)
    for action, data in (("reply", {"text": "подделка"}), ("archive", {}), ("assign", {}),
                         ("block", {"hours": "24"}), ("unread", {})):
        forged = manager.post(f"{inbox.url}/{action}", data={**data, "csrf_token": "forged"})
        assert forged.status_code == 303, action
        assert "The form has expired" in flashed(manager, forged)
    as_json = manager.post(f"{inbox.url}/reply", data={"text": "подделка"},
                           headers={"Accept": "application/json"})
    assert as_json.status_code == 400
    error = as_json.get_json()["error"]
    assert error["code"] == "csrf_failed" and error["csrfToken"]  # the script retries once
    assert [m["text"] for m in customer_reads(inbox)] == ["Есть столик на двоих?"]
    stored = conversation(inbox)
    assert (stored.status, stored.assigned_to, stored.team_unread) == ("open", None, 0)
    assert customer_says(inbox, "Ещё тут").status_code == 201  # not blocked
    duty = manager.post(f"{inbox.base}/duty", data={"on_duty": "1"})
    assert duty.status_code == 303
    assert not BusinessMember.objects.get(business_id=world["a"],
                                          user_id=world["manager"]).on_duty


# --- read, unread, archive, take ------------------------------------------------------------------

def test_opening_marks_read_and_mark_unread_brings_the_badge_back(app, sms, world, inbox):
    operator = sign_in(app, sms, OPERATOR)
    listing = operator.get(inbox.base).get_data(as_text=True)
    assert f'data-dialog="{inbox.dialog}" data-unread="1"' in listing
    assert "unread-badge" in listing
    operator.get(inbox.page)
    assert conversation(inbox).team_unread == 0
    assert 'data-unread="0"' in operator.get(inbox.base).get_data(as_text=True)
    assert 'data-unread="0"' in operator.get(f"{inbox.base}/list").get_data(as_text=True)

    unread = post(operator, f"{inbox.url}/unread", page_url=inbox.page)
    assert unread.status_code == 303
    assert "dialog=" not in unread.headers["Location"]  # shown again, it would be read at once
    assert conversation(inbox).team_unread == 1
    only_unread = operator.get(f"{inbox.base}?unread=1").get_data(as_text=True)
    assert f'data-dialog="{inbox.dialog}" data-unread="1"' in only_unread
    assert post(operator, f"{inbox.url}/read", page_url=inbox.base).status_code == 303
    assert conversation(inbox).team_unread == 0
    assert f'data-dialog="{inbox.dialog}"' not in operator.get(
        f"{inbox.base}?unread=1").get_data(as_text=True)


def test_archiving_hides_the_dialog_until_the_customer_writes_again(app, sms, world, inbox):
    operator = sign_in(app, sms, OPERATOR)
    archived = post(operator, f"{inbox.url}/archive", {"archived": "1"}, page_url=inbox.page)
    assert archived.status_code == 303 and conversation(inbox).status == "archived"
    assert f'data-dialog="{inbox.dialog}"' not in operator.get(inbox.base).get_data(as_text=True)
    in_archive = operator.get(f"{inbox.base}?status=archived").get_data(as_text=True)
    assert f'data-dialog="{inbox.dialog}"' in in_archive
    assert 'id="restore"' in operator.get(f"{inbox.page}&status=archived").get_data(as_text=True)

    assert customer_says(inbox, "Вы тут?").status_code == 201
    assert conversation(inbox).status == "open"  # a customer's message re-opens it
    post(operator, f"{inbox.url}/archive", {"archived": "1"}, page_url=inbox.page)
    restored = post(operator, f"{inbox.url}/archive", {"archived": "0", "status": "archived"},
                    page_url=inbox.page)
    assert restored.headers["Location"].endswith(f"?status=archived&dialog={inbox.dialog}")
    assert conversation(inbox).status == "open"


def test_taking_the_dialog_assigns_it_to_me(app, sms, world, inbox):
    operator = sign_in(app, sms, OPERATOR)
    assert post(operator, f"{inbox.url}/assign", page_url=inbox.page).status_code == 303
    stored = conversation(inbox)
    assert stored.assigned_to == world["operator"] and world["operator"] in stored.participants
    mine = operator.get(f"{inbox.base}?mine=1").get_data(as_text=True)
    assert f'data-dialog="{inbox.dialog}"' in mine
    html = operator.get(inbox.page).get_data(as_text=True)
    assert 'id="assignee"' in html and 'id="take"' not in html
    owner = sign_in(app, sms, OWNER)
    assert f'data-dialog="{inbox.dialog}"' not in owner.get(
        f"{inbox.base}?mine=1").get_data(as_text=True)
    assert "Олег" in owner.get(inbox.page).get_data(as_text=True)


def test_the_on_duty_toggle(app, sms, world, inbox):
    operator = sign_in(app, sms, OPERATOR)
    assert 'id="duty-toggle"' in operator.get(inbox.base).get_data(as_text=True)
    on = post(operator, f"{inbox.base}/duty", {"on_duty": "1", "dialog": inbox.dialog},
              page_url=inbox.base)
    assert on.status_code == 303 and on.headers["Location"].endswith(f"dialog={inbox.dialog}")
    member = BusinessMember.objects.get(business_id=world["a"], user_id=world["operator"])
    assert member.on_duty
    assert 'data-on-duty="1"' in operator.get(inbox.base).get_data(as_text=True)
    post(operator, f"{inbox.base}/duty", {"on_duty": "0"}, page_url=inbox.base)
    assert not member.reload().on_duty


# --- blocking a customer --------------------------------------------------------------------------

def test_only_the_owner_and_managers_block_and_a_block_refuses_messages(app, sms, world, inbox):
    operator = sign_in(app, sms, OPERATOR)
    assert 'id="block-form"' not in operator.get(inbox.page).get_data(as_text=True)
    assert post(operator, f"{inbox.url}/block", {"hours": "24"},
                page_url=inbox.page).status_code == 403
    assert customer_says(inbox, "Ещё вопрос").status_code == 201

    manager = sign_in(app, sms, MANAGER)
    assert 'id="block-form"' in manager.get(inbox.page).get_data(as_text=True)
    odd = post(manager, f"{inbox.url}/block", {"hours": "5"}, page_url=inbox.page)
    assert odd.status_code == 303 and "Not a valid choice" not in flashed(manager, odd)
    assert customer_says(inbox, "Всё ещё можно").status_code == 201

    blocked = post(manager, f"{inbox.url}/block", {"hours": "24", "reason": "Грубит"},
                   page_url=inbox.page)
    assert blocked.status_code == 303
    refused = customer_says(inbox, "Ответьте!")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "blocked_by_business"
    html = manager.get(inbox.page).get_data(as_text=True)
    assert 'id="blocked-badge"' in html and 'id="unblock"' in html
    [entry] = audit("block", "customer")
    assert entry.target_id == inbox.customer and entry.changes["reason"]["after"] == "Грубит"

    assert post(operator, f"{inbox.url}/unblock", page_url=inbox.page).status_code == 403
    assert post(manager, f"{inbox.url}/unblock", page_url=inbox.page).status_code == 303
    assert customer_says(inbox, "Извините").status_code == 201
    assert len(audit("unblock", "customer")) == 1


def test_a_block_ends_by_itself(app, sms, world, inbox):
    owner = sign_in(app, sms, OWNER)
    assert post(owner, f"{inbox.url}/block", {"hours": "1"}, page_url=inbox.page) \
        .status_code == 303
    assert customer_says(inbox, "Эй").status_code == 403
    clock.advance(3601)
    assert customer_says(inbox, "Эй").status_code == 201
    assert 'id="blocked-badge"' not in owner.get(inbox.page).get_data(as_text=True)


# --- the live stream ------------------------------------------------------------------------------

def test_the_stream_is_for_the_team_only(app, client, sms, world, inbox):
    stream = f"{inbox.base}/stream?dialog={inbox.dialog}"
    for phone in (STRANGER, OTHER_OWNER):
        assert sign_in(app, sms, phone).get(stream).status_code == 404
    assert client.get(stream).status_code == 302
    other = sign_in(app, sms, OTHER_OWNER)
    assert other.get(f"/cabinet/b/{world['b']}/inbox/stream?dialog={inbox.dialog}") \
        .status_code == 404

    viewer = sign_in(app, sms, VIEWER)
    response = viewer.get(stream, buffered=False)
    try:
        assert response.status_code == 200 and response.mimetype == "text/event-stream"
        chunks = iter(response.response)
        assert next(chunks).startswith(b"retry:")
        ready = next(chunks).decode()
        assert "event: ready" in ready
        assert f"business:{world['a']}" in ready and f"dialog:{inbox.dialog}" in ready
    finally:
        response.close()


def test_the_customer_learns_that_the_team_types_and_read_it(app, sms, world, inbox):
    from app.live import bus

    operator = sign_in(app, sms, OPERATOR)
    page = operator.get(inbox.page)  # opening the dialog with canReply marks it read
    token = csrf_token(page)
    with app.app_context(), bus.subscribe([f"dialog:{inbox.dialog}"]) as stream:
        typed = operator.post(f"{inbox.url}/typing", data={"csrf_token": token},
                              headers={"Accept": "application/json"})
        read = operator.post(f"{inbox.url}/read", data={"csrf_token": token},
                             headers={"Accept": "application/json"})
        seen = {}
        for event in stream.events(timeout=1):
            if event is None or len(seen) == 2:
                break
            if event.name in ("typing", "read"):
                seen[event.name] = event.data
    assert typed.status_code == read.status_code == 200
    assert seen["typing"]["kind"] == "team" and seen["typing"]["name"] == "Олег"
    assert seen["read"]["userId"] == world["operator"]  # a receipt though Олег never joined
    viewer = sign_in(app, sms, VIEWER)
    assert viewer.post(f"{inbox.url}/typing", data={
        "csrf_token": csrf_token(viewer.get(inbox.page))}).status_code == 403


def test_a_widget_guest_shows_by_its_guest_name(app, sms, world):
    from app.models import Business

    with app.app_context():
        slug = Business.objects.get(id=world["a"]).slug
    api = app.test_client()
    guest = api.post(f"/api/widget/{slug}/session", json={}).get_json()["data"]
    headers = {"Authorization": f"Bearer {guest['token']}"}
    dialog = api.post(f"/api/businesses/{world['a']}/start-dialog",
                      headers=headers).get_json()["data"]["id"]
    api.post(f"/api/dialogs/{dialog}/messages", json={"text": "Вы открыты?"}, headers=headers)
    name = api.get(f"/api/dialogs/{dialog}", headers=headers).get_json()["data"]["customer"]["name"]
    assert name.startswith("Гость ")
    html = sign_in(app, sms, OWNER).get(
        f"/cabinet/b/{world['a']}/inbox?dialog={dialog}").get_data(as_text=True)
    assert html.count(name) >= 2  # in the list and over the conversation


def test_archiving_taking_and_duty_are_in_the_audit_log(app, sms, world, inbox):
    operator = sign_in(app, sms, OPERATOR)
    post(operator, f"{inbox.url}/assign", {}, page_url=inbox.page)
    post(operator, f"{inbox.url}/archive", {"archived": "1"}, page_url=inbox.page)
    post(operator, f"{inbox.url}/archive", {"archived": "0"}, page_url=inbox.page)
    post(operator, f"{inbox.base}/duty", {"on_duty": "1"}, page_url=inbox.base)
    [taken] = audit("assign", "dialog")
    assert (taken.target_id, taken.actor_id) == (inbox.dialog, world["operator"])
    assert taken.changes["assigned_to"] == {"before": None, "after": world["operator"]}
    assert audit("archive", "dialog")[0].changes["status"] == {
        "before": "open", "after": "archived"}
    assert audit("restore", "dialog")[0].changes["status"] == {
        "before": "archived", "after": "open"}
    assert audit("duty", "member")[0].changes["on_duty"] == {"before": False, "after": True}
