"""A new business's first steps, as its cabinet's overview lists them until all are done, each
read from the data: the bot's greeting is set, someone was invited to the team, the widget is
on a website, the QR code was downloaded (or scanned), the channel has a post."""

from dataclasses import dataclass

from app.models import (
    Business,
    BusinessMember,
    BusinessSettings,
    ChannelPost,
    Guest,
    QrScanDay,
)

STEPS = ("greeting", "team", "widget", "qr", "post")


@dataclass(frozen=True)
class Step:
    name: str  # one of STEPS
    done: bool


def of(business: Business) -> list[Step]:
    settings = BusinessSettings.objects(business_id=business.id).only(
        "greeting", "widget").first()
    done = {
        "greeting": bool(settings and (settings.greeting or "").strip()),
        # An invitation counts: the owner did their part.
        "team": BusinessMember.objects(business_id=business.id, role__ne="owner",
                                       is_active=True).only("id").first() is not None,
        # Allowed websites set, or a visitor already wrote through the widget.
        "widget": bool(settings and settings.widget and settings.widget.allowed_origins)
        or Guest.objects(business_id=business.id).only("id").first() is not None,
        "qr": business.qr_downloaded_at is not None
        or QrScanDay.objects(business_id=business.id).only("id").first() is not None,
        "post": ChannelPost.objects(business_id=business.id, deleted_at=None).only(
            "id").first() is not None,
    }
    return [Step(name, done[name]) for name in STEPS]
