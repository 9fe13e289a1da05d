"""Compression: what a customer's browser downloads is Brotli or gzip, decodes to the same
bytes, and still revalidates with a 304; live streams and the staff pages stay as they are."""

import gzip

import brotli
import pytest

from tests.factories import business, person, signed_in

GZIP = {"Accept-Encoding": "gzip"}
BROTLI = {"Accept-Encoding": "br, gzip"}


def decoded(response):
    encoding = response.headers.get("Content-Encoding")
    body = response.get_data()
    return {"gzip": gzip.decompress, "br": brotli.decompress}[encoding](body) if encoding \
        else body


@pytest.fixture
def slug(app):
    return business(app, person(app, "+79161234567")).slug


def assert_compressed(client, path, headers, encoding):
    plain = client.get(path)
    packed = client.get(path, headers=headers)
    assert plain.status_code == packed.status_code == 200, path
    assert "Content-Encoding" not in plain.headers  # a client that asks for nothing
    assert packed.headers["Content-Encoding"] == encoding, path
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.get_data()) < len(plain.get_data()) * 0.6, path  # text shrinks a lot
    assert decoded(packed) == plain.get_data(), path
    return packed


@pytest.mark.parametrize("headers, encoding", [(GZIP, "gzip"), (BROTLI, "br")])
def test_the_widget_and_the_public_pages_come_compressed(client, slug, headers, encoding):
    for path in ("/widget.js", f"/widget/{slug}", "/widget/static/chat.js",
                 "/widget/static/chat.css", f"/b/{slug}", "/catalog", "/sw.js",
                 "/manifest.webmanifest", "/static/css/site.css"):
        assert_compressed(client, path, headers, encoding)


@pytest.mark.parametrize("path", ["/widget.js", "/widget/static/chat.js", "LANDING"])
def test_a_compressed_response_revalidates_to_a_304(client, slug, path):
    path = f"/b/{slug}" if path == "LANDING" else path
    first = client.get(path, headers=BROTLI)
    assert first.headers["Content-Encoding"] == "br" and first.headers["ETag"]
    again = client.get(path, headers={**BROTLI, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_small_answers_are_sent_as_they_are(client, slug):
    # Under 500 bytes, compressing saves less than it costs.
    config = client.get(f"/api/widget/{slug}/config", headers=GZIP)
    assert config.status_code == 200 and len(config.get_data()) < 500
    assert "Content-Encoding" not in config.headers


def test_the_api_docs_assets_revalidate_to_a_304(client):
    path = "/api/docs/assets/swagger-ui-bundle.js"
    first = assert_compressed(client, path, BROTLI, "br")
    again = client.get(path, headers={**BROTLI, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_a_qr_code_revalidates_before_it_is_drawn(app, client, slug, monkeypatch):
    from app.businesses import qr
    from app.models import Business

    owner = signed_in(app, "+79161234567")  # the business's owner (the slug fixture's)
    with app.app_context():
        business_id = Business.objects.get(slug=slug).id
    path = f"/api/businesses/{business_id}/qr?format=svg"
    headers = {**BROTLI, "Authorization": f"Bearer {owner['accessToken']}"}
    first = client.get(path, headers=headers)
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "br"
    drawn = []
    monkeypatch.setattr(qr, "render", lambda *args: drawn.append(args))
    again = client.get(path, headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and drawn == []


def test_a_live_stream_is_not_held_back_by_compression(app, client):
    mine = signed_in(app, "+79160000001")
    response = client.get(f"/api/stream?topics=user:{mine['user']['id']}", buffered=False,
                          headers={"Authorization": f"Bearer {mine['accessToken']}", **GZIP})
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    assert "Content-Encoding" not in response.headers
    assert next(iter(response.response)) == b"retry: 2000\n\n"  # readable as it comes
    response.close()


def test_staff_pages_are_not_compressed(client):
    # They reflect input next to CSRF tokens; compressed, their sizes would leak them (BREACH).
    for path in ("/cabinet/login", "/admin/login"):
        response = client.get(path, headers=GZIP)
        assert response.status_code == 200, path
        assert len(response.get_data()) > 500 and "Content-Encoding" not in response.headers


def test_a_range_of_a_file_is_the_plain_bytes(client):
    whole = client.get("/static/css/site.css").get_data()
    part = client.get("/static/css/site.css", headers={**GZIP, "Range": "bytes=0-1999"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert part.get_data() == whole[:2000]
