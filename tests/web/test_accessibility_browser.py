"""Every page, at a phone's size (390×844) and a desktop's (1280×900), in headless Chromium
against gunicorn over the demo data (`flask seed-demo`, `flask create-admin`): axe-core finds
no violation of the WCAG 2.0/2.1 A and AA rules, and nothing scrolls sideways
(tests/web/accessibility.py). The public pages and error pages as anyone, the customer's own
pages signed in, the widget's chat, the business cabinet as the owner of the demo coffee
shop, and the back office as a platform admin: each of its lists, a form, details, the
reports, the dead letters.

One server for the module; one browser context per role and size, signed in once per role
(the second size reuses the first one's cookies and storage)."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from tests.live_server import fill_sign_in_form, running_server, sign_in_cabinet
from tests.web.accessibility import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_horizontal_scroll,
    axe_source,
)

ADMIN = "+79990009999"
OWNER = "+79990000001"  # Анна: the demo coffee shop and bakery, with dialogs waiting
COFFEE = "Кофейня на Арбате"  # her coffee shop: a team, dialogs, channel posts
CUSTOMER = "+79990000004"  # Олег: dialogs, a feed, subscriptions, a team invitation
SIZES = {"390x844": PHONE, "1280x900": DESKTOP}
# What a page shows while it fetches its content (an element with role=status).
LOADING = ("Загрузка…", "Loading…")
LOADED = """loading => ![...document.querySelectorAll('[role=status]')]
    .some(element => loading.includes(element.textContent.trim()))"""


def add_a_filter(page):
    """A list view's filter, added from its menu as a person would: its condition and value
    controls appear (built by Flask-Admin's filters.js)."""
    page.locator(".nav-tabs .dropdown-toggle").filter(has_text="Добавить фильтр").click()
    page.locator(".field-filters .filter").filter(has_text="В каталоге").click()
    page.locator("table.filters .filter-val").first.wait_for(state="attached")


def try_an_operation(page):
    """The API docs as someone trying the API: an operation with a body opened, "Try it out"
    pressed (its body editor and buttons shown), and a schema opened all the way down."""
    page.locator(".opblock-post .opblock-summary-control").first.click()
    page.locator(".opblock-post .try-out__btn").first.click()
    page.locator("textarea.body-param__text").first.wait_for()
    page.locator("section.models .json-schema-2020-12-expand-deep-button").first.click()
    page.locator("section.models .json-schema-2020-12-body").first.wait_for()


@dataclass(frozen=True)
class Visit:
    name: str
    role: str  # anyone, customer, owner, admin
    path: str  # may name the places found on the demo data: {slug}, {business}, …
    ready: str = ""  # a selector shown once the page has its content
    status: int = 200
    then: Callable[[Page], None] | None = None  # done on the page before the checks


VISITS = [
    # The public site, as anyone.
    Visit("home", "anyone", "/"),
    Visit("catalog", "anyone", "/catalog", "#results li"),
    Visit("business page", "anyone", "/b/{slug}", "#business-name"),
    Visit("channel page", "anyone", "/b/{slug}/channel", "#posts article"),
    Visit("sign-in page", "anyone", "/login", "#phone"),
    Visit("offline page", "anyone", "/offline"),
    Visit("404 page", "anyone", "/no-such-page", status=404),
    Visit("404 page of a business", "anyone", "/b/no-such-business", status=404),
    Visit("405 page", "anyone", "/cabinet/logout", status=405),
    Visit("widget chat", "anyone", "/widget/{slug}"),
    # Every operation drawn (Swagger UI 4 could not read OpenAPI 3.1 and drew an error).
    Visit("API docs", "anyone", "/api/docs", ".opblock-post", then=try_an_operation),
    # The customer's own pages, signed in.
    Visit("home, signed in", "customer", "/"),
    Visit("profile", "customer", "/profile", "#profile:not([hidden])"),
    Visit("my dialogs", "customer", "/my/dialogs", "#dialogs[data-live=open] li"),
    Visit("my dialog", "customer", "{my_dialog}", "#chat[data-live=open] #messages li"),
    Visit("my feed", "customer", "/my/feed"),
    Visit("my subscriptions", "customer", "/my/subscriptions"),
    Visit("my businesses", "customer", "/my/businesses"),
    Visit("my invitations", "customer", "/my/invitations"),
    Visit("channel page, signed in", "customer", "/b/{slug}/channel",
          "#posts[data-live=open] article"),
    # The business cabinet, as the owner.
    Visit("cabinet sign-in", "anyone", "/cabinet/login", "#phone"),
    Visit("cabinet home", "owner", "/cabinet/", "#my-businesses"),
    Visit("cabinet new business", "owner", "/cabinet/new"),
    Visit("cabinet overview", "owner", "{business}/", "#business-name"),
    Visit("cabinet inbox", "owner", "{business}/inbox"),
    Visit("cabinet inbox, a dialog open", "owner", "{inbox_dialog}"),
    Visit("cabinet quick replies", "owner", "{business}/quick-replies"),
    Visit("cabinet channel", "owner", "{business}/channel"),
    Visit("cabinet channel post", "owner", "{channel_post}"),
    Visit("cabinet business", "owner", "{business}/edit", "#slug"),
    Visit("cabinet team", "owner", "{business}/team"),
    Visit("cabinet bot", "owner", "{business}/bot"),
    Visit("cabinet widget", "owner", "{business}/widget"),
    Visit("cabinet QR code", "owner", "{business}/qr"),
    Visit("cabinet statistics", "owner", "{business}/stats"),
    Visit("cabinet 404 page", "owner", "/cabinet/b/no-such-business/", status=404),
    # The back office, as a platform admin.
    Visit("admin sign-in", "anyone", "/admin/login", "#phone"),
    Visit("admin dashboard", "admin", "/admin/"),
    Visit("admin users", "admin", "/admin/users/"),
    Visit("admin user", "admin", "{admin_users_details}"),
    Visit("admin businesses", "admin", "/admin/businesses/"),
    Visit("admin businesses, searched and filtered", "admin", "/admin/businesses/?search=Коф",
          then=add_a_filter),
    Visit("admin business", "admin", "{admin_businesses_details}"),
    Visit("admin business edit", "admin", "{admin_businesses_edit}"),
    Visit("admin categories", "admin", "/admin/categories/"),
    Visit("admin category", "admin", "{admin_categories_details}"),
    Visit("admin new category", "admin", "/admin/categories/new/"),
    Visit("admin category edit", "admin", "{admin_categories_edit}"),
    Visit("admin members", "admin", "/admin/members/"),
    Visit("admin member", "admin", "{admin_members_details}"),
    Visit("admin subscriptions", "admin", "/admin/subscriptions/"),
    Visit("admin subscription", "admin", "{admin_subscriptions_details}"),
    Visit("admin member roles", "admin", "/admin/member-roles/"),
    Visit("admin member role edit", "admin", "{admin_member-roles_edit}"),
    Visit("admin platform roles", "admin", "/admin/platform-roles/"),
    Visit("admin report queue", "admin", "/admin/reports/"),
    Visit("admin report history", "admin", "/admin/reports/history"),
    Visit("admin all reports", "admin", "/admin/reports/all/"),
    Visit("admin report", "admin", "{admin_reports/all_details}"),
    Visit("admin SMS log", "admin", "/admin/sms/"),
    Visit("admin SMS", "admin", "{admin_sms_details}"),
    Visit("admin audit log", "admin", "/admin/audit/"),
    Visit("admin audit record", "admin", "{admin_audit_details}"),
    Visit("admin messaging sync", "admin", "/admin/messaging-sync/"),
    Visit("admin dead letters", "admin", "/admin/dead-letters/"),
    Visit("admin 404 page", "admin", "/admin/no-such-page", status=404),
    # A record that is not there: Flask-Admin goes back to the list with a flash message.
    Visit("admin flash message", "admin", "/admin/users/details/?id=usr_none", ".alert"),
]
# The back office's model lists whose first details (and edit) link the visits open.
ADMIN_DETAILS = ("users", "businesses", "categories", "members", "subscriptions",
                 "reports/all", "sms", "audit")
ADMIN_EDITS = ("businesses", "categories", "member-roles")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    axe_source()  # skipped (or, under CI, failed) before starting anything without axe-core
    with running_server(tmp_path_factory.mktemp("a11y-live"), ("seed-demo",),
                        ("create-admin", "--phone", ADMIN)) as server:
        yield server


def _sign_in(page, server, role):
    from playwright.sync_api import expect

    if role == "customer":
        page.goto("/login")
        fill_sign_in_form(page, server, CUSTOMER)
        expect(page).not_to_have_url(re.compile(r"/login"))
    elif role == "owner":
        sign_in_cabinet(page, server, OWNER)
    elif role == "admin":
        sign_in_cabinet(page, server, ADMIN, area="admin")


@pytest.fixture(scope="module")
def pages(browser, live_server):
    """pages(role, size) → a page of that role's context at that size, made once."""
    made, signed_in = {}, {}

    def page_for(role, size):
        if (role, size) not in made:
            context = browser.new_context(base_url=live_server.base, locale="ru-RU",
                                          storage_state=signed_in.get(role), **SIZES[size])
            context.set_default_timeout(15000)
            page = context.new_page()
            if role != "anyone" and role not in signed_in:
                _sign_in(page, live_server, role)
                signed_in[role] = context.storage_state()
            made[role, size] = page
        return made[role, size]

    yield page_for
    for page in made.values():
        page.context.close()


def _first_href(page, path, selector):
    page.goto(path)
    link = page.locator(selector).first
    link.wait_for(state="attached")
    href = link.get_attribute("href")
    split = urlsplit(href)
    return split.path + (f"?{split.query}" if split.query else "")


def find_places(customer, owner, admin):
    """The addresses on the demo data that the visits name, found by following links as a
    person would, with pages signed in as a customer, the coffee shop's owner and an admin."""
    found = {}
    coffee = owner.locator("#my-businesses a").filter(has_text=COFFEE)
    owner.goto("/cabinet/")
    found["business"] = coffee.get_attribute("href").rstrip("/")
    found["slug"] = coffee.locator(".text-muted").text_content().strip().removeprefix("/b/")
    found["inbox_dialog"] = _first_href(owner, f"{found['business']}/inbox",
                                        "a[href*='dialog=']")
    found["channel_post"] = _first_href(owner, f"{found['business']}/channel",
                                        "a[href*='/channel/pst_']")
    found["my_dialog"] = _first_href(customer, "/my/dialogs", "#dialogs a[href*='/my/dialogs/']")
    for view in ADMIN_EDITS:
        found[f"admin_{view}_edit"] = _first_href(
            admin, f"/admin/{view}/", f"a[href*='/admin/{view}/edit/']")
    # A record for the audit log: a category saved unchanged.
    admin.goto(found["admin_categories_edit"])
    admin.locator("form.admin-form input[type=submit]").first.click()
    admin.locator(".alert-success").wait_for()
    for view in ADMIN_DETAILS:
        found[f"admin_{view}_details"] = _first_href(
            admin, f"/admin/{view}/", f"a[href*='/admin/{view}/details/']")
    return found


@pytest.fixture(scope="module")
def places(pages):
    return find_places(*(pages(role, "1280x900") for role in ("customer", "owner", "admin")))


def _ids(value):
    return value.name if isinstance(value, Visit) else value


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("visit", VISITS, ids=_ids)
def test_page_is_accessible_and_fits(visit, size, pages, places):
    page = pages(visit.role, size)
    path = visit.path.format(**places)
    where = f"{visit.name} ({path}) at {size}"
    response = page.goto(path)
    assert response.status == visit.status, f"{where}: HTTP {response.status}"
    if visit.ready:
        page.locator(visit.ready).first.wait_for()
    page.wait_for_function(LOADED, arg=list(LOADING))
    if visit.then:
        visit.then(page)
    assert_accessible(page, where)
    assert_no_horizontal_scroll(page, where)
