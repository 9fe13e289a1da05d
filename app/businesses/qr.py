"""QR codes of a business: its short permanent code, the link the code encodes, and the images
that carry it (SVG, PNG, and a print-ready A6 PDF card).

The symbol encodes `{PUBLIC_BASE_URL}/q/<code>`, never the slug: the code never changes, so a
printed sticker keeps working after a rename, and every scan passes through us to be counted.
"""

import hashlib
import io
import itertools
import os
from functools import lru_cache

import segno
from flask import current_app
from flask_babel import gettext as _
from mongoengine import NotUniqueError
from PIL import Image, ImageOps
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from app import clock
from app.models import Business
from app.models.base import random_code

FORMATS = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}
SIZE_MIN, SIZE_MAX, SIZE_DEFAULT = 128, 4096, 1024
CODE_LENGTH = 8  # Crockford's base32 (as our ids): no i, l, o, u to misread on a card
# Level Q restores up to ~25% of a damaged symbol: stickers get scratched, folded and dirty.
ERROR_LEVEL = "q"
QUIET_ZONE = 4  # modules of white around the symbol, as the standard asks
# Part of every ETag: bump it when the drawing changes, so cached images are fetched anew.
RENDER_VERSION = "1"


class FontMissing(RuntimeError):
    """The PDF card's font file is not there (a deployment problem, not a user's)."""


def new_code() -> str:
    return random_code(CODE_LENGTH)


def ensure_code(business: Business, attempts: int = 5) -> str:
    """The business's QR code, assigned on first use. Atomic: two first downloads at once
    agree on one code, and a code another business holds is drawn again."""
    for _attempt in range(attempts):
        if business.qr_code:
            return business.qr_code
        try:
            Business.objects(id=business.id, qr_code=None).update_one(set__qr_code=new_code())
        except NotUniqueError:
            continue
        business.reload("qr_code")  # ours, or the one a concurrent request set first
    raise RuntimeError(f"could not assign a unique QR code to {business.id}")


def qr_url(business: Business) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/q/{ensure_code(business)}"


def _inputs(business, fmt, size):
    """Everything that decides an image's bytes, and so its ETag."""
    inputs = {"version": RENDER_VERSION, "format": fmt, "url": qr_url(business)}
    if fmt == "pdf":
        # The card shows the name and a caption in the reader's language; its size is fixed.
        inputs.update(name=business.name, caption=_("Scan to write to us"),
                      font=current_app.config["PDF_FONT_PATH"])
    else:
        inputs["size"] = size
    return inputs


@lru_cache(maxsize=4096)
def _best_mask(url):
    """segno scores all eight masks to pick the best, most of the time a code takes; the
    choice depends only on the content, so each process makes it once per URL."""
    return segno.make(url, error=ERROR_LEVEL, micro=False).mask


