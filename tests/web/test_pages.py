"""The public pages through the Flask test client: landing (OpenGraph, JSON-LD, redirects,
404s), catalog, sign-in and its `next`, the language switch, error pages, security headers,
static caching and the web app manifest."""

import io
import json
import re
from datetime import datetime

import pytest
from markupsafe import escape
from PIL import Image

from app.businesses import businesses
from app.models import Business, Category, User
from app.web.redirects import safe_next

RU = {"Accept-Language": "ru"}


@pytest.fixture
def owner_id(auth):
    return auth.sign_in("+79161234567")["user"]["id"]


@pytest.fixture
def make_business(app, owner_id):
    def make(name="Кофейня на Арбате", slug="kofe-arbat", description="Кофе и выпечка.",
             categories=("coffee",), **extra):
        with app.app_context():
            owner = User.objects.get(id=owner_id)
            ids = [Category.objects.get(slug=s).id for s in categories]
            business = businesses.create(
                owner, name, slug=slug, description=description, category_ids=ids,
                location_data={"address": "Москва, ул. Арбат, 10", "lat": 55.7517,
                               "lng": 37.5975}, limited=False, **extra)
            return business.id
    return make


def json_ld(html):
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(found) == 1, "one JSON-LD block"
    return json.loads(found[0])


def meta(html, prop):
    found = re.search(rf'<meta property="{re.escape(prop)}" content="([^"]*)">', html)
    return found.group(1) if found else None


def test_landing_shows_the_business_with_og_tags_and_json_ld(client, make_business):
    business_id = make_business()
    response = client.get("/b/kofe-arbat", headers=RU)
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<h1 id=\"business-name\">Кофейня на Арбате</h1>" in html
    assert "Кофейни" in html and "Москва, ул. Арбат, 10" in html
    assert "0 подписчиков" in html
    # The map is a plain link, never an embed.
    assert 'href="https://yandex.ru/maps/?pt=37.5975,55.7517&amp;z=17"' in html
    assert "<iframe" not in html
    # The buttons the scripts (and the widget issue) wire up.
    assert f'id="subscribe"\n              data-business-id="{business_id}"' in html
    assert 'id="write-to-us"\n              data-business-slug="kofe-arbat"' in html
    assert meta(html, "og:title") == "Кофейня на Арбате"
    assert meta(html, "og:type") == "business.business"
    assert meta(html, "og:url") == "http://bank.test/b/kofe-arbat"
    assert meta(html, "og:description") == "Кофе и выпечка."
    assert meta(html, "og:image") is None  # no logo: no image to preview
    assert 'name="robots"' not in html
    data = json_ld(html)
    assert data["@type"] == "LocalBusiness" and data["name"] == "Кофейня на Арбате"
    assert data["url"] == "http://bank.test/b/kofe-arbat"
    assert data["address"]["streetAddress"] == "Москва, ул. Арбат, 10"
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 55.7517, "longitude": 37.5975}
    assert "image" not in data


def test_landing_with_a_logo_has_og_image(app, client, make_business, owner_id):
    business_id = make_business()
    png = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(png, format="PNG")
    with app.app_context():
        business = Business.objects.get(id=business_id)
        businesses.set_logo(business, User.objects.get(id=owner_id), png.getvalue())
        logo = business.logo
    html = client.get("/b/kofe-arbat").get_data(as_text=True)
    assert meta(html, "og:image") == f"http://bank.test/media/{logo}"
    assert json_ld(html)["image"] == f"http://bank.test/media/{logo}"
    assert f'src="/media/{logo}"' in html
    assert client.get(f"/media/{logo}").status_code == 200


def test_a_description_cannot_close_the_json_ld_script(client, make_business):
    evil = 'Лучший кофе</script><script>alert(1)</script><!-- и "кавычки" & <b>теги</b>'
    make_business(description=evil)
    html = client.get("/b/kofe-arbat").get_data(as_text=True)
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "</" not in block and "<!--" not in block
    assert "<\\/script>" in block
    assert json.loads(block)["description"] == evil  # the same text once parsed
    # Inside the block the text cannot leave it; everywhere else on the page it is escaped.
    rest = html.replace(block, "")
    assert "<script>alert(1)" not in rest
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in rest


