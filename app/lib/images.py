"""Uploaded images (avatars, logos, post images): checked by their content and re-encoded."""

import io

from flask_babel import lazy_gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from app.errors import AppError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


def reencode(data: bytes, max_bytes: int, max_side: int) -> bytes:
    """Check by content that `data` is a JPEG, PNG or WebP, and re-encode it to WebP,
    bounded in size and stripped of metadata. Raises 413 or 415 otherwise."""
    if len(data) > max_bytes:
        raise AppError("file_too_large", _("The image is larger than %(mb)s MB.",
                                           mb=max_bytes // (1024 * 1024)), status=413)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        if kind not in ALLOWED_FORMATS:
            raise UnidentifiedImageError(kind)
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise AppError("unsupported_image", _("Upload a JPEG, PNG or WebP image."),
                       status=415) from None
    image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is dropped
    image.thumbnail((max_side, max_side))
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=85, method=4)  # no exif/icc passed: metadata dropped
    return out.getvalue()
