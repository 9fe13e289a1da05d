"""When the server refuses a live stream because its person holds too many (429), the widget's
chat and the cabinet's inbox say so, and ask again only after Retry-After: never in a tight
loop. Headless Chromium against gunicorn with LIVE_STREAMS_PER_IDENTITY=0, so every stream is
refused; the page's timers run on Playwright's clock, so the waits are exact."""

import pytest
import requests
from playwright.sync_api import expect

from tests.live_server import Watched, chromium, running_server, sign_in_cabinet

OWNER = "+79990000001"  # Анна, owner of "Кофейня на Арбате" in the demo data
SLUG = "kofeinia-na-arbate"
LIMITED = "Слишком много"  # the start of the server's message, in Russian


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("refused"), ("seed-demo",),
                        LIVE_STREAMS_PER_IDENTITY="0") as live:
        yield live


def stream_requests(page):
    asked = []
    page.on("request", lambda r: "/stream" in r.url and asked.append(r.url))
    return asked


def waits_for_retry_after(page, asked):
    """One stream request so far; none more within the 15 s of Retry-After; one after."""
    assert len(asked) == 1
    page.clock.run_for(14_000)
    assert len(asked) == 1
    with page.expect_response(lambda r: "/stream" in r.url) as again:
        page.clock.run_for(6_000)  # 15 s and the random spread of at most a quarter more
    assert again.value.status == 429 and len(asked) == 2


def test_the_widget_says_too_many_chats_are_open_and_waits(server):
    with chromium() as browser:
        page = browser.new_page(locale="ru-RU")
        page.clock.install()
        watched = Watched(page, "refused-")
        asked = stream_requests(page)
        page.goto(f"{server.base}/widget/{SLUG}")
        page.fill("#text", "Здравствуйте")
        page.press("#text", "Enter")
        expect(page.locator("#live-note")).to_contain_text(LIMITED)
        expect(page.locator("#chat")).to_have_attribute("data-live", "limited")
        waits_for_retry_after(page, asked)
        page.evaluate("1")  # a round trip: the console has reported the second refusal
        watched.expect_failed_request(429)
        watched.shot("widget")
        watched.assert_clean()


def test_the_inbox_says_too_many_live_connections_are_open_and_waits(server):
    with chromium() as browser:
        page = browser.new_page(base_url=server.base, locale="ru-RU")
        sign_in_cabinet(page, server, OWNER)
        business_id = requests.get(f"{server.base}/api/businesses/slug/{SLUG}",
                                   timeout=10).json()["data"]["id"]
        page.clock.install()
        watched = Watched(page, "refused-")
        asked = stream_requests(page)
        page.goto(f"/cabinet/b/{business_id}/inbox")
        expect(page.locator("#live-state")).to_contain_text(LIMITED)
        expect(page.locator("#live-state")).to_have_attribute("data-state", "limited")
        waits_for_retry_after(page, asked)
        page.evaluate("1")  # a round trip: the console has reported the second refusal
        watched.expect_failed_request(429)
        watched.shot("inbox")
        watched.assert_clean()
