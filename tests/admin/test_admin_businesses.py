"""Businesses in the back office: edits under the API's rules, moderation, the owner, QR."""

from app.models import AuditEntry, Business, BusinessMember
from tests import factories
from tests.admin.conftest import csrf_token


def make(app):
    owner = factories.person(app, "+79160000001", "Владелец")
    business = factories.business(app, owner, name="Кофейня Зерно", slug="zerno")
    return owner, business


def edit(client, business, **fields):
    form = client.get(f"/admin/businesses/edit/?id={business.id}")
    data = {"name": business.name, "slug": business.slug, "description": "",
            "is_public": "y", "is_active": "y", "csrf_token": csrf_token(form), **fields}
    return client.post(f"/admin/businesses/edit/?id={business.id}", data=data,
                       follow_redirects=True)


def test_edits_follow_the_slug_rules_and_keep_redirects(app, staff_client):
    client = staff_client("superadmin")
    _owner, business = make(app)
    refused = edit(client, business, slug="admin").get_data(as_text=True)
    assert "reserved" in refused or "зарезервирован" in refused
    edit(client, business, slug="zerno-coffee", name="Зерно")
    with app.app_context():
        stored = Business.objects.get(id=business.id)
        assert (stored.slug, stored.name) == ("zerno-coffee", "Зерно")
        assert AuditEntry.objects.get(target_id=business.id, action="update") \
            .changes["slug"] == {"before": "zerno", "after": "zerno-coffee"}
    assert app.test_client().get("/api/businesses/slug/zerno").status_code == 301


def test_moderators_block_and_the_business_disappears(app, staff_client):
    _owner, business = make(app)
    support = staff_client("support")
    page = support.get("/admin/login")  # support's own page has no forms: any valid token
    assert support.post(f"/admin/businesses/{business.id}/moderate/block",
                        data={"reason": "fraud", "csrf_token": csrf_token(page)}).status_code \
        == 403
    moderator = staff_client("moderator")
    page = moderator.get(f"/admin/businesses/details/?id={business.id}")
    moderator.post(f"/admin/businesses/{business.id}/moderate/block",
                   data={"reason": "Мошенничество", "csrf_token": csrf_token(page)})
    public = app.test_client()
    assert public.get("/b/zerno").status_code == 404
    assert public.get("/api/businesses/slug/zerno").status_code == 404
    with app.app_context():
        entry = AuditEntry.objects.get(target_id=business.id, action="block")
        assert entry.reason == "Мошенничество"
        assert entry.changes["blocked"] == {"before": False, "after": True}


def test_a_block_needs_a_reason(app, staff_client):
    _owner, business = make(app)
    moderator = staff_client("moderator")
    page = moderator.get(f"/admin/businesses/details/?id={business.id}")
    moderator.post(f"/admin/businesses/{business.id}/moderate/block",
                   data={"reason": "", "csrf_token": csrf_token(page)})
    with app.app_context():
        assert Business.objects.get(id=business.id).blocked is False


def test_superadmins_change_the_owner(app, staff_client):
    owner, business = make(app)
    operator = factories.person(app, "+79160000002", "Оператор")
    factories.member(app, business.id, operator.id, "operator")
    moderator = staff_client("moderator")
    page = moderator.get(f"/admin/businesses/details/?id={business.id}")
    assert moderator.post(f"/admin/businesses/{business.id}/owner",
                          data={"user_id": operator.id, "csrf_token": csrf_token(page)}) \
        .status_code == 403
    client = staff_client("superadmin")
    page = client.get(f"/admin/businesses/details/?id={business.id}")
    assert "Оператор" in page.get_data(as_text=True)  # the team is listed
    client.post(f"/admin/businesses/{business.id}/owner",
                data={"user_id": operator.id, "csrf_token": csrf_token(page)})
    with app.app_context():
        assert Business.objects.get(id=business.id).owner_id == operator.id
        roles = {m.user_id: m.role for m in BusinessMember.objects(business_id=business.id)}
        assert roles == {operator.id: "owner", owner.id: "manager"}


def test_the_qr_code_downloads(app, staff_client):
    _owner, business = make(app)
    client = staff_client("support")
    pdf = client.get(f"/admin/businesses/{business.id}/qr.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/admin/businesses/{business.id}/qr.svg").mimetype == "image/svg+xml"
    assert staff_client("nobody").get(f"/admin/businesses/{business.id}/qr.svg").status_code \
        == 403


def test_filters_by_blocked_and_public(app, staff_client):
    owner, business = make(app)
    factories.business(app, owner, name="Скрытая лавка", slug="hidden-shop", is_public=False)
    client = staff_client("support")
    # Filter 8 is "is_public equals" (Flask-Admin numbers every filter operation).
    hidden_only = client.get("/admin/businesses/?flt0_8=0").get_data(as_text=True)
    assert "Скрытая лавка" in hidden_only and "Кофейня Зерно" not in hidden_only
