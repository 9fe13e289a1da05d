"""The embeddable widget's settings per business: appearance (with the launcher's distance from
the bottom of the screen), the away message, the websites allowed to frame it, and identity
verification (a secret the business's server signs its customer ids with, and the "mandatory"
switch that refuses anonymous guests)."""

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _

from app import clock
from app.businesses import bot_settings, hours
from app.businesses.permissions import require, require_member
from app.errors import AppError
from app.lib import storage, text
from app.models import Business, User, WidgetSettings

DEFAULT_COLOR = "#2563eb"
ORIGINS_MAX = 20
# The launcher's distance from the bottom of the screen, in CSS pixels (the loader adds the
# phone's safe-area inset). 20 is where it has always been.
BOTTOM_OFFSET_DEFAULT = 20
BOTTOM_OFFSET_MAX = 400
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
# A host name as DNS spells it (IDNA for others): nothing that could end or add a CSP source.
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_HOST = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")


def _document(business_id):
    found = bot_settings.settings_of(business_id)
    if found.widget is None:
        found.widget = WidgetSettings()
    return found


def of(business_id: str) -> WidgetSettings:
    """The business's widget settings (a WidgetSettings document, defaults filled in by
    `public`)."""
    return _document(business_id).widget


def public(widget: WidgetSettings) -> dict:
    """What the loader and the chat may know: never the secret or the allowed origins."""
    return {
        "color": widget.color or DEFAULT_COLOR,
        "position": widget.position or "right",
        "launcherText": widget.launcher_text,
        "bottomOffset": bottom_offset(widget),
        "awayMessage": widget.away_message,
        "identityRequired": bool(widget.identity_required),
    }


def bottom_offset(widget: WidgetSettings) -> int:
    """The launcher's distance from the bottom of the screen, in pixels."""
    return BOTTOM_OFFSET_DEFAULT if widget.bottom_offset is None else widget.bottom_offset


def for_team(widget: WidgetSettings) -> dict:
    """The cabinet's view: everything but the secret itself (shown once, when rotated)."""
    return {**public(widget), "allowedOrigins": list(widget.allowed_origins or []),
            "identitySecretSet": bool(widget.identity_secret)}


def view(business: Business, actor: User) -> dict:
    """The team's view of the settings (any member; changing them needs canManageSettings)."""
    require_member(business, actor)
    return for_team(of(business.id))


def clean_origin(raw: str | None) -> str:
    """`https://shop.example` from what a person types (a URL or an origin); 422 otherwise."""
    typed = (raw or "").strip().rstrip("/")
    # Another scheme ("data:", "javascript:…") typed without "//", not "shop.example:8080".
    other_scheme = "://" not in typed and re.match(r"^[^/]*:(?!\d+(/|$))", typed)
    parts = urlsplit(typed if "://" in typed else f"https://{typed}")
    try:
        port_ok = parts.port is None or parts.port > 0
        host = (parts.hostname or "").encode("idna").decode("ascii")  # магазин.рф → xn--…
    except (ValueError, UnicodeError):  # "javascript:alert(1)": port "alert(1)"
        port_ok, host = False, ""
    if other_scheme or parts.scheme not in ("http", "https") or not _HOST.match(host) \
            or parts.path not in ("", "/") or parts.query or parts.fragment or parts.username \
            or parts.password or not port_ok:
        raise AppError("validation_error", _("Enter a website address like https://shop.example."),
                       status=422, details={"fields": [{"field": "allowedOrigins",
                                                        "value": typed[:200]}]})
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def update(business: Business, actor: User, changes: dict) -> WidgetSettings:
    """Apply {color, position, launcherText, bottomOffset, awayMessage, allowedOrigins,
    identityRequired} (any of them; None resets a field). Needs canManageSettings. All checked
    before any is written."""
    require(business, actor, "canManageSettings")
    document = _document(business.id)
    widget = document.widget
    if "color" in changes:
        color = changes["color"]
        if color is not None and not _COLOR.match(color):
            raise AppError("validation_error", _("A colour is written like #2563eb."),
                           status=422, details={"fields": [{"field": "color"}]})
        widget.color = color.lower() if color else None
    if "position" in changes:
        if changes["position"] not in (None, "left", "right"):
            raise AppError("validation_error", _("The position is left or right."), status=422,
                           details={"fields": [{"field": "position"}]})
        widget.position = changes["position"]
    if "bottomOffset" in changes:
        offset = changes["bottomOffset"]
        if offset is not None and (type(offset) is not int
                                   or not 0 <= offset <= BOTTOM_OFFSET_MAX):
            raise AppError("validation_error",
                           _("The distance from the bottom is a whole number of pixels from 0 "
                             "to %(max)s.", max=BOTTOM_OFFSET_MAX),
                           status=422, details={"fields": [{"field": "bottomOffset"}]})
        widget.bottom_offset = offset
    for name, attr, limit in (("launcherText", "launcher_text", 40),
                              ("awayMessage", "away_message", 1000)):
        if name in changes:
            value = (changes[name] or "").strip()
            if len(value) > limit:
                raise AppError("validation_error", _("At most %(count)s characters.",
                                                     count=limit),
                               status=422, details={"fields": [{"field": name}]})
            setattr(widget, attr, text.check(value, name, multiline=True) or None)
    if "allowedOrigins" in changes:
        origins = list(dict.fromkeys(clean_origin(o) for o in changes["allowedOrigins"] or []))
        if len(origins) > ORIGINS_MAX:
            raise AppError("validation_error", _("At most %(count)s websites.",
                                                 count=ORIGINS_MAX),
                           status=422, details={"fields": [{"field": "allowedOrigins"}]})
        widget.allowed_origins = origins
    if "identityRequired" in changes:
        widget.identity_required = bool(changes["identityRequired"])
    document.widget = widget
    document.updated_at = clock.now()
    document.save()
    return widget


