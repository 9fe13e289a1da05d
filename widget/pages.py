"""The loader script and the chat page of the iframe."""

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, make_response, render_template, request
from flask_babel import get_locale

from app.businesses import businesses, widget_settings
from app.web import js_strings
from app.web.headers import CONTENT_SECURITY_POLICY

HERE = Path(__file__).resolve().parent
bp = Blueprint("widget", __name__, static_folder="static", static_url_path="/widget/static",
               template_folder="templates")

# Sites embed a fixed URL, so the loader cannot be versioned by its address: browsers keep
# it five minutes, then revalidate it by its ETag (a 304 when it has not changed).
LOADER_MAX_AGE = 300


# The source (widget/static/loader.js) explains itself at length; websites get it without the
# whole-line comments, end-of-line comments and indentation: a third of the bytes.
_COMPACT = ((re.compile(r"^[ \t]*/\*(?:(?!\*/).)*\*/[ \t]*\n", re.M | re.S), ""),
            (re.compile(r"[ \t]+// [^\n]*"), ""), (re.compile(r"^[ \t]+", re.M), ""),
            (re.compile(r"\n+"), "\n"))


def compact(source):
    for pattern, replacement in _COMPACT:
        source = pattern.sub(replacement, source)
    return "/* Bank chat widget loader */\n" + source


@lru_cache(maxsize=1)
def _loader():
    body = compact((HERE / "static" / "loader.js").read_text()).encode()
    return body, hashlib.sha256(body).hexdigest()[:32]


@bp.get("/widget.js")
def loader():
    body, etag = _loader()
    response = make_response(body)
    response.mimetype = "text/javascript"
    response.set_etag(etag, weak=True)  # one tag for the compressed and plain bodies
    response.headers["Cache-Control"] = f"public, max-age={LOADER_MAX_AGE}"
    # Any website may load it, even one that isolates itself (Cross-Origin-Embedder-Policy).
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response.make_conditional(request)


def _policy(widget):
    """The site's usual policy, except who may frame the page: the business's websites
    (and our own pages) instead of nobody."""
    parts = [part for part in CONTENT_SECURITY_POLICY.split("; ")
             if not part.startswith("frame-ancestors")]
    return "; ".join([*parts, f"frame-ancestors {widget_settings.frame_ancestors(widget)}"])


@bp.get("/widget/<slug>")
def chat(slug):
    business, _moved = businesses.resolve_slug(slug)  # a former slug keeps working
    widget = widget_settings.of(business.id)
    response = make_response(render_template(
        "widget/chat.html", config=widget_settings.public_config(business),
        i18n=js_strings.strings("widget"), lang=str(get_locale())))
    # Set here, so the site-wide header (frame-ancestors 'none') does not replace it.
    response.headers["Content-Security-Policy"] = _policy(widget)
    response.headers["Cache-Control"] = "no-cache"  # online/away and settings are current
    response.headers["Referrer-Policy"] = "no-referrer"  # the chat's links leak nothing
    return response
