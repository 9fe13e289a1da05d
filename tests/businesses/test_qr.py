"""QR codes: images a real decoder reads as the short link, for the team only, cached by ETag;
and the short link itself, which counts scans per day and redirects to the current slug."""

import io
import re
from datetime import datetime
from types import SimpleNamespace

import cairosvg
import pypdfium2
import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from app import clock
from app.businesses import qr, qr_scans
from app.models import Business, BusinessMember, QrScanDay

OWNER = "+79161234567"
OTHER = "+79167654321"
NAME = "Кофейня «Утро»"
CODE = re.compile(r"^[0-9a-hjkmnp-tv-z]{8}$")  # Crockford's base32, lower case


def decoded(image):
    return [symbol.data.decode() for symbol in decode(image.convert("L"))]


def pdf_page(data):
    """(width, height in points, text, the page rendered as an image) of a one-page PDF."""
    document = pypdfium2.PdfDocument(data)
    assert len(document) == 1
    page = document[0]
    width, height = page.get_size()
    return width, height, page.get_textpage().get_text_range(), page.render(scale=3).to_pil()


@pytest.fixture
def team(app, auth):
    owner = auth.sign_in(OWNER)
    with app.app_context():
        business = Business(owner_id=owner["user"]["id"], name=NAME, slug="utro").save()
        BusinessMember(business_id=business.id, user_id=owner["user"]["id"], role="owner",
                       joined_at=clock.now()).save()
    return SimpleNamespace(business_id=business.id, headers=auth.bearer(owner["accessToken"]))


def get_qr(client, team, headers=None, **params):
    return client.get(f"/api/businesses/{team.business_id}/qr", query_string=params,
                      headers={**team.headers, **(headers or {})})


def stored_code(app, team):
    with app.app_context():
        return Business.objects.get(id=team.business_id).qr_code


def business(app, team):
    with app.app_context():
        return Business.objects.get(id=team.business_id)


# The images


def test_svg_decodes_to_the_short_link(app, client, team):
    response = get_qr(client, team)  # SVG, 1024 px by default
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    code = stored_code(app, team)
    assert CODE.match(code)
    image = Image.open(io.BytesIO(cairosvg.svg2png(bytestring=response.data)))
    assert image.size == (1024, 1024)
    assert decoded(image) == [f"http://bank.test/q/{code}"]


def test_png_decodes_and_is_as_wide_as_asked(app, client, team):
    response = get_qr(client, team, format="png", size=300)
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.size == (300, 300)
    assert decoded(image) == [f"http://bank.test/q/{stored_code(app, team)}"]


def test_the_code_is_assigned_once_and_an_existing_one_is_kept(app, client, team):
    get_qr(client, team, format="png")
    first = stored_code(app, team)
    get_qr(client, team, format="svg", size=512)
    assert stored_code(app, team) == first
    with app.app_context():
        Business.objects(id=team.business_id).update_one(set__qr_code="abcd2345")
    image = Image.open(io.BytesIO(get_qr(client, team, format="png").data))
    assert decoded(image) == ["http://bank.test/q/abcd2345"]


def test_a_code_held_by_another_business_is_drawn_again(app, team, monkeypatch):
    draws = iter(["taken234", "fresh567"])
    monkeypatch.setattr(qr, "new_code", lambda: next(draws))
    with app.app_context():
        Business(owner_id="usr_other", name="Другая", slug="drugaya", qr_code="taken234").save()
        assert qr.ensure_code(Business.objects.get(id=team.business_id)) == "fresh567"
    assert stored_code(app, team) == "fresh567"


