"""The catalog: search public businesses by text, category and distance; the category tree."""

from typing import Annotated

from flask import Blueprint
from flask_babel import lazy_gettext as _
from pydantic import Field, model_validator

from app.api.guard import me, optional_login
from app.api.presenters import business_public
from app.api.responses import ok, paginated
from app.api.validation import Paging, query
from app.businesses import catalog, categories, subscriptions

bp = Blueprint("catalog", __name__)


class Near(Paging):
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lng: Annotated[float, Field(ge=-180, le=180)] | None = None
    radius: Annotated[int, Field(ge=1, le=catalog.MAX_RADIUS)] = catalog.DEFAULT_RADIUS

    @model_validator(mode="after")
    def both_coordinates(self):
        if (self.lat is None) != (self.lng is None):
            raise ValueError(str(_("Give both lat and lng.")))
        return self


class CatalogQuery(Near):
    q: Annotated[str, Field(max_length=200)] | None = None
    category: Annotated[str, Field(max_length=60)] | None = None


class NearbyQuery(Near):
    lat: Annotated[float, Field(ge=-90, le=90)]
    lng: Annotated[float, Field(ge=-180, le=180)]


def _answer(page, params):
    user = me()
    subscribed = subscriptions.subscribed_ids(user.id, [b.id for b in page.items]) \
        if user else None
    names = categories.by_ids({i for b in page.items for i in b.category_ids})
    items = [business_public(b, names, distance=page.distances.get(b.id),
                             subscribed=(b.id in subscribed) if user else None)
             for b in page.items]
    return paginated(items, params.page, params.limit, page.total)


@bp.get("/catalog")
@optional_login
@query(CatalogQuery)
def search(params):
    """Public businesses by text (q), category (with its sub-categories) and distance (lat,
    lng, radius in metres, sorted by distance). Signed in, each item says isSubscribed."""
    page = catalog.search(q=params.q, category=params.category, lat=params.lat, lng=params.lng,
                          radius=params.radius, page=params.page, limit=params.limit)
    return _answer(page, params)


@bp.get("/businesses/nearby")
@optional_login
@query(NearbyQuery)
def nearby(params):
    """Public businesses within `radius` metres (default 5,000, at most 50,000), nearest first."""
    page = catalog.search(lat=params.lat, lng=params.lng, radius=params.radius,
                          page=params.page, limit=params.limit)
    return _answer(page, params)


@bp.get("/catalog/categories")
def category_tree():
    """The active categories as a tree."""
    return ok(categories.tree())
