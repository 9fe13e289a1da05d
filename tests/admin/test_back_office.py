"""The back office: who may see and change what, CSRF, the audit trail, categories."""

import pytest

from app.models import AuditEntry, Category, User
from tests import factories
from tests.admin.conftest import ROLE_PHONES, csrf_token

VIEWS = ["/admin/", "/admin/users/", "/admin/businesses/", "/admin/categories/", "/admin/members/",
         "/admin/subscriptions/", "/admin/member-roles/", "/admin/platform-roles/",
         "/admin/sms/", "/admin/audit/"]


@pytest.mark.parametrize("url", VIEWS)
def test_every_view_checks_the_role(staff_client, url):
    for role in ("superadmin", "moderator", "support"):
        assert staff_client(role).get(url).status_code == 200, (role, url)
    assert staff_client("nobody").get(url).status_code == 403
    anonymous = staff_client(None).get(url)
    assert anonymous.status_code == 302
    assert "/admin/login?next=" in anonymous.headers["Location"]


def new_category(client, **fields):
    form = client.get("/admin/categories/new/")
    data = {"name": "Новая", "slug": "new-one", "icon": "", "parent_id": "", "order": "5",
            "is_active": "y", **fields}
    if "csrf_token" not in fields:
        data["csrf_token"] = csrf_token(form)
    return client.post("/admin/categories/new/", data=data)


def test_only_superadmins_change_categories(app, staff_client):
    for role in ("moderator", "support"):
        client = staff_client(role)
        assert client.get("/admin/categories/new/").status_code == 302  # no form for them
        new_category(client, csrf_token="x", slug=f"by-{role}")
    with app.app_context():
        assert Category.objects(slug__startswith="by-").count() == 0
    new_category(staff_client("superadmin"), slug="by-superadmin")
    with app.app_context():
        assert Category.objects(slug="by-superadmin").count() == 1


def test_a_form_without_its_csrf_token_changes_nothing(app, staff_client):
    client = staff_client("superadmin")
    client.post("/admin/categories/new/", data={"name": "Без токена", "slug": "no-token",
                                                "order": "1", "parent_id": ""})
    new_category(client, csrf_token="forged", slug="forged-token")
    with app.app_context():
        assert Category.objects(slug__in=["no-token", "forged-token"]).count() == 0


def test_a_nested_category_and_the_tree(app, staff_client):
    client = staff_client("superadmin")
    with app.app_context():
        food = Category.objects.get(slug="food")
    new_category(client, name="Чайные", slug="tea-houses", parent_id=food.id)
    page = client.get("/admin/categories/?page_size=100").get_data(as_text=True)
    # Indented under its parent, and after it.
    assert page.index("Еда и напитки") < page.index("\u2003Чайные")
    with app.app_context():
        assert Category.objects.get(slug="tea-houses").parent_id == food.id


def test_a_category_cannot_be_its_own_ancestor(app, staff_client):
    client = staff_client("superadmin")
    with app.app_context():
        food = Category.objects.get(slug="food")
        coffee = Category.objects.get(slug="coffee")
    form = client.get(f"/admin/categories/edit/?id={food.id}")
    client.post(f"/admin/categories/edit/?id={food.id}", data={
        "name": food.name, "slug": food.slug, "icon": "", "parent_id": coffee.id,
        "order": "0", "is_active": "y", "csrf_token": csrf_token(form)})
    with app.app_context():
        assert Category.objects.get(slug="food").parent_id is None


def delete(client, category_id):
    listing = client.get("/admin/categories/")
    return client.post("/admin/categories/delete/", data={
        "id": category_id, "url": "/admin/categories/", "csrf_token": csrf_token(listing)},
        follow_redirects=True)


def test_deleting_a_category_in_use_is_refused_with_the_reason(app, staff_client):
    client = staff_client("superadmin")
    owner = factories.person(app, "+79160000001")
    with app.app_context():
        food = Category.objects.get(slug="food")
        flowers = Category.objects.get(slug="flowers")
    factories.business(app, owner, slug="flower-shop", category_ids=[flowers.id])
    parent = delete(client, food.id).get_data(as_text=True)
    assert "sub-categories" in parent or "подкатегор" in parent
    used = delete(client, flowers.id).get_data(as_text=True)
    assert "businesses" in used or "бизнес" in used
    with app.app_context():
        assert Category.objects(id__in=[food.id, flowers.id]).count() == 2
        unused = Category.objects.get(slug="tutors")
    delete(client, unused.id)
    with app.app_context():
        assert Category.objects(slug="tutors").count() == 0
        trail = AuditEntry.objects(target_type="category", target_id=unused.id).first()
        assert trail.action == "delete" and trail.changes["slug"]["before"] == "tutors"


