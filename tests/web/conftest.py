"""A live server and a real browser for the walk-through tests (tests/live_server.py):
gunicorn (as in production) on a free 127.0.0.1 port over a fresh embedded store filled by
`flask migrate` and `flask seed-demo`, and Debian's Chromium driven by Playwright."""

import pytest

from tests.live_server import Watched, chromium, running_server


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("live"), ("seed-demo",)) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def open_page(browser, live_server):
    """open_page(**context options) → a Watched page in a new browser context (Russian), on
    the live server; the contexts are closed after the test."""
    contexts = []

    def opener(**options):
        context = browser.new_context(base_url=live_server.base, locale="ru-RU", **options)
        context.set_default_timeout(15000)
        contexts.append(context)
        return Watched(context.new_page())

    yield opener
    for context in contexts:
        context.close()


@pytest.fixture
def phone_page(open_page):
    """A phone-sized page (390×844), allowed to know it is near the Arbat in Moscow."""
    return open_page(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                     is_mobile=True, has_touch=True, permissions=["geolocation"],
                     geolocation={"latitude": 55.7522, "longitude": 37.5990})


@pytest.fixture
def desktop_page(open_page):
    return open_page(viewport={"width": 1280, "height": 900})
