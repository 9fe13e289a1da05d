"""What people write that others read: one rule for its length and shape."""

from flask_babel import lazy_gettext as _

from app.errors import AppError


def clean_text(raw: object, limit: int, field: str = "text") -> str:
    """`raw` trimmed, 1 to `limit` characters; 422 otherwise."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text or len(text) > limit:
        raise AppError("validation_error", _("Write from 1 to %(max)s characters.", max=limit),
                       status=422, details={"fields": [{"field": field}]})
    return text
