"""The catalog: public businesses found by text, category and distance, a page at a time.

Both stores narrow by their indexes before they filter: text by word prefix (searchWords),
category (categoryIds), the public flags, and distance. Distance search has two paths behind
`search()`: on MongoDB a `$geoNear` aggregation that uses the 2dsphere index; on the embedded
store (no geo operators) the businesses in the grid cells around the point, then distances
computed here. Both sort by distance and give `distanceMeters`; the test suite runs unchanged
on either store.
"""

from flask import current_app

from app import db
from app.businesses import categories
from app.lib import geo, search_text
from app.models import Business

DEFAULT_RADIUS = 5000
MAX_RADIUS = 50000
PUBLIC = {"isPublic": True, "isActive": True, "blocked": False, "deletedAt": None,
          "hidden": {"$ne": True}}  # hidden: by a moderator


class Page:
    def __init__(self, items: list[Business], total: int,
                 distances: dict[str, float] | None = None):
        self.items = items  # Business documents
        self.total = total
        self.distances = distances or {}  # business id -> metres


def _filter(q=None, category=None):
    """The MongoDB filter for public businesses matching text and category; None when nothing
    can match (a category that does not exist, a query without a word)."""
    conditions = [dict(PUBLIC), *search_text.conditions(q or "")]
    if (q or "").strip() and len(conditions) == 1:
        return None  # only punctuation typed: it begins no word

    if category:
        ids = categories.with_descendants(category)
        if ids is None:
            return None
        conditions.append({"categoryIds": {"$in": ids}})
    return {"$and": conditions}


def search(q: str | None = None, category: str | None = None, lat: float | None = None,
           lng: float | None = None, radius: int | None = None, page: int = 1,
           limit: int = 20) -> Page:
    query = _filter(q, category)
    if query is None:
        return Page([], 0)
    embedded = current_app.extensions.get("embedded_store") is not None
    if lat is None or lng is None:
        if embedded:
            return _ranked_here(query, page, limit)
        cursor = Business._get_collection().find(query).sort(
            [("subscriberCount", -1), ("name", 1), ("_id", 1)])
        total = Business._get_collection().count_documents(query)
        rows = list(cursor.skip((page - 1) * limit).limit(limit))
        return Page([Business._from_son(row) for row in rows], total)
    radius = min(radius or DEFAULT_RADIUS, MAX_RADIUS)
    if not embedded:
        return _near_on_mongodb(query, lat, lng, radius, page, limit)
    return _near_here(query, lat, lng, radius, page, limit)


def _ranked_here(query, page, limit):
    """The MongoDB path's order (most subscribers, then name, then id) on the embedded store,
    which walks its subscriberCount index instead of sorting every match."""
    total, first = db.ranked(Business._get_collection(), query, "subscriberCount", _ORDER,
                             page * limit)
    return Page(_businesses([row["_id"] for row in first[(page - 1) * limit:]]), total)


def _ORDER(row):
    return -row.get("subscriberCount", 0), row.get("name", ""), row["_id"]


def _businesses(ids):
    found = {business.id: business for business in Business.objects(id__in=ids)}
    return [found[business_id] for business_id in ids if business_id in found]


def _near_on_mongodb(query, lat, lng, radius, page, limit):
    pipeline = [
        {"$geoNear": {"near": {"type": "Point", "coordinates": [lng, lat]},
                      "distanceField": "distanceMeters", "maxDistance": radius,
                      "spherical": True, "query": query, "key": "location.point"}},
        {"$facet": {"total": [{"$count": "n"}],
                    "rows": [{"$skip": (page - 1) * limit}, {"$limit": limit}]}},
    ]
    result = next(Business._get_collection().aggregate(pipeline))
    total = result["total"][0]["n"] if result["total"] else 0
    rows = result["rows"]
    return Page([Business._from_son(row) for row in rows], total,
                {row["_id"]: row["distanceMeters"] for row in rows})


def _near_here(query, lat, lng, radius, page, limit):
    around = db.near_ids(Business._get_collection(), "location.point", lat, lng, radius)
    # The grid holds located businesses only; without it, every located one is measured.
    located = {"$and": [query, {"_id": {"$in": list(around)}} if around is not None
                        else {"location.point": {"$exists": True, "$ne": None}}]}
    nearby = []
    for row in db.stored_matches(Business._get_collection(), located):
        point = (row.get("location") or {}).get("point")
        if not point:
            continue
        point_lng, point_lat = point["coordinates"]
        distance = geo.distance_meters(lat, lng, point_lat, point_lng)
        if distance <= radius:
            nearby.append((distance, row["_id"]))
    nearby.sort()
    chosen = nearby[(page - 1) * limit: page * limit]
    return Page(_businesses([business_id for _d, business_id in chosen]), len(nearby),
                {business_id: distance for distance, business_id in chosen})
