"""The installable web app: a complete manifest, the service worker at /sw.js with the
headers a root-scoped worker needs, the offline page; and in Chromium, the worker installs,
keeps the app shell, and with the browser offline a page it cannot fetch shows the offline
page while a page visited before is shown from its kept copy."""

import io
import json
import re

from PIL import Image
from playwright.sync_api import expect

from app.web import pwa


def test_the_manifest_is_complete_and_installable(client):
    response = client.get("/manifest.webmanifest", headers={"Accept-Language": "ru"})
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == "Bank" and manifest["short_name"] == "Bank"
    assert (manifest["id"], manifest["start_url"], manifest["scope"]) == ("/", "/", "/")
    assert manifest["display"] == "standalone" and manifest["lang"] == "ru"
    assert manifest["description"]
    for colour in ("theme_color", "background_color"):
        assert re.fullmatch(r"#[0-9a-f]{6}", manifest[colour])
    icons = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"),
            ("512x512", "maskable")} <= icons
    for icon in manifest["icons"]:
        fetched = client.get(icon["src"])
        assert fetched.status_code == 200 and fetched.mimetype == "image/png"
        assert "x".join(map(str, Image.open(io.BytesIO(fetched.data)).size)) == icon["sizes"]
    for shortcut in manifest["shortcuts"]:
        assert client.get(shortcut["url"]).status_code == 200


def test_the_service_worker_is_served_from_the_root_uncached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    # Revalidation is cheap: browsers check the worker on nearly every visit.
    again = client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    source = response.get_data(as_text=True)
    version = re.search(r'var VERSION = "([0-9a-f]{12})";', source).group(1)
    shell = json.loads(re.search(r"var SHELL = (\[.*?\]);", source).group(1))
    assert "/offline" in shell and any(url.startswith("/static/css/site.css?v=") for url in shell)
    assert all("?v=" in url for url in shell if url.startswith("/static/"))
    for url in shell:
        assert client.get(url).status_code == 200, url
    for never in ("api", "cabinet", "admin"):
        assert never in re.search(r"var BYPASS = (.*);", source).group(1)
    assert version in source


def test_the_cache_version_follows_the_shell(app):
    with app.test_request_context():
        shell = pwa._shell()
        assert pwa._version(shell) == pwa._version(list(shell))
        changed = [url.replace("?v=", "?v=0") for url in shell]
        assert pwa._version(changed) != pwa._version(shell)


def test_the_offline_page(client):
    response = client.get("/offline", headers={"Accept-Language": "ru"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Нет соединения" in html and 'href=""' in html and "noindex" in html


def test_the_worker_installs_and_offline_navigation_shows_the_offline_page(open_page,
                                                                            live_server):
    watched = open_page(viewport={"width": 390, "height": 844})
    page = watched.page
    page.goto("/catalog")
    # site.js registers the worker after load; ready resolves once it is active.
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{live_server.base}/"
    kept = page.evaluate("""async () => {
        const names = await caches.keys();
        const shell = names.find(n => n.startsWith("bank-shell-"));
        const keys = await (await caches.open(shell)).keys();
        return keys.map(r => new URL(r.url).pathname);
    }""")
    assert "/offline" in kept and "/static/css/site.css" in kept and "/static/js/site.js" in kept
    page.reload()  # now controlled: this visit of the catalog is kept
    assert page.evaluate("!!navigator.serviceWorker.controller")
    expect(page.locator("h1")).to_be_visible()

    page.context.set_offline(True)
    try:
        page.goto("/login")  # never visited
        expect(page.locator("#offline-heading")).to_have_text("Нет соединения")
        expect(page.locator("link[rel=stylesheet]")).to_have_count(1)
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # styled
        watched.shot("pwa-offline")
        page.goto("/catalog")  # visited: its kept copy
        expect(page.locator("#offline-heading")).to_have_count(0)
        expect(page.locator("h1")).to_be_visible()
    finally:
        page.context.set_offline(False)
    watched.expect_failed_request(0)
    watched.errors = [e for e in watched.errors if "ERR_INTERNET_DISCONNECTED" not in e]
    watched.assert_clean()