def test_creates_and_edits_are_in_the_audit_log(app, staff_client):
    client = staff_client("superadmin")
    new_category(client, name="Аудит", slug="audited")
    with app.app_context():
        category = Category.objects.get(slug="audited")
    form = client.get(f"/admin/categories/edit/?id={category.id}")
    client.post(f"/admin/categories/edit/?id={category.id}", data={
        "name": "Аудит 2", "slug": "audited", "icon": "", "parent_id": "", "order": "7",
        "is_active": "y", "csrf_token": csrf_token(form)}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    with app.app_context():
        entries = list(AuditEntry.objects(target_id=category.id).order_by("at"))
        admin = User.objects.get(phone=ROLE_PHONES["superadmin"])
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[0].changes["name"] == {"before": None, "after": "Аудит"}
    assert entries[1].changes["name"] == {"before": "Аудит", "after": "Аудит 2"}
    assert entries[1].changes["order"] == {"before": 5, "after": 7}
    assert entries[1].actor_id == admin.id and entries[1].ip == "10.1.2.3"
    assert entries[1].area == "admin"


def test_the_audit_log_cannot_be_edited_or_deleted(app, staff_client):
    client = staff_client("superadmin")
    new_category(client, name="След", slug="trail")
    with app.app_context():
        entry = AuditEntry.objects.first()
    assert client.get(f"/admin/audit/edit/?id={entry.id}").status_code == 302
    assert "delete" not in client.get("/admin/audit/").get_data(as_text=True).lower()
    # Even a well-formed delete request (a valid token from another page) deletes nothing.
    token = csrf_token(client.get("/admin/categories/"))
    client.post("/admin/audit/delete/", data={"id": entry.id, "csrf_token": token})
    with app.app_context():
        assert AuditEntry.objects(id=entry.id).count() == 1


def test_phones_are_masked_except_for_support_and_superadmins(app, staff_client):
    factories.person(app, "+79161234567", "Клиент")
    assert "+79161234567" in staff_client("support").get("/admin/users/").get_data(True)
    moderator_page = staff_client("moderator").get("/admin/users/").get_data(True)
    assert "+79161234567" not in moderator_page and "+7916*****67" in moderator_page


def test_platform_roles_are_granted_by_superadmins_only(app, staff_client):
    target = factories.person(app, "+79161234567")
    moderator = staff_client("moderator")
    page = moderator.get(f"/admin/users/details/?id={target.id}")
    refused = moderator.post(f"/admin/users/{target.id}/roles/grant",
                             data={"role": "support", "csrf_token": csrf_token(page)})
    assert refused.status_code == 403
    superadmin = staff_client("superadmin")
    page = superadmin.get(f"/admin/users/details/?id={target.id}")
    superadmin.post(f"/admin/users/{target.id}/roles/grant",
                    data={"role": "support", "csrf_token": csrf_token(page)})
    with app.app_context():
        assert User.objects.get(id=target.id).platform_roles == ["support"]
        entry = AuditEntry.objects.get(action="role_grant")
        assert entry.changes == {"platformRoles": {"before": [], "after": ["support"]}}


def test_the_user_page_lists_businesses_and_subscriptions(app, staff_client):
    owner = factories.person(app, "+79161234567", "Владелец")
    business = factories.business(app, owner, name="Пекарня Ромашка", slug="romashka")
    with app.app_context():
        from app.businesses import subscriptions

        subscriptions.subscribe(owner, business)
    page = staff_client("support").get(f"/admin/users/details/?id={owner.id}").get_data(True)
    assert page.count("Пекарня Ромашка") == 2  # a business of theirs, and a subscription


def test_the_member_role_templates_are_edited_by_superadmins(app, staff_client):
    assert staff_client("moderator").get("/admin/member-roles/edit/?id=operator").status_code \
        == 302
    assert staff_client("superadmin").get("/admin/member-roles/edit/?id=operator").status_code \
        == 200


def test_a_lazily_translated_flash_message_reads_as_text(app, staff_client):
    from flask import flash
    from flask_babel import lazy_gettext

    def flashing():
        flash(lazy_gettext("Give a reason (3 to 500 characters)."), "error")
        return "ok"

    app.add_url_rule("/admin/flash-probe", "flash_probe", flashing)  # before any request
    client = staff_client("superadmin")
    client.get("/admin/flash-probe")
    page = client.get("/admin/").get_data(as_text=True)
    assert "['" not in page
    assert "Укажите причину" in page or "Give a reason" in page


def test_signing_out_needs_the_form_token(staff_client):
    client = staff_client("support")
    client.post("/admin/logout")  # a cross-site form cannot sign anyone out
    assert client.get("/admin/").status_code == 200
    page = client.get("/admin/")
    client.post("/admin/logout", data={"csrf_token": csrf_token(page)})
    assert client.get("/admin/").status_code == 302


def test_role_templates_list_their_permissions_by_name(staff_client):
    page = staff_client("support").get("/admin/member-roles/").get_data(as_text=True)
    assert "Permissions object" not in page
    assert "Отвечать клиентам" in page


def test_a_superadmin_revokes_roles_but_not_their_own_superadmin(app, staff_client):
    client = staff_client("superadmin")
    with app.app_context():
        me = User.objects.get(phone=ROLE_PHONES["superadmin"])
        target = factories.person(app, "+79161234567")
        User.objects(id=target.id).update_one(set__platform_roles=["support"])
    page = client.get(f"/admin/users/details/?id={target.id}")
    client.post(f"/admin/users/{target.id}/roles/revoke",
                data={"role": "support", "csrf_token": csrf_token(page)})
    page = client.get(f"/admin/users/details/?id={me.id}")
    client.post(f"/admin/users/{me.id}/roles/revoke",
                data={"role": "superadmin", "csrf_token": csrf_token(page)})
    with app.app_context():
        assert User.objects.get(id=target.id).platform_roles == []
        assert User.objects.get(id=me.id).platform_roles == ["superadmin"]
        assert AuditEntry.objects(action="role_revoke").count() == 1


def test_a_session_ends_after_the_idle_time(staff_client):
    from app import clock

    client = staff_client("support")
    clock.advance(29 * 60)
    assert client.get("/admin/").status_code == 200  # a request moves the expiry on
    clock.advance(29 * 60)
    assert client.get("/admin/").status_code == 200
    clock.advance(31 * 60)
    assert client.get("/admin/").status_code == 302
