"""The widget tests' world: a business with its owner, and its settings written as the
cabinet and the bot's settings would write them."""

import pytest

from app.businesses import bot_settings, widget_settings
from app.models import BusinessSettings, User
from tests import factories

OWNER = "+79160000021"
# Monday to Friday 09:00-18:00 in Moscow (UTC+3).
WEEKDAYS_9_TO_6 = {"timezone": "Europe/Moscow", "days": {
    day: [{"open": "09:00", "close": "18:00"}] for day in ("mon", "tue", "wed", "thu", "fri")}}


@pytest.fixture
def shop(app):
    """A public business "Кофейня" (slug `coffee`) with its owner."""
    owner = factories.person(app, OWNER, "Анна")
    business = factories.business(app, owner, "Кофейня", slug="coffee")
    return {"id": business.id, "owner": owner.id, "slug": "coffee"}


def configure(app, shop, **changes):
    """Change the shop's widget settings as its owner does in the cabinet."""
    from app.models import Business

    with app.app_context():
        owner = User.objects.get(id=shop["owner"])
        return widget_settings.update(Business.objects.get(id=shop["id"]), owner, changes)


def set_bot(app, shop, **changes):
    """Change the shop's bot settings (greeting, hours) as its owner does."""
    from app.models import Business

    with app.app_context():
        owner = User.objects.get(id=shop["owner"])
        bot_settings.update(Business.objects.get(id=shop["id"]), owner, changes)
        return BusinessSettings.objects.get(business_id=shop["id"])


# --- the browser tests (test_widget_*browser.py): one server per module -------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(live server over the demo data, the shop's origin, another origin): the shop's
    origin serves /shop.html with the snippet; the other one is not on any allowed list."""
    from tests.live_server import running_server
    from tests.widget.browser_world import framing_page, host_site, shop_page

    with running_server(tmp_path_factory.mktemp("widget"), ("seed-demo",),
                        SMS_RESEND_SECONDS="0") as server:
        pages = {}
        with host_site(pages) as port:
            pages["/shop.html"] = shop_page(server.base)
            pages["/stolen.html"] = framing_page(server.base)
            yield server, f"http://127.0.0.1:{port}", f"http://localhost:{port}", pages


@pytest.fixture(scope="module")
def browser():
    from tests.live_server import chromium

    with chromium() as launched:
        yield launched
