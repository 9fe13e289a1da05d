"""What a creation of a business cut short by a crash leaves behind, found and removed.

A business is written last (businesses.create), so a crash before that leaves no business
anybody can see or reach: only its slug claim, the owner's membership and its settings,
pointing at a business that does not exist. A new claim of that slug frees it by itself
(slugs.abandoned); `flask repair` removes all such remains, past the time a creation takes.
"""

from app import clock
from app.businesses.slugs import CREATION_SECONDS
from app.models import Business, BusinessMember, BusinessSettings, SlugClaim


def _missing(business_ids):
    ids = set(business_ids)
    found = {row["_id"] for row in Business._get_collection().find(
        {"_id": {"$in": list(ids)}}, {"_id": 1})}
    return ids - found


def remove_half_made() -> dict[str, int]:
    """Remove the remains of businesses never written; how many of each kind were removed."""
    before = clock.now() - CREATION_SECONDS
    removed = {}
    for name, document in (("slugClaims", SlugClaim), ("members", BusinessMember),
                           ("settings", BusinessSettings)):
        rows = document._get_collection().find({"createdAt": {"$lt": before}},
                                               {"businessId": 1})
        missing = _missing(row["businessId"] for row in rows if row.get("businessId"))
        removed[name] = document._get_collection().delete_many(
            {"businessId": {"$in": list(missing)}, "createdAt": {"$lt": before}}).deleted_count \
            if missing else 0
    return removed
