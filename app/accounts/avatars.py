"""Avatars: uploaded images re-encoded safely, and generated ones (initials or phone digits)."""

import hashlib
import io
from xml.sax.saxutils import escape

from flask import current_app
from flask_babel import lazy_gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from app import clock
from app.errors import AppError
from app.lib import storage
from app.models import User

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
_PALETTE = ("#3b5bdb", "#0b7285", "#2b8a3e", "#e67700", "#c2255c", "#5f3dc4", "#1864ab", "#087f5b")


def reencode_image(data, max_bytes, max_side):
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


def upload(user, data):
    config = current_app.config
    webp = reencode_image(data, config["AVATAR_MAX_BYTES"], config["AVATAR_MAX_SIDE"])
    key = storage.storage().save("avatars", webp, "webp")
    User.objects(id=user.id).update_one(set__avatar=key, set__updated_at=clock.now())
    user.avatar = key
    return key


def initials(user):
    """Up to two initials from the name; else the phone's last two digits."""
    words = [word for word in (user.name or "").split() if word[:1].isalnum()]
    if words:
        return "".join(word[0] for word in words[:2]).upper()
    return user.phone[-2:]


def generated_svg(user):
    text = initials(user)
    colour = _PALETTE[int(hashlib.sha256(user.id.encode()).hexdigest(), 16) % len(_PALETTE)]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128" '
        f'role="img" aria-label="{escape(text)}">'
        f'<rect width="128" height="128" rx="64" fill="{colour}"/>'
        '<text x="64" y="64" dy=".35em" text-anchor="middle" fill="#fff" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" '
        f'font-size="52" font-weight="600">{escape(text)}</text></svg>'
    )
