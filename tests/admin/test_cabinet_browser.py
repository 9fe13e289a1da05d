"""The owner's walk through the business cabinet in headless Chromium against gunicorn on a
fresh embedded store (`flask migrate`, `flask seed-demo`): sign in at /cabinet/login with the
code from the SMS log, edit the business, invite an operator by phone, download the PDF QR
code. Screenshots go to test-output/screenshots/cabinet-*.png; no console errors allowed."""

import pytest
import requests

from app.accounts.platform_roles import mask_phone
from tests.live_server import SCREENSHOTS, chromium, running_server

OWNER = "+79990000001"  # Анна, the owner of the first demo businesses
INVITEE = "+79990000077"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("cabinet-live"), ("seed-demo",)) as live:
        yield live


@pytest.fixture
def page(server):
    with chromium() as browser:
        context = browser.new_context(base_url=server.base, locale="ru-RU",
                                      viewport={"width": 1280, "height": 900},
                                      accept_downloads=True)
        context.set_default_timeout(15000)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda message: message.type == "error"
                and page.console_errors.append(f"{message.text} ({message.location.get('url')})"))
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        page.on("response", lambda response: response.status >= 400
                and page.console_errors.append(f"{response.status} {response.url}"))
        yield page
        context.close()


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"cabinet-{name}.png"), full_page=True)


def test_owner_edits_the_business_invites_an_operator_and_downloads_the_pdf(page, server,
                                                                               tmp_path):
    from playwright.sync_api import expect

    # Signed out, the cabinet sends to its login page; phone, then the code from the SMS.
    page.goto("/cabinet/")
    expect(page).to_have_url(f"{server.base}/cabinet/login?next=/cabinet/")
    page.fill("#phone", "8 999 000-00-01")
    shot(page, "01-login")
    page.click("#get-code")
    expect(page.locator("#code")).to_be_visible()
    page.fill("#code", server.code_for(OWNER))
    page.click("#sign-in")
    expect(page).to_have_url(f"{server.base}/cabinet/")

    # My businesses, with my role; into the coffee shop.
    businesses = page.locator("#my-businesses a")
    expect(businesses).to_have_count(2)
    coffee = businesses.filter(has_text="Кофейня на Арбате")
    expect(coffee.locator("[data-role=owner]")).to_be_visible()
    shot(page, "02-my-businesses")
    coffee.click()
    expect(page.locator("#business-name")).to_have_text("Кофейня на Арбате")
    expect(page.locator("#subscriber-total")).to_have_text("5")
    shot(page, "03-overview")
    business_url = page.url.rstrip("/")

    # Edit: the name and the page address (with the warning), then save.
    page.locator("#sections a[href$='/edit']").click()
    expect(page.locator("#slug-warning")).to_be_visible()
    page.fill("#name", "Кофейня на Арбате у метро")
    page.fill("#description", "Кофе, десерты и завтраки весь день. Рядом с метро.")
    page.fill("#slug", "kofe-u-metro")
    page.locator("#save-business").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#business-name")).to_have_text("Кофейня на Арбате у метро")
    expect(page.locator("#slug")).to_have_value("kofe-u-metro")
    shot(page, "04-edit-saved")
    moved = requests.get(f"{server.base}/api/businesses/slug/kofeinia-na-arbate",
                         allow_redirects=False, timeout=10)
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/api/businesses/slug/kofe-u-metro")

    # The team: invite an operator by phone; the invitation waits for their answer, and shows
    # the phone masked until then.
    page.locator("#sections a[href$='/team']").click()
    page.fill("#phone", "+7 999 000-00-77")
    page.select_option("#role", "operator")
    page.locator("#invite").click()
    invited = page.locator(f"#team tr[data-phone='{mask_phone(INVITEE)}']")
    expect(invited).to_have_attribute("data-status", "invited")
    expect(invited).to_have_attribute("data-role", "operator")
    shot(page, "05-team-invited")

    # The QR code: download the print-ready PDF card.
    page.locator("#sections a[href$='/qr']").click()
    expect(page.locator("#qr-preview")).to_be_visible()
    shot(page, "06-qr")
    with page.expect_download() as download_info:
        page.locator("#qr-pdf").click()
    download = download_info.value
    assert download.suggested_filename == "kofe-u-metro-qr.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    # Statistics and the bot's settings render too.
    page.goto(f"{business_url}/stats")
    expect(page.locator("#stat-subscribers")).to_have_text("5")
    expect(page.locator("#chart-subscribers svg")).to_be_visible()
    shot(page, "07-stats")
    page.goto(f"{business_url}/bot")
    page.fill("#mon", "09:00-18:00")
    page.fill("#timezone", "Europe/Moscow")
    page.locator("#save-bot").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#mon")).to_have_value("09:00-18:00")
    shot(page, "08-bot")

    assert page.console_errors == []
