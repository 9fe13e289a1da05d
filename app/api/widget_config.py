"""The embeddable widget's public settings: `GET /api/widget/<slug>/config`, read by the
loader script (widget.js) on any website, hence open to every origin and without credentials.

It holds only what a visitor may see: the business's name and logo, the appearance, the
greeting, whether the team is online now (business hours) and, when it is not, when it opens
and the away message. Never the identity secret nor the list of allowed websites: only
`embeddable`, whether the asking page's own origin may show the widget (so the loader does not
draw a button that would open a frame the browser then refuses)."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, request

from app.api.responses import ok
from app.businesses import businesses, widget_settings

bp = Blueprint("widget_config", __name__)

# A short cache: a colour or hours changed in the cabinet show within a minute.
MAX_AGE = 60


@bp.get("/widget/<slug>/config")
def widget_config(slug):
    """The widget's public settings, for the loader on the business's website."""
    business, _moved = businesses.resolve_slug(slug)  # a former slug keeps working
    # Our own pages (the landing page) carry no Origin on this same-origin GET.
    own = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    response = ok(widget_settings.public_config(
        business, origin=request.headers.get("Origin"),
        own_origins=(f"{own.scheme}://{own.netloc}", request.host_url.rstrip("/"))))
    # Any website may read it; no cookies ride along (the browser sends none without
    # credentials: "include", and no Allow-Credentials header would let it read them).
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.vary.add("Origin")  # `embeddable` depends on it
    return response