def test_hidden_business_is_shown_but_not_indexed(client, make_business):
    make_business(is_public=False)
    response = client.get("/b/kofe-arbat")
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex">' in response.get_data(as_text=True)


@pytest.mark.parametrize("change", [{"set__blocked": True},
                                    {"set__deleted_at": datetime(2026, 1, 1)},
                                    {"set__is_active": False}])
def test_blocked_or_deleted_business_is_a_404_page(app, client, make_business, change):
    business_id = make_business()
    with app.app_context():
        Business.objects(id=business_id).update_one(**change)
    response = client.get("/b/kofe-arbat", headers=RU)
    assert response.status_code == 404 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Страница не найдена" in html and "Такого бизнеса нет." in html
    assert "Кофейня на Арбате" not in html


def test_unknown_slug_is_a_404_page(client):
    response = client.get("/b/no-such-business")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_former_slug_redirects_permanently(app, client, make_business, owner_id):
    business_id = make_business()
    with app.app_context():
        businesses.change_slug(Business.objects.get(id=business_id), "arbat-coffee")
    response = client.get("/b/kofe-arbat?utm_source=qr")
    assert response.status_code == 301
    assert response.headers["Location"] == "/b/arbat-coffee?utm_source=qr"
    assert client.get("/b/KOFE-ARBAT").headers["Location"] == "/b/arbat-coffee"
    assert client.get("/b/arbat-coffee").status_code == 200


def test_catalog_first_page_is_rendered_by_the_server(client, make_business):
    make_business()
    make_business(name="Цветочная лавка", slug="flowers-shop", description="Букеты",
                  categories=("flowers",))
    html = client.get("/catalog", headers=RU).get_data(as_text=True)
    assert 'href="/b/kofe-arbat"' in html and 'href="/b/flowers-shop"' in html
    assert "Найдено 2 бизнеса" in html
    # Nested categories are offered, children indented under their parent.
    assert '<option value="food">Еда и напитки</option>' in html
    assert '<option value="coffee">\u00a0\u00a0\u00a0\u00a0Кофейни</option>' in html
    # The search works without JS: a plain GET form.
    found = client.get("/catalog?q=букет").get_data(as_text=True)
    assert 'href="/b/flowers-shop"' in found and 'href="/b/kofe-arbat"' not in found
    by_category = client.get("/catalog?category=food").get_data(as_text=True)
    assert 'href="/b/kofe-arbat"' in by_category and 'href="/b/flowers-shop"' not in by_category


def test_catalog_echoes_the_query_as_text(client):
    html = client.get("/catalog?q=<img src=x onerror=alert(1)>", headers=RU).get_data(
        as_text=True)
    assert "<img src=x" not in html
    assert "По запросу «&lt;img src=x onerror=alert(1)&gt;» ничего не нашлось." in html


def test_catalog_pages_without_js(client, make_business):
    for i in range(21):
        make_business(name=f"Кафе {i}", slug=f"cafe-number-{i}", categories=("cafes",))
    first = client.get("/catalog").get_data(as_text=True)
    assert first.count('class="biz__link" href="/b/') == 20
    assert 'id="show-more" href="/catalog?page=2"' in first
    second = client.get("/catalog?page=2").get_data(as_text=True)
    assert second.count('class="biz__link" href="/b/') == 1
    assert 'id="show-more" href="#" hidden' in second


def test_home_page_links_to_the_catalog_and_profile(client, make_business):
    make_business()
    html = client.get("/", headers=RU).get_data(as_text=True)
    assert 'action="/catalog"' in html and 'name="q"' in html
    assert 'href="/b/kofe-arbat"' in html and 'href="/profile"' in html


