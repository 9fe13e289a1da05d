"""The short link inside every printed QR code: `/q/<code>` counts the scan and sends the
visitor on to the business's page under its current slug."""

import re

from flask import Blueprint, abort, current_app, redirect, request

from app.businesses import qr_scans

bp = Blueprint("qr_links", __name__)

# Link-preview robots of messengers and social networks fetch a pasted link; no person scanned.
_ROBOTS = re.compile(r"bot|crawler|spider|preview|facebookexternalhit|whatsapp", re.IGNORECASE)


def _made_by_a_person():
    """False for HEAD requests, browser prefetches and link-preview robots."""
    if request.method != "GET":
        return False
    purpose = " ".join(request.headers.get(name, "")
                       for name in ("Sec-Purpose", "Purpose", "X-Moz"))
    if "prefetch" in purpose.lower():
        return False
    return not _ROBOTS.search(request.user_agent.string or "")


@bp.get("/q/<code>")
def scan(code):
    business = qr_scans.record_scan(code, count=_made_by_a_person())
    if business is None:
        abort(404)
    # 302, never 301: a cached permanent redirect would send the next scan straight on, uncounted.
    response = redirect(f"{current_app.config['PUBLIC_BASE_URL']}/b/{business.slug}", code=302)
    response.headers["Cache-Control"] = "no-store"
    return response
