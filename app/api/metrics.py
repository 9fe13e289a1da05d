"""`GET /metrics`: every series of app/lib/metrics.py in Prometheus's text format, for the
addresses of METRICS_ALLOW_IPS (the client address as the app sees it, after
TRUSTED_PROXIES) or a caller with `Authorization: Bearer <METRICS_TOKEN>`; anyone else gets
403. Outside /api: it is for the scraper, not part of the API."""

import hmac
import ipaddress

from flask import Blueprint, Response, current_app, request
from flask_babel import lazy_gettext as _

from app.api.responses import error
from app.lib import metrics

bp = Blueprint("metrics", __name__)


def _allowed() -> bool:
    config = current_app.config
    token = config["METRICS_TOKEN"]
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(
            given.removeprefix("Bearer ").strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address((request.remote_addr or "").split("%")[0])
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in config["METRICS_ALLOW_NETWORKS"])


@bp.get("/metrics")
def scrape():
    """The Prometheus scrape; 403 unless the caller is allowed."""
    if not _allowed():
        return error(403, "forbidden", _("You are not allowed to do this."))
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})
