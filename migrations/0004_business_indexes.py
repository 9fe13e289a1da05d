"""Create the indexes of slug claims, QR scans and the catalog, and claim existing slugs."""

from app.models import Business, QrScanDay, SlugClaim


def up():
    for document in (Business, SlugClaim, QrScanDay):
        document.ensure_indexes()
    for business in Business.objects.only("id", "slug", "previous_slugs"):
        for slug in [business.slug, *business.previous_slugs]:
            if SlugClaim.objects(id=slug).first() is None:
                SlugClaim(id=slug, business_id=business.id).save(force_insert=True)