def test_pdf_is_an_a6_card_with_the_name_and_a_vector_code(app, client, team):
    response = get_qr(client, team, format="pdf", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert b"/Subtype /Image" not in response.data  # the symbol is drawn, not a raster
    width, height, text, image = pdf_page(response.data)
    assert abs(width - 297.6) <= 1 and abs(height - 419.5) <= 1  # 105 × 148 mm
    code = stored_code(app, team)
    assert NAME in text
    assert f"bank.test/q/{code}" in text
    assert "Scan to write to us" in text
    assert decoded(image) == [f"http://bank.test/q/{code}"]


def test_a_long_name_wraps_on_the_card_and_the_code_still_reads(app, client, team):
    # The longest name allowed, with a word too long for one line.
    long_name = ("Кондитерская и пекарня «Сладкоежкин уголок» на Большой Садовой улице "
                 "у Патриарших прудов, Москва Щ" + "щ" * 60)[:120]
    with app.app_context():
        Business.objects(id=team.business_id).update_one(set__name=long_name)
    width, height, text, image = pdf_page(get_qr(client, team, format="pdf").data)
    assert re.sub(r"\s+", "", long_name) in re.sub(r"\s+", "", text)  # all of it, wrapped
    assert "…" not in text
    assert decoded(image) == [f"http://bank.test/q/{stored_code(app, team)}"]


def test_a_missing_pdf_font_fails_with_a_clear_error(make_app):
    app = make_app(PDF_FONT_PATH="/nonexistent/font.ttf")
    with app.test_request_context(), pytest.raises(qr.FontMissing, match="PDF_FONT_PATH"):
        qr.render(Business(owner_id="usr_x", name=NAME, slug="utro").save(), "pdf")


def test_download_names_the_file_by_slug(client, team):
    for fmt in ("svg", "png", "pdf"):
        response = get_qr(client, team, format=fmt, download=1)
        assert response.headers["Content-Disposition"] == f'attachment; filename="utro-qr.{fmt}"'
    assert "Content-Disposition" not in get_qr(client, team).headers


def test_etag_revalidation_answers_304_without_a_body(client, team):
    first = get_qr(client, team, format="png", size=512)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, max-age=604800"
    again = get_qr(client, team, format="png", size=512, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    other_size = get_qr(client, team, format="png", size=640, headers={"If-None-Match": etag})
    assert other_size.status_code == 200
    assert other_size.headers["ETag"] != etag


def test_the_pdf_etag_changes_with_the_name(app, client, team):
    etag = get_qr(client, team, format="pdf").headers["ETag"]
    assert get_qr(client, team, format="pdf",
                  headers={"If-None-Match": etag}).status_code == 304
    with app.app_context():
        Business.objects(id=team.business_id).update_one(set__name="Кофейня «Вечер»")
    renamed = get_qr(client, team, format="pdf", headers={"If-None-Match": etag})
    assert renamed.status_code == 200
    assert "Кофейня «Вечер»" in pdf_page(renamed.data)[2]


# Who may download


def test_anonymous_is_401_outsider_403_viewer_200(app, client, auth, team):
    url = f"/api/businesses/{team.business_id}/qr"
    assert client.get(url).status_code == 401
    other = auth.sign_in(OTHER)
    outsider = client.get(url, headers=auth.bearer(other["accessToken"]))
    assert outsider.status_code == 403
    assert outsider.get_json()["error"]["code"] == "forbidden"
    with app.app_context():
        BusinessMember(business_id=team.business_id, user_id=other["user"]["id"], role="viewer",
                       joined_at=clock.now()).save()
    assert client.get(url, headers=auth.bearer(other["accessToken"])).status_code == 200


def test_unknown_business_is_404(client, team):
    response = client.get("/api/businesses/biz_nosuchbusiness/qr", headers=team.headers)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "business_not_found"


@pytest.mark.parametrize("params", [
    {"format": "gif"}, {"size": 127}, {"size": 4097}, {"size": "big"}, {"colour": "red"},
])
def test_bad_query_is_422(client, team, params):
    response = get_qr(client, team, **params)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"


# The short link /q/<code>


@pytest.fixture
def code(app, team):
    clock.freeze(datetime(2025, 5, 10, 12, 0))  # far from midnight: "today" stays today
    with app.app_context():
        return qr.ensure_code(Business.objects.get(id=team.business_id))


def counts(app, team):
    with app.app_context():
        return {row.day: row.count for row in QrScanDay.objects(business_id=team.business_id)}


def test_scans_are_counted_per_day_and_redirect_to_the_page(app, client, team, code):
    for visitor in ("203.0.113.1", "203.0.113.2"):  # two people scan the door sticker
        response = client.get(f"/q/{code}", environ_base={"REMOTE_ADDR": visitor})
        assert response.status_code == 302
        assert response.headers["Location"] == "http://bank.test/b/utro"
        assert response.headers["Cache-Control"] == "no-store"
    assert counts(app, team) == {"2025-05-10": 2}
    clock.advance(86400)
    client.get(f"/q/{code.upper()}")  # typed by hand from the card
    assert counts(app, team) == {"2025-05-10": 2, "2025-05-11": 1}
    with app.app_context():
        assert qr_scans.scans_per_day(team.business_id, 3) == [
            {"day": "2025-05-09", "count": 0},
            {"day": "2025-05-10", "count": 2},
            {"day": "2025-05-11", "count": 1},
        ]


def test_one_visitor_counts_once_per_window_however_often_they_scan(app, client, team, code):
    """200 hits from one client were 200 scans: now a visitor (address and browser) counts
    once per code and QR_SCAN_WINDOW_MINUTES, and again in the next window."""
    for _ in range(200):
        assert client.get(f"/q/{code}").status_code == 302
    assert counts(app, team) == {"2025-05-10": 1}
    client.get(f"/q/{code}", headers={"User-Agent": "Mozilla/5.0 (Android) Chrome/140"})
    assert counts(app, team) == {"2025-05-10": 2}  # another browser: another person
    clock.advance(app.config["QR_SCAN_WINDOW_MINUTES"] * 60)
    client.get(f"/q/{code}")
    assert counts(app, team) == {"2025-05-10": 3}


def test_the_link_follows_a_slug_change(app, client, team, code):
    with app.app_context():
        renamed = Business.objects.get(id=team.business_id)
        renamed.slug = "utro-na-sadovoy"
        renamed.save()
    response = client.get(f"/q/{code}")
    assert response.headers["Location"] == "http://bank.test/b/utro-na-sadovoy"
    assert counts(app, team) == {"2025-05-10": 1}


def test_unknown_code_is_404(client, team, code):
    assert client.get("/q/zzzzzzzz").status_code == 404


@pytest.mark.parametrize("change", [
    {"set__blocked": True},
    {"set__deleted_at": datetime(2025, 5, 1), "set__is_active": False},
])
def test_blocked_or_deleted_business_is_404_and_not_counted(app, client, team, code, change):
    with app.app_context():
        Business.objects(id=team.business_id).update_one(**change)
    assert client.get(f"/q/{code}").status_code == 404
    assert counts(app, team) == {}


def test_requests_no_person_made_are_not_counted(app, client, team, code):
    assert client.head(f"/q/{code}").status_code == 302
    assert client.get(f"/q/{code}", headers={"Sec-Purpose": "prefetch"}).status_code == 302
    assert client.get(f"/q/{code}", headers={"User-Agent": "TelegramBot (like TwitterBot)"}) \
        .status_code == 302
    assert counts(app, team) == {}
    client.get(f"/q/{code}", headers={"User-Agent": "Mozilla/5.0 (iPhone) Safari/604.1"})
    assert counts(app, team) == {"2025-05-10": 1}