def _etag(inputs):
    text = "\x1f".join(f"{key}={value}" for key, value in sorted(inputs.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def etag(business: Business, fmt: str, size: int = SIZE_DEFAULT) -> str:
    """The ETag of an image without drawing it, so a revalidation costs no rendering."""
    return _etag(_inputs(business, fmt, size))


def download(business: Business, fmt: str,
             size: int = SIZE_DEFAULT) -> tuple[bytes, str, str]:
    """`render`, for the business's team: the first download is remembered (the cabinet's
    first steps count the code as printed)."""
    if business.qr_downloaded_at is None:
        Business.objects(id=business.id, qr_downloaded_at=None).update_one(
            set__qr_downloaded_at=clock.now())
    return render(business, fmt, size)


def render(business: Business, fmt: str, size: int = SIZE_DEFAULT) -> tuple[bytes, str, str]:
    """(bytes, mimetype, etag) of the business's QR code. `size` is the width in pixels of an
    SVG or PNG (ignored for the PDF card)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown QR format {fmt!r}")
    inputs = _inputs(business, fmt, size)
    url = inputs["url"]
    symbol = segno.make(url, error=ERROR_LEVEL, micro=False, mask=_best_mask(url))
    if fmt == "svg":
        data = _svg(symbol, size)
    elif fmt == "png":
        data = _png(symbol, size)
    else:
        data = _pdf(symbol, inputs)
    return data, FORMATS[fmt], _etag(inputs)


def _svg(symbol, size):
    out = io.BytesIO()
    symbol.save(out, kind="svg", scale=1, border=QUIET_ZONE, xmldecl=False, omitsize=True,
                light="#fff", svgclass=None, lineclass=None)
    # A viewBox in modules with an exact pixel size: `size` wide, and sharp at any zoom.
    return out.getvalue().replace(b"<svg ", f'<svg width="{size}" height="{size}" '.encode(), 1)


def _png(symbol, size):
    side = symbol.symbol_size(scale=1, border=0)[0]
    # Whole pixels per module keep the edges sharp; the rest of `size` widens the quiet zone.
    scale = max(1, size // (side + 2 * QUIET_ZONE))
    pixels = bytes(0 if dark else 255 for row in symbol.matrix for dark in row)
    image = Image.frombytes("L", (side, side), pixels).convert("1")
    image = image.resize((side * scale, side * scale), Image.Resampling.NEAREST)
    pad = max(size - side * scale, 2 * QUIET_ZONE * scale)
    image = ImageOps.expand(image, (pad // 2, pad // 2, pad - pad // 2, pad - pad // 2), fill=1)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# The A6 card (105 × 148 mm), top to bottom: the name, the symbol, the short link, the caption.
_MARGIN = 8 * mm
_NAME_AREA = 28 * mm
_NAME_SIZES = (22, 20, 18, 16, 14, 13, 12, 11, 10)
_SYMBOL_SIDE = 84 * mm  # quiet zone included
_TEXT_SIZE = 11
_LEADING = 1.2


@lru_cache(maxsize=4)
def _font(path):
    """The registered name of the TTF font at `path` (it must cover Cyrillic)."""
    if not os.path.isfile(path):
        raise FontMissing(f"PDF_FONT_PATH {path!r} is not a file: install the Debian package "
                          "fonts-dejavu-core or point PDF_FONT_PATH at a TTF font with Cyrillic")
    name = "QrCard-" + hashlib.sha256(path.encode()).hexdigest()[:8]
    pdfmetrics.registerFont(TTFont(name, path))
    return name


def _wrap(text, font, size, width):
    """Lines of `text` no wider than `width`, breaking inside words that are too long alone."""
    lines = []
    for line in simpleSplit(text, font, size, width) or [""]:
        while pdfmetrics.stringWidth(line, font, size) > width:
            cut = len(line) - 1
            while cut > 1 and pdfmetrics.stringWidth(line[:cut], font, size) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return lines


def _fit(text, font, width, sizes, height):
    """(font size, lines): the largest of `sizes` at which `text` fits in `width` × `height`;
    at the smallest size what does not fit is cut with an ellipsis."""
    for size in sizes:
        lines = _wrap(text, font, size, width)
        max_lines = max(1, int(height // (size * _LEADING)))
        if len(lines) <= max_lines:
            return size, lines
    lines = lines[:max_lines]
    last = lines[-1]
    while last and pdfmetrics.stringWidth(last + "…", font, size) > width:
        last = last[:-1]
    lines[-1] = last.rstrip() + "…"
    return size, lines


def _draw_lines(pdf, font, size, lines, top):
    """Centred lines from `top` down; returns the y under the last line."""
    pdf.setFont(font, size)
    y = top
    for line in lines:
        y -= size
        pdf.drawCentredString(A6[0] / 2, y, line)
        y -= size * (_LEADING - 1)
    return y


def _draw_symbol(pdf, symbol, left, top, module):
    """Dark modules as filled rectangles (one per horizontal run): vectors print crisp."""
    path = pdf.beginPath()
    for row_index, row in enumerate(symbol.matrix):
        column = 0
        for dark, run in itertools.groupby(row):
            length = len(list(run))
            if dark:
                path.rect(left + column * module, top - (row_index + 1) * module,
                          length * module, module)
            column += length
    pdf.drawPath(path, stroke=0, fill=1)


def _pdf(symbol, inputs):
    font = _font(inputs["font"])
    page_width, page_height = A6
    text_width = page_width - 2 * _MARGIN
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A6, invariant=1)  # invariant: same inputs, same bytes
    pdf.setTitle(inputs["name"])

    size, lines = _fit(inputs["name"], font, text_width, _NAME_SIZES, _NAME_AREA)
    block = len(lines) * size * _LEADING
    _draw_lines(pdf, font, size, lines, page_height - _MARGIN - (_NAME_AREA - block) / 2)

    modules = symbol.symbol_size(scale=1, border=QUIET_ZONE)[0]
    module = _SYMBOL_SIDE / modules
    symbol_top = page_height - _MARGIN - _NAME_AREA
    _draw_symbol(pdf, symbol, (page_width - _SYMBOL_SIDE) / 2 + QUIET_ZONE * module,
                 symbol_top - QUIET_ZONE * module, module)

    short_url = inputs["url"].split("://", 1)[-1]  # what a person types: no scheme needed
    y = symbol_top - _SYMBOL_SIDE
    for text in (short_url, inputs["caption"]):
        size, lines = _fit(text, font, text_width, (_TEXT_SIZE, 10, 9, 8),
                           2 * _TEXT_SIZE * _LEADING)
        y = _draw_lines(pdf, font, size, lines, y)
    pdf.showPage()
    pdf.save()
    return out.getvalue()
