"""A platform admin's walk through the back office in headless Chromium against gunicorn on a
fresh embedded store (`flask migrate`, `flask seed-demo`, `flask create-admin`): sign in at
/admin with the code from the SMS log, create a nested category, find a business and block
it (its landing page then gives 404), act on a report in the queue, see the whole trail in
the audit log, and the dashboard's charts. Screenshots of every step go to
test-output/screenshots/admin-*.png; no step may log a console error or a page error."""

import re

import pytest
from playwright.sync_api import expect

from tests.live_server import Watched, chromium, running_server

ADMIN = "+79990009999"
BLOCKED = "Цветочная лавка"  # a demo business, found by name and blocked
REPORTED = "Автосервис Гараж"  # the demo business that two customers reported for spam
CATEGORY = ("Кофе с собой", "coffee-to-go", "Кофейни")  # name, slug, parent
INDENT = "\u2003"  # the categories list indents one em space per level


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("admin-live"), ("seed-demo",),
                        ("create-admin", "--phone", ADMIN)) as live:
        yield live


@pytest.fixture
def admin_page(browser, server):
    context = browser.new_context(base_url=server.base, locale="ru-RU",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    yield Watched(context.new_page(), prefix="admin-")
    context.close()


def exactly(text):
    """Matches a cell's whole text, whatever the template's whitespace around it."""
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def column(row, name):
    """A Flask-Admin list cell of `row` by field name."""
    return row.locator(f"td.col-{name}")


def test_admin_walk(admin_page, server):
    watched, page = admin_page, admin_page.page
    base = server.base

    # 1. Sign in: an anonymous visitor is sent to the login page; phone, then the SMS code.
    page.goto("/admin/")
    expect(page).to_have_url(f"{base}/admin/login?next=/admin/")
    page.fill("#phone", "8 999 000-99-99")
    watched.shot("01-login-phone")
    page.click("#get-code")
    expect(page.locator("#code")).to_be_visible()
    page.fill("#code", server.code_for(ADMIN))
    watched.shot("02-login-code")
    page.click("#sign-in")
    expect(page).to_have_url(f"{base}/admin/")

    # 2. A nested category: Categories → Create, with its parent chosen in the select.
    name, slug, parent = CATEGORY
    page.goto("/admin/categories/")
    page.locator(".nav-tabs a[href*='/admin/categories/new/']").click()
    expect(page.locator("#parent_id")).to_be_visible()
    page.fill("#name", name)
    page.fill("#slug", slug)
    parent_option = page.locator("#parent_id option").filter(has_text=exactly(parent))
    page.select_option("#parent_id", parent_option.get_attribute("value"))
    page.fill("#order", "9")
    watched.shot("03-category-form")
    page.locator("form.admin-form input[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/admin/categories/(\?.*)?$"))
    expect(page.locator(".alert-success")).to_be_visible()
    rows = page.locator("table.model-list tbody tr")
    created = rows.filter(has=page.locator("td.col-slug", has_text=exactly(slug)))
    expect(created).to_have_count(1)
    expect(column(created, "parent_id")).to_have_text(parent)
    # Indented under its parent, which is itself under "Еда и напитки": two levels deep,
    # listed right after the parent's other children.
    names = [text.strip(" \n\t") for text in column(rows, "name").all_text_contents()]
    assert INDENT * 2 + name in names, names
    assert INDENT + parent in names, names
    assert names.index(INDENT + parent) < names.index(INDENT * 2 + name)
    assert all(n.startswith(INDENT * 2) for n in
               names[names.index(INDENT + parent) + 1:names.index(INDENT * 2 + name) + 1])
    name_cell = column(created, "name")
    parent_cell = column(rows.filter(has=page.locator("td.col-name", has_text=exactly(parent))),
                         "name")
    assert _text_left(name_cell) > _text_left(parent_cell) + 5  # visibly further right
    created.scroll_into_view_if_needed()
    watched.shot("04-category-created")

    # 3. Find a business by name, open it, block it with a reason: its page is gone.
    page.goto("/admin/businesses/")
    page.fill("input[name=search]", BLOCKED.split()[0])
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]search="))
    found = page.locator("table.model-list tbody tr")
    expect(found).to_have_count(1)
    expect(column(found, "name")).to_have_text(BLOCKED)
    landing = f"/b/{column(found, 'slug').text_content().strip()}"
    watched.shot("05-business-search")
    found.locator("a[href*='/admin/businesses/details/']").click()
    expect(page.locator("table.searchable")).to_contain_text(BLOCKED)
    watched.shot("06-business-details")
    block = page.locator("form[action$='/moderate/block']")
    block.locator("input[name=reason]").fill("Продаёт запрещённые товары")
    block.locator("button[type=submit]").click()
    expect(page.locator("form[action$='/moderate/unblock']")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Продаёт запрещённые товары")
    watched.shot("07-business-blocked")
    watched.assert_clean()  # before the 404 on purpose, whose console error is forgiven
    response = page.goto(landing)
    assert response.status == 404, (landing, response.status)
    expect(page.locator("h1")).to_have_text("Страница не найдена")
    watched.expect_failed_request(404)  # the page's own status
    watched.shot("08-blocked-landing-404")

    # 4. The report queue: hide the reported business, with a reason; the queue empties.
    page.goto("/admin/reports/")
    queued = page.locator("tr[data-target]").filter(has_text=REPORTED)
    expect(queued).to_have_count(1)
    expect(queued).to_contain_text("× 2")  # two customers, one reason
    reported_landing = queued.locator("a[href*='/b/']").get_attribute("href")
    queued.locator("select[name=action]").select_option("hide")
    hide = queued.locator("select[name=action] option[value=hide]").text_content().strip()
    queued.locator("textarea[name=reason]").fill("Рассылает спам подписчикам")
    watched.shot("09-report-queue")
    queued.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text(hide)  # "Done: <action>, …"
    expect(page.locator("tr[data-target]").filter(has_text=REPORTED)).to_have_count(0)
    watched.shot("10-report-resolved")
    page.locator(".nav-tabs a[href$='/admin/reports/history']").click()
    expect(page.locator("tbody tr").filter(has_text=REPORTED)).to_have_count(2)
    watched.shot("11-report-history")
    watched.assert_clean()
    assert page.goto(reported_landing).status == 404  # hidden from the public
    watched.expect_failed_request(404)

    # 5. The audit log: the category, the block and the report's resolution, by this admin.
    page.goto("/admin/audit/")
    trail = page.locator("table.model-list tbody tr")
    for action, target in (("create", "category"), ("block", "business"),
                           ("hide", "business"), ("resolve_reports", "business")):
        entry = (trail.filter(has=page.locator("td.col-action", has_text=exactly(action)))
                 .filter(has=page.locator("td.col-target_type", has_text=exactly(target))))
        expect(entry, f"{action} {target}").to_have_count(1)
        # The admin has no name (create-admin sets none): they are shown by phone.
        expect(column(entry, "actor_name")).to_have_text(ADMIN)
        expect(column(entry, "area")).to_have_text("admin")
    expect(trail.filter(has_text="Продаёт запрещённые товары")).to_have_count(1)
    expect(trail.filter(has_text="Рассылает спам подписчикам")).to_have_count(2)
    expect(trail.filter(has_text=slug)).to_have_count(1)  # the new category's fields
    watched.shot("12-audit-log")

    # 6. The dashboard: totals, no open reports left, and the per-day charts.
    page.goto("/admin/")
    expect(page.locator("[data-total=openReports]")).to_have_attribute("data-value", "0")
    charts = page.locator("figure svg")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 1
    watched.shot("13-dashboard")
    watched.assert_clean()


def _text_left(cell):
    """Where the first visible character of a cell's text starts, in CSS pixels."""
    return cell.evaluate("""cell => {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.search(/[^\\s\\u2003]/);
            if (at >= 0) {
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + 1);
                return range.getBoundingClientRect().left;
            }
        }
        return null;
    }""")
