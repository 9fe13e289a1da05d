"""A business's QR code for its team: SVG, PNG, or a print-ready PDF card."""

from typing import Annotated, Literal

from flask import Blueprint, Response, request
from pydantic import Field

from app.api.guard import login_required, me
from app.api.validation import Query, query
from app.businesses import permissions, qr

bp = Blueprint("qr", __name__)

# The code never changes and the ETag covers everything drawn: a week in the browser's cache.
CACHE_CONTROL = "private, max-age=604800"


class QrQuery(Query):
    format: Literal["svg", "png", "pdf"] = "svg"
    # Width in pixels of an SVG or PNG; the PDF card has a fixed size (A6) and ignores it.
    size: Annotated[int, Field(ge=qr.SIZE_MIN, le=qr.SIZE_MAX)] = qr.SIZE_DEFAULT
    # 1: ask the browser to save the file (Content-Disposition: attachment).
    download: bool = False


def _headers(tag, params, business):
    # Weak: the same tag for the compressed SVG and the plain one, so the 304 is decided
    # before rendering.
    headers = {"ETag": f'W/"{tag}"', "Cache-Control": CACHE_CONTROL,
               "X-Content-Type-Options": "nosniff"}
    if params.format == "svg":
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    if params.format == "pdf":
        headers["Vary"] = "Accept-Language"  # the card's caption is in the reader's language
    if params.download:
        headers["Content-Disposition"] = \
            f'attachment; filename="{business.slug}-qr.{params.format}"'
    return headers


@bp.get("/businesses/<id(biz):business_id>/qr")
@login_required
@query(QrQuery)
def business_qr(params, business_id):
    """The business's QR code (any team member): format svg, png or pdf (an A6 card)."""
    business = permissions.get_business(business_id)
    permissions.require_member(business, me())
    tag = qr.etag(business, params.format, params.size)
    if request.if_none_match.contains_weak(tag):
        return Response(status=304, headers=_headers(tag, params, business))
    data, mimetype, tag = qr.download(business, params.format, params.size)
    return Response(data, mimetype=mimetype, headers=_headers(tag, params, business))
