"""The loader (/widget.js) and the chat page of the iframe (/widget/<slug>): size, caching and
the headers that decide who may load and frame them."""

import gzip
import re

from app.businesses import widget_settings
from tests.widget.conftest import configure

LOADER_BUDGET_GZ = 4096


def test_the_loader_is_small_plain_js_and_cached_for_minutes(client):
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert len(gzip.compress(response.data, 9)) < LOADER_BUDGET_GZ
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    etag = response.headers["ETag"]
    again = client.get("/widget.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_the_loader_posts_only_to_our_exact_origin_and_sandboxes_the_frame(client):
    source = client.get("/widget.js").get_data(as_text=True)
    assert "'*'" not in source and '"*"' not in source  # never postMessage(…, "*")
    assert "postMessage(message, origin)" in source
    assert 'attachShadow({ mode: "closed" })' in source
    sandbox = re.search(r'setAttribute\("sandbox", ("[^)]*)\)', source).group(1)
    assert set(re.findall(r"allow-[a-z-]+", sandbox)) == {
        "allow-scripts", "allow-same-origin", "allow-forms", "allow-popups",
        "allow-popups-to-escape-sandbox"}
    # The only global it defines.
    assert re.findall(r"window\.(\w+)\s*=", source) == ["BankWidget"]
    # Compacted for websites: the source's comments are left out.
    assert source.count("/*") == 1 and "//" not in source.replace("://", "")


def test_the_chat_page_may_be_framed_only_by_the_allowed_websites(app, client, shop):
    configure(app, shop, allowedOrigins=["https://shop.example", "http://localhost:8000/"])
    response = client.get("/widget/coffee?origin=https://shop.example")
    assert response.status_code == 200
    policy = response.headers.get_all("Content-Security-Policy")
    assert len(policy) == 1  # the site-wide header did not add a second one
    directives = dict(part.split(" ", 1) for part in policy[0].split("; "))
    assert directives["frame-ancestors"] == "'self' https://shop.example http://localhost:8000"
    assert directives["script-src"] == "'self'" and directives["default-src"] == "'self'"
    assert "X-Frame-Options" not in response.headers

    configure(app, shop, allowedOrigins=[])
    again = client.get("/widget/coffee")
    assert "frame-ancestors 'self'" in again.headers["Content-Security-Policy"]
    # Other pages still refuse every frame.
    landing = client.get("/b/coffee")
    assert "frame-ancestors 'none'" in landing.headers["Content-Security-Policy"]


def test_the_chat_page_carries_the_public_config_and_no_secret(app, client, shop):
    configure(app, shop, color="#123456", allowedOrigins=["https://shop.example"])
    with app.app_context():
        from app.models import Business, User

        secret = widget_settings.rotate_secret(Business.objects.get(id=shop["id"]),
                                               User.objects.get(id=shop["owner"]))
    html = client.get("/widget/coffee").get_data(as_text=True)
    assert '"color": "#123456"' in html and secret not in html and "shop.example" not in html
    assert "<iframe" not in html
    assert client.get("/widget/no-such-shop").status_code == 404


def test_the_chat_assets_are_versioned_and_cached_for_a_year(client, shop):
    html = client.get("/widget/coffee").get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="(/(?:widget/)?static/[^"]+\?v=\w+)"', html)
    assert len(urls) == 8, urls  # chat.css; api.js, live.js; host, transport, view, signin, chat
    total = 0
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable", url
        total += len(gzip.compress(asset.data, 9))
    assert total < 40_000  # far below the 100 KB budget of the first open