@pytest.mark.parametrize("next_url,expected", [
    ("/b/kofe-arbat", "/b/kofe-arbat"),
    ("/catalog?q=кофе&category=coffee", "/catalog?q=кофе&category=coffee"),
    ("//evil.com", "/profile"),
    ("//evil.com/b/x", "/profile"),
    ("https://evil.com/", "/profile"),
    ("http:/evil.com", "/profile"),
    ("javascript:alert(1)", "/profile"),
    ("/\\evil.com", "/profile"),
    ("\\\\evil.com", "/profile"),
    ("/b/x\r\nSet-Cookie: a=b", "/profile"),
    ("", "/profile"),
])
def test_login_page_keeps_only_same_site_next(client, next_url, expected):
    response = client.get("/login", query_string={"next": next_url}, headers=RU)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="phone"' in html and 'id="code"' in html and "Получить код" in html
    assert f'data-next="{escape(expected)}"' in html


def test_safe_next():
    assert safe_next("/profile") == "/profile"
    assert safe_next(None) == "/"
    assert safe_next("//evil.com", default="/x") == "/x"
    assert safe_next("/%2F%2Fevil.com") == "/%2F%2Fevil.com"  # a path here, not a host


def test_language_switch_sets_a_cookie_and_goes_back(client):
    response = client.get("/lang/en?next=/catalog?q=1")
    assert response.status_code == 303 and response.headers["Location"] == "/catalog?q=1"
    assert "lang=en" in response.headers["Set-Cookie"]
    html = client.get("/catalog", headers=RU).get_data(as_text=True)  # the cookie wins
    assert "<h1>Catalog</h1>" in html and '<html lang="en">' in html
    client.get("/lang/ru?next=/")
    assert "<h1>Каталог</h1>" in client.get("/catalog").get_data(as_text=True)
    assert client.get("/lang/en?next=//evil.com").headers["Location"] == "/"
    assert client.get("/lang/de").status_code == 404


def test_russian_is_the_default(client):
    html = client.get("/catalog").get_data(as_text=True)
    assert '<html lang="ru">' in html and "<h1>Каталог</h1>" in html


def test_shell_pages_render(client):
    for path, title in (("/profile", "Мой профиль"), ("/my/businesses", "Мои бизнесы"),
                        ("/my/subscriptions", "Мои подписки")):
        response = client.get(path, headers=RU)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert f"<h1>{title}</h1>" in html and 'id="i18n"' in html
    assert 'href="/profile">Мой профиль →' in client.get("/my/subscriptions").get_data(
        as_text=True)


def test_js_strings_are_handed_over_as_data(client):
    html = client.get("/catalog", headers=RU).get_data(as_text=True)
    words = json.loads(re.search(r'<script type="application/json" id="i18n">(.*?)</script>',
                                 html, re.S).group(1))
    assert words["subscribe"] == "Подписаться"
    assert words["subscribers"]["few"] == "{n} подписчика"
    assert words["nothingFound"] == "По запросу «{query}» ничего не нашлось."


def test_error_pages_are_html_off_the_api_and_json_under_it(client):
    page = client.get("/no/such/page", headers=RU)
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "Страница не найдена" in page.get_data(as_text=True)
    words = re.search(r'id="i18n">(.*?)</script>', page.get_data(as_text=True)).group(1)
    assert json.loads(words)["myProfile"] == "Мой профиль"  # the header's script has its words
    wrong_method = client.post("/catalog")
    assert wrong_method.status_code == 405 and wrong_method.mimetype == "text/html"
    assert "GET" in wrong_method.headers["Allow"]
    api = client.get("/api/no/such/thing")
    assert api.status_code == 404 and api.mimetype == "application/json"
    assert api.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/businesses/slug/nope").get_json()["error"]["code"] == \
        "business_not_found"


