"""The customers' own pages through the Flask test client: /my/dialogs, a dialog, /my/feed and
a business's channel page answer with their shells and scripts (no inline code); the channel
page answers a former slug, a hidden, blocked or deleted business as the landing page does;
the landing page links to it."""

import json
import re
from datetime import datetime

import pytest

from app.businesses import businesses
from app.models import Business
from tests.channels.channel_world import publish
from tests.conversations.dialog_world import make_world

RU = {"Accept-Language": "ru"}
EN = {"Accept-Language": "en"}


@pytest.fixture
def world(app, client):
    return make_world(app, client)


def slug_of(app, world):
    with app.app_context():
        return Business.objects.get(id=world.business_id).slug


def scripts(html):
    return re.findall(r'<script src="/static/js/([a-z-]+\.js)\?v=[0-9a-f]{12}" defer>', html)


def words(html):
    return json.loads(re.search(r'<script type="application/json" id="i18n">(.*?)</script>',
                                html, re.S).group(1))


def assert_no_inline_code(html):
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)
    for attributes in re.findall(r"<script([^>]*)>", html):
        assert "src=" in attributes or "application/" in attributes, attributes


@pytest.mark.parametrize("path,script,heading", [
    ("/my/dialogs", "dialogs.js", "My dialogs"),
    ("/my/dialogs/cnv_abc123", "dialog.js", "Dialog"),
    ("/my/feed", "feed.js", "My feed"),
])
def test_my_pages_are_shells_with_their_scripts(client, path, script, heading):
    response = client.get(path, headers=EN)
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert script in scripts(html) and "api.js" in scripts(html)
    assert f">{heading}</h1>" in html
    assert '<meta name="robots" content="noindex">' in html  # one person's page
    assert '<html lang="en">' in html and '<main id="main"' in html
    assert '/static/css/customer-pages.css?v=' in html
    assert_no_inline_code(html)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_the_dialog_page_carries_its_dialog_and_the_live_client(client):
    html = client.get("/my/dialogs/cnv_abc123").get_data(as_text=True)
    assert 'data-dialog-id="cnv_abc123"' in html
    assert scripts(html).index("live.js") < scripts(html).index("dialog.js")
    assert '<label class="visually-hidden" for="text">' in html  # the message box is named
    given = words(html)
    assert {"typing", "sent", "read", "failed", "liveLimited", "offline"} <= set(given)
    assert given["unread"]["other"].startswith("{n}")
    # Not a dialog's id: no page.
    assert client.get("/my/dialogs/usr_abc123").status_code == 404
    assert client.get("/my/dialogs/cnv_<b>").status_code == 404


def test_the_feed_page_has_the_post_words(client):
    html = client.get("/my/feed", headers=RU).get_data(as_text=True)
    assert scripts(html)[-2:] == ["posts.js", "feed.js"]
    assert words(html)["comments"]["few"] == "{n} комментария"


def test_the_channel_page_shows_the_business_and_its_scripts(app, client, world):
    slug = slug_of(app, world)
    response = client.get(f"/b/{slug}/channel", headers=EN)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Channel of Кофейня</h1>" in html
    assert f'data-business-id="{world.business_id}"' in html
    assert f'href="/b/{slug}">About the business</a>' in html
    assert f'<link rel="canonical" href="http://bank.test/b/{slug}/channel">' in html
    assert 'name="robots"' not in html
    assert scripts(html)[-4:] == ["live.js", "posts.js", "comments.js", "channel.js"]
    assert "reactions" in words(html) and "signInToComment" in words(html)
    assert_no_inline_code(html)


def test_a_business_hidden_from_the_catalog_has_its_channel_page_unindexed(app, client, world):
    with app.app_context():
        Business.objects(id=world.business_id).update_one(set__is_public=False)
    response = client.get(f"/b/{slug_of(app, world)}/channel")
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex">' in response.get_data(as_text=True)


@pytest.mark.parametrize("change", [{"set__blocked": True}, {"set__hidden": True},
                                    {"set__deleted_at": datetime(2026, 1, 1)},
                                    {"set__is_active": False}])
def test_the_channel_page_is_a_404_where_the_landing_page_is(app, client, world, change):
    slug = slug_of(app, world)
    with app.app_context():
        Business.objects(id=world.business_id).update_one(**change)
    for path in (f"/b/{slug}", f"/b/{slug}/channel"):
        response = client.get(path, headers=RU)
        assert response.status_code == 404 and response.mimetype == "text/html", path
        html = response.get_data(as_text=True)
        assert "Такого бизнеса нет." in html and "Кофейня" not in html
    assert client.get("/b/no-such-business/channel").status_code == 404


def test_a_former_slug_of_the_channel_page_redirects_permanently(app, client, world):
    with app.app_context():
        business = Business.objects.get(id=world.business_id)
        old = business.slug
        businesses.change_slug(business, "coffee-channel")
    response = client.get(f"/b/{old}/channel?utm_source=qr")
    assert response.status_code == 301
    assert response.headers["Location"] == "/b/coffee-channel/channel?utm_source=qr"
    assert client.get("/b/COFFEE-CHANNEL/channel").headers["Location"] == \
        "/b/coffee-channel/channel"
    assert client.get("/b/coffee-channel/channel").status_code == 200


def test_the_landing_page_links_to_all_posts(app, client, world):
    slug = slug_of(app, world)
    assert "All posts" not in client.get(f"/b/{slug}", headers=EN).get_data(as_text=True)
    publish(client, world, world.owner, "Открылись!")
    html = client.get(f"/b/{slug}", headers=EN).get_data(as_text=True)
    assert f'<a href="/b/{slug}/channel" id="all-posts">All posts</a>' in html
