"""Uploaded images (avatars, logos, post images): checked by their content, re-encoded to WebP
and stored.

An image is judged by its header before a pixel is decoded: a file of a few hundred KB can
declare 13,000 × 13,000 pixels and take gigabytes once decoded (a decompression bomb), so
each use has a budget of declared pixels, and a larger image is refused with 422. Decoding
then holds a bounded amount of memory: a JPEG is decoded straight at a reduced scale (the
decoder's draft mode), any other image within its budget. At most IMAGE_DECODES_AT_ONCE images
are decoded at once per process, each in a real thread (Pillow works outside the GIL), so the
server's greenlets carry on meanwhile; one person uploads at most IMAGE_UPLOADS_PER_USER.
"""

import io
import threading
import warnings
from typing import NamedTuple

import gevent
from flask import Flask, current_app
from flask_babel import lazy_gettext as _
from gevent import monkey
from PIL import Image, ImageOps, UnidentifiedImageError

from app.errors import AppError
from app.lib import rate_limits, storage

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
WAIT_SECONDS = 20  # for a decoding slot, before answering 503


class Use(NamedTuple):
    folder: str  # where the files go in storage
    megapixels: str  # the setting with its budget of declared pixels, in millions
    max_side: str | int  # the setting with the longest side it is scaled to (or the side)


AVATAR = Use("avatars", "IMAGE_MAX_MEGAPIXELS", "AVATAR_MAX_SIDE")
LOGO = Use("logos", "IMAGE_MAX_MEGAPIXELS", "AVATAR_MAX_SIDE")
POST = Use("posts", "POST_IMAGE_MAX_MEGAPIXELS", 1280)  # a phone screen, sharp


def init_images(app: Flask) -> None:
    app.extensions["image_decoding"] = threading.BoundedSemaphore(
        app.config["IMAGE_DECODES_AT_ONCE"])


def store(data: bytes, use: Use, uploader_id: str) -> str:
    """Check `data`, re-encode it for `use` and store it; the storage key."""
    rate_limits.hit(current_app.config["IMAGE_UPLOADS_PER_USER"], "image-upload", uploader_id,
                    _("Too many images uploaded. Try again later."))
    return storage.storage().save(use.folder, reencode(data, use), "webp")


def reencode(data: bytes, use: Use) -> bytes:
    """`data` as WebP scaled for `use`, stripped of metadata: 413 when the file is too large,
    415 when it is no JPEG, PNG or WebP, 422 when it declares more pixels than `use` takes,
    503 while every decoding slot stays busy."""
    config = current_app.config
    max_bytes = config["AVATAR_MAX_BYTES"]
    if len(data) > max_bytes:
        raise AppError("file_too_large", _("The image is larger than %(mb)s MB.",
                                           mb=max_bytes // (1024 * 1024)), status=413)
    kind, (width, height) = _probe(data)
    budget = config[use.megapixels] * 1_000_000
    if width * height > budget:
        raise AppError("image_too_large",
                       _("The image is too large: at most %(mp)s megapixels.",
                         mp=config[use.megapixels]), status=422,
                       details={"width": width, "height": height, "maxPixels": budget})
    side = use.max_side if isinstance(use.max_side, int) else config[use.max_side]
    slots = current_app.extensions["image_decoding"]
    if not slots.acquire(timeout=WAIT_SECONDS):
        raise AppError("uploads_busy", _("Too many images are being processed. Try again."),
                       status=503, headers={"Retry-After": "5"})
    try:
        return _in_a_thread(_convert, data, kind, side)
    finally:
        slots.release()


def _probe(data):
    """(format, (width, height)) from the header, the file checked whole; 415 otherwise."""
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning: our budget, checked next, is far smaller.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind, size = probe.format, probe.size
                probe.verify()  # the structure and checksums, without decoding pixels
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        kind = None
    if kind not in ALLOWED_FORMATS:
        raise AppError("unsupported_image", _("Upload a JPEG, PNG or WebP image."), status=415)
    return kind, size


def _in_a_thread(function, *args):
    """Under gevent (the server), run `function` in its thread pool, so the other greenlets
    are not held up; elsewhere, here."""
    if monkey.is_module_patched("threading"):
        return gevent.get_hub().threadpool.apply(function, args)
    return function(*args)


def _convert(data, kind, side):
    try:
        image = Image.open(io.BytesIO(data))
        if kind == "JPEG":
            image.draft("RGB", (side, side))  # decoded at 1/2 to 1/8 of its size, still >= side
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise AppError("unsupported_image", _("Upload a JPEG, PNG or WebP image."),
                       status=415) from None
    image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is dropped
    image.thumbnail((side, side))
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=85, method=4)  # no exif/icc passed: metadata dropped
    return out.getvalue()