def test_an_unexpected_error_is_an_html_500_page(app, client, monkeypatch):
    from app.businesses import categories

    def broken():
        raise RuntimeError("database on fire")

    monkeypatch.setattr(categories, "tree", broken)
    response = client.get("/", headers=RU)
    assert response.status_code == 500 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Что-то пошло не так" in html and "database on fire" not in html


def test_security_headers_on_pages_not_on_the_api(client, make_business):
    make_business()
    for path in ("/", "/catalog", "/b/kofe-arbat", "/login", "/profile", "/no-such-page"):
        headers = client.get(path).headers
        assert headers["Content-Security-Policy"].startswith("default-src 'self'"), path
        assert "script-src 'self';" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    for path in ("/api/health", "/api/catalog", "/api/nope"):
        headers = client.get(path).headers
        assert "Content-Security-Policy" not in headers, path
        assert "Referrer-Policy" not in headers, path


def test_pages_have_no_inline_scripts_or_styles(client, make_business):
    make_business()
    for path in ("/", "/catalog", "/b/kofe-arbat", "/login", "/profile", "/my/subscriptions",
                 "/nope"):
        html = client.get(path).get_data(as_text=True)
        assert " style=" not in html and "<style" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path
        for attributes in re.findall(r"<script([^>]*)>", html):
            assert "src=" in attributes or "application/" in attributes, (path, attributes)


def test_static_assets_have_versioned_urls_and_long_caching(client):
    html = client.get("/login").get_data(as_text=True)
    css = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]{12})"', html).group(1)
    response = client.get(css)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # Without the current version, no promise to keep it for a year.
    assert "immutable" not in client.get("/static/css/site.css?v=old").headers.get(
        "Cache-Control", "")
    for script in re.findall(r'<script src="([^"]+)"', html):
        assert client.get(script).status_code == 200


def test_manifest_is_valid_with_existing_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == "Bank" and manifest["short_name"] == "Bank"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        fetched = client.get(icon["src"])
        assert fetched.status_code == 200 and fetched.mimetype == "image/png"
        width, height = Image.open(io.BytesIO(fetched.data)).size
        assert f"{width}x{height}" == icon["sizes"]
    assert 'rel="manifest" href="/manifest.webmanifest"' in client.get("/").get_data(
        as_text=True)


def test_landing_page_subscription_state_comes_from_the_api(client, auth, make_business):
    business_id = make_business()
    visitor = auth.sign_in("+79160000002")
    bearer = auth.bearer(visitor["accessToken"])
    assert client.get(f"/api/businesses/{business_id}", headers=bearer).get_json()[
        "data"]["isSubscribed"] is False
    client.post(f"/api/businesses/{business_id}/subscribe", headers=bearer)
    data = client.get(f"/api/businesses/{business_id}", headers=bearer).get_json()["data"]
    assert data["isSubscribed"] is True and data["subscriberCount"] == 1
    assert "isSubscribed" not in client.get(f"/api/businesses/{business_id}").get_json()["data"]
    assert "1 подписчик<" in client.get("/b/kofe-arbat", headers=RU).get_data(as_text=True)


def test_landing_revalidates_with_an_etag_and_changes_with_the_business(app, client,
                                                                       make_business, auth):
    business_id = make_business()
    first = client.get("/b/kofe-arbat")
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get("/b/kofe-arbat", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    reader = auth.sign_in("+79167654321")
    client.post(f"/api/businesses/{business_id}/subscribe",
                headers=auth.bearer(reader["accessToken"]))
    counted = client.get("/b/kofe-arbat", headers={"If-None-Match": first.headers["ETag"]})
    assert counted.status_code == 200 and counted.headers["ETag"] != first.headers["ETag"]
    with app.app_context():
        businesses.apply_changes(Business.objects.get(id=business_id), {"name": "Новое имя"})
    renamed = client.get("/b/kofe-arbat", headers={"If-None-Match": counted.headers["ETag"]})
    assert renamed.status_code == 200
    assert "Новое имя" in renamed.get_data(as_text=True)