def rotate_secret(business: Business, actor: User) -> str:
    """A new identity secret (the old one stops working at once); returned once, to show."""
    require(business, actor, "canManageSettings")
    secret = secrets.token_hex(32)
    document = _document(business.id)
    document.widget.identity_secret = secret
    document.updated_at = clock.now()
    document.save()
    return secret


def sign(secret: str, external_id: str) -> str:
    """What the business's server computes: hex HMAC-SHA256 of the customer's id."""
    return hmac.new(secret.encode(), external_id.encode(), hashlib.sha256).hexdigest()


def verify_identity(widget: WidgetSettings, external_id: object, signature: object) -> bool:
    """True only for a valid signature of `external_id` with the current secret, compared in
    constant time; False when no secret is set."""
    if not widget.identity_secret or not isinstance(external_id, str) \
            or not isinstance(signature, str) or not external_id or len(external_id) > 128:
        return False
    return hmac.compare_digest(sign(widget.identity_secret, external_id), signature.lower())


def frame_ancestors(widget: WidgetSettings) -> str:
    """The CSP frame-ancestors value for the widget's page: our own pages (the landing page
    embeds the same chat) and the allowed websites; nothing else may frame it."""
    return " ".join(["'self'", *(widget.allowed_origins or [])])


def embeddable(widget: WidgetSettings, origin: str | None, own_origins: Iterable[str]) -> bool:
    """Whether a page of `origin` may frame the chat: what frame_ancestors allows, with
    `own_origins` standing for 'self' (no Origin at all: our own same-origin request)."""
    return not origin or origin in (*own_origins, *(widget.allowed_origins or []))


def public_config(business: Business, at: datetime | None = None, origin: str | None = None,
                  own_origins: Iterable[str] | None = None) -> dict:
    """The widget's public configuration of `business` at `at` (default: now). With
    `own_origins`, also whether a page of `origin` may show it (`embeddable`), from the same
    read of the settings."""
    settings = _document(business.id)
    widget = settings.widget
    opening_hours = settings.business_hours
    at = at or clock.now()
    online = hours.within_hours(opening_hours, at)
    opening = hours.next_opening(opening_hours, at) if online is False else None
    return {
        "business": {"id": business.id, "name": business.name, "slug": business.slug,
                     "logoUrl": storage.media_url(business.logo)},
        "appearance": public(widget),
        "greeting": settings.greeting,
        "online": online,
        "nextOpeningAt": clock.isoformat(opening),
        "awayMessage": widget.away_message,
        **({"embeddable": embeddable(widget, origin, own_origins)}
           if own_origins is not None else {}),
    }
