"""The catalog: public businesses found by text, category and distance, a page at a time.

Distance search has two paths behind `search()`: on MongoDB a `$geoNear` aggregation that uses
the 2dsphere index; on the embedded store (no geo operators) the same filter, then distances
computed here. Both sort by distance and give `distanceMeters`; the test suite runs unchanged
on either store.
"""

from flask import current_app

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
    """The MongoDB filter for public businesses matching text and category; None when the
    category does not exist (then nothing matches)."""
    conditions = [dict(PUBLIC), *search_text.conditions(q or "")]
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
    if lat is None or lng is None:
        cursor = Business._get_collection().find(query).sort(
            [("subscriberCount", -1), ("name", 1), ("_id", 1)])
        total = Business._get_collection().count_documents(query)
        rows = list(cursor.skip((page - 1) * limit).limit(limit))
        return Page([Business._from_son(row) for row in rows], total)
    radius = min(radius or DEFAULT_RADIUS, MAX_RADIUS)
    if current_app.extensions.get("embedded_store") is None:
        return _near_on_mongodb(query, lat, lng, radius, page, limit)
    return _near_here(query, lat, lng, radius, page, limit)


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
    located = {"$and": [query, {"location.point": {"$exists": True, "$ne": None}}]}
    nearby = []
    for row in Business._get_collection().find(located, {"location.point": 1}):
        point_lng, point_lat = row["location"]["point"]["coordinates"]
        distance = geo.distance_meters(lat, lng, point_lat, point_lng)
        if distance <= radius:
            nearby.append((distance, row["_id"]))
    nearby.sort()
    chosen = nearby[(page - 1) * limit: page * limit]
    found = {b.id: b for b in Business.objects(id__in=[business_id for _d, business_id in chosen])}
    return Page([found[business_id] for _d, business_id in chosen], len(nearby),
                {business_id: distance for distance, business_id in chosen})
