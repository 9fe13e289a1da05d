"""The short link inside every printed QR code: `/q/<code>` counts the scan and sends the
visitor on to the business's page under its current slug."""

import hashlib
import re

from flask import Blueprint, abort, current_app, redirect, request

from app.businesses import qr_scans

bp = Blueprint("qr_links", __name__)

# Link-preview robots of messengers and social networks fetch a pasted link; no person scanned.
_ROBOTS = re.compile(r"bot|crawler|spider|preview|facebookexternalhit|whatsapp", re.IGNORECASE)


def _visitor():
    """Who scanned, as far as a scan can tell (the address and the browser, hashed): one scan
    per visitor and window however often they reload. None for HEAD requests, browser
    prefetches and link-preview robots: no person scanned."""
    if request.method != "GET":
        return None
    purpose = " ".join(request.headers.get(name, "")
                       for name in ("Sec-Purpose", "Purpose", "X-Moz"))
    agent = request.user_agent.string or ""
    if "prefetch" in purpose.lower() or _ROBOTS.search(agent):
        return None
    return hashlib.sha256(f"{request.remote_addr}\n{agent}".encode()).hexdigest()[:24]


@bp.get("/q/<code>")
def scan(code):
    business = qr_scans.record_scan(code, visitor=_visitor())
    if business is None:
        abort(404)
    # 302, never 301: a cached permanent redirect would send the next scan straight on, uncounted.
    response = redirect(f"{current_app.config['PUBLIC_BASE_URL']}/b/{business.slug}", code=302)
    response.headers["Cache-Control"] = "no-store"
    return response
