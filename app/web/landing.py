"""The business landing page `/b/<slug>`: what a QR code or a shared link opens."""

import hashlib
import json
import re
import threading

from cachetools import TTLCache
from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _
from markupsafe import Markup

from app import clock
from app.api.presenters import business_public
from app.businesses import businesses, categories
from app.channels import posts
from app.web.js_strings import strings

bp = Blueprint("landing", __name__)

OG_DESCRIPTION_MAX = 200


# Rendered pages by (business, its stamp, language). The page has nothing per visitor (the
# Subscribe state comes from the API), so a QR-scan rush renders each page once; the time
# limit bounds how long a renamed category shows its old name.
_pages = TTLCache(maxsize=2048, ttl=60)
_pages_lock = threading.Lock()


@bp.get("/b/<slug>")
def landing(slug):
    business_id, current_slug, stamp = businesses.public_stamp(slug)  # 404 unless public
    if slug != current_slug:  # a former slug, or the current one in another case
        target = url_for("landing.landing", slug=current_slug)
        if request.query_string:
            target += "?" + request.query_string.decode("latin-1")
        return redirect(target, code=301)
    key = (business_id, stamp, str(get_locale()))
    with _pages_lock:
        html = _pages.get(key)
    if html is None:
        html = render(businesses.public(business_id))
        with _pages_lock:
            _pages[key] = html
    response = make_response(html)
    # Weak: the same tag for the compressed and the plain body, so a 304 is decided here.
    response.set_etag(hashlib.sha256(repr(key).encode()).hexdigest()[:32], weak=True)
    # Revalidated on every visit (a 304 costs one stamp lookup): a new channel post or the
    # subscriber count shows at once, while the server-side cache absorbs QR-scan rushes.
    response.headers["Cache-Control"] = "public, no-cache"
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")  # the language switch
    return response.make_conditional(request)


def render(business):
    data = business_public(business, categories.by_ids(business.category_ids))
    return render_template(
        "landing.html", business=data,
        logo_path=url_for("web.media", key=business.logo) if business.logo else None,
        summary=summary(data), map_url=map_url(data["location"]),
        structured_data=script_json(structured_data(data)), i18n=strings("landing"),
        posts=latest_posts(business.id))


def latest_posts(business_id):
    """The channel's newest posts; their text is shown as text (Jinja escapes it)."""
    return [{"id": post.id, "text": post.text, "at": clock.isoformat(post.published_at),
             "image_path": url_for("web.media", key=post.image) if post.image else None}
            for post in posts.latest(business_id)]


def summary(data):
    """The share preview's text: the description's start, or a line about the business."""
    text = " ".join((data["description"] or "").split())
    if not text:
        return str(_("%(name)s on Bank: subscribe to the news and write to the business.",
                     name=data["name"]))
    if len(text) > OG_DESCRIPTION_MAX:
        text = text[:OG_DESCRIPTION_MAX - 1].rsplit(" ", 1)[0] + "…"
    return text


def map_url(location):
    """A plain link to a map (never an embed: nothing is fetched from a map site at page view).
    Yandex Maps for Russian, OpenStreetMap otherwise."""
    if not location or location["lat"] is None:
        return None
    lat, lng = location["lat"], location["lng"]
    if str(get_locale()) == "ru":
        return f"https://yandex.ru/maps/?pt={lng},{lat}&z=17"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lng}#map=17/{lat}/{lng}"


def structured_data(data):
    """schema.org LocalBusiness for search engines."""
    document = {"@context": "https://schema.org", "@type": "LocalBusiness",
                "name": data["name"], "url": data["url"]}
    if data["description"]:
        document["description"] = data["description"]
    location = data["location"] or {}
    if location.get("address"):
        document["address"] = {"@type": "PostalAddress", "streetAddress": location["address"]}
    if location.get("lat") is not None:
        document["geo"] = {"@type": "GeoCoordinates", "latitude": location["lat"],
                           "longitude": location["lng"]}
    if data["logoUrl"]:
        document["image"] = data["logoUrl"]
    return document


_SCRIPT_BREAKERS = re.compile(r"<(/|!--)")


def script_json(value):
    """JSON that is safe inside a <script> element: a "</" (as in "</script>") or "<!--" in
    the data cannot end the element or open a comment. "</" becomes "<\\/" and "<!--" becomes
    "<\\u0021--": both mean the same to a JSON parser."""
    text = json.dumps(value, ensure_ascii=False)
    text = _SCRIPT_BREAKERS.sub(lambda m: "<\\/" if m.group(1) == "/" else "<\\u0021--", text)
    return Markup(text)  # noqa: S704 - escaped above for the script context
