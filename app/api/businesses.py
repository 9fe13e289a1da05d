"""Businesses: create, read (by id or slug), edit, soft-delete, logo, slug suggestions."""

from typing import Annotated

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from pydantic import Field, model_validator

from app.api.guard import login_required, me, optional_login
from app.api.presenters import business_for_team, business_public
from app.api.responses import ok, paginated, responds
from app.api.validation import Body, Paging, Query, body, query
from app.businesses import businesses, catalog, categories, slugs, subscriptions
from app.businesses.permissions import effective, get_business, membership
from app.errors import AppError, NotFound

bp = Blueprint("businesses", __name__, url_prefix="/businesses")

CategoryIds = Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=10)]


Lat = Annotated[float, Field(ge=-90, le=90)]
Lng = Annotated[float, Field(ge=-180, le=180)]


class Coordinates(Body):
    lat: Lat
    lng: Lng


class LocationIn(Body):
    """{address, lat, lng}, or the plan's {address, coordinates: {lat, lng}}; an address alone
    is kept without coordinates (that business is not found by distance)."""
    address: Annotated[str, Field(max_length=300)] | None = None
    lat: Lat | None = None
    lng: Lng | None = None
    coordinates: Coordinates | None = None

    @model_validator(mode="after")
    def _one_shape(self):
        if (self.lat is None) != (self.lng is None):
            raise ValueError(gettext("Give both lat and lng."))
        if self.coordinates is not None:
            if self.lat is not None:
                raise ValueError(gettext("Give either lat and lng or coordinates, not both."))
            self.lat, self.lng, self.coordinates = self.coordinates.lat, self.coordinates.lng, None
        if self.lat is None and not (self.address or "").strip():
            raise ValueError(gettext("A location needs an address or coordinates."))
        return self


class BusinessCreate(Body):
    name: Annotated[str, Field(max_length=businesses.NAME_MAX)]
    slug: Annotated[str, Field(max_length=100)] | None = None
    description: Annotated[str, Field(max_length=businesses.DESCRIPTION_MAX)] = ""
    categoryIds: CategoryIds = []
    location: LocationIn | None = None
    isPublic: bool = True


class BusinessUpdate(Body):
    name: Annotated[str, Field(max_length=businesses.NAME_MAX)] | None = None
    slug: Annotated[str, Field(max_length=100)] | None = None
    description: Annotated[str, Field(max_length=businesses.DESCRIPTION_MAX)] | None = None
    categoryIds: CategoryIds | None = None
    location: LocationIn | None = None
    isPublic: bool | None = None
    isActive: bool | None = None


class OwnerQuery(Paging):
    ownerId: Annotated[str, Field(max_length=40)] | None = None


class SlugQuery(Query):
    slug: Annotated[str, Field(min_length=1, max_length=100)]


class NameQuery(Query):
    name: Annotated[str, Field(min_length=1, max_length=businesses.NAME_MAX)]


def _team_view(business, member):
    return business_for_team(business, member, effective(member),
                             categories.by_ids(business.category_ids))


def view_for(business, user):
    """The team's view for team members, the public one for everybody else; signed in, it
    says whether the caller is subscribed (the landing page's Subscribe button)."""
    member = membership(business.id, user.id) if user else None
    if member is not None:
        data = _team_view(business, member)
    elif not businesses.visible_to_public(business):
        raise NotFound("business_not_found", _("No such business."))
    else:
        data = business_public(business, categories.by_ids(business.category_ids))
    if user:
        data["isSubscribed"] = bool(subscriptions.subscribed_ids(user.id, [business.id]))
    return data


@bp.post("")
@responds(201)
@login_required
@body(BusinessCreate)
def create(data):
    """Create a business; you become its owner. A taken slug answers 409 with suggestions."""
    business = businesses.create(
        me(), data.name, slug=data.slug, description=data.description,
        category_ids=data.categoryIds,
        location_data=data.location.model_dump() if data.location else None,
        is_public=data.isPublic)
    return ok(_team_view(business, membership(business.id, me().id)), status=201)


@bp.get("")
@optional_login
@query(OwnerQuery)
def list_by_owner(params):
    """An owner's businesses (ownerId): all of them for the owner, the public ones for others.
    Without ownerId, the public businesses, in the catalog's order and pages."""
    if params.ownerId is None:
        page = catalog.search(page=params.page, limit=params.limit)
        found, total = page.items, page.total
    else:
        viewer = me().id if me() else None
        found, total = businesses.owned_by(params.ownerId, viewer, params.page, params.limit)
    names = categories.by_ids({i for b in found for i in b.category_ids})
    return paginated([business_public(b, names) for b in found], params.page, params.limit,
                     total)


@bp.get("/slug-suggestions")
@query(NameQuery)
def slug_suggestions(params):
    """Free slugs made from a name, transliterated (e.g. "Кофейня на Арбате")."""
    return ok({"suggestions": slugs.suggestions(slugs.from_name(params.name))})


@bp.get("/slug-availability")
@query(SlugQuery)
def slug_availability(params):
    """Whether a page address is free (as a form asks while it is typed), why not, and free
    ones near it."""
    return ok(slugs.availability(params.slug))


@bp.get("/slug/<slug>")
@optional_login
def by_slug(slug):
    """A business by its slug; a former slug answers 301 to the current one."""
    business, moved = businesses.resolve_slug(slug)
    if moved:
        return redirect(url_for("api.businesses.by_slug", slug=business.slug), code=301)
    return ok(view_for(business, me()))


@bp.get("/<id(biz):business_id>")
@optional_login
def get(business_id):
    """A business by id (hidden ones too: they are reachable by link)."""
    return ok(view_for(get_business(business_id), me()))


@bp.put("/<id(biz):business_id>")
@login_required
@body(BusinessUpdate)
def update(data, business_id):
    """Edit the business (canManageSettings). A new slug keeps the old one redirecting."""
    changes = data.model_dump(exclude_unset=True)
    if "location" in changes and data.location is not None:
        changes["location"] = data.location.model_dump()
    for field in ("name", "isPublic", "isActive", "categoryIds"):
        if field in changes and changes[field] is None:
            raise AppError("validation_error", _("This field cannot be null."), status=422,
                           details={"field": field})
    business = businesses.update(get_business(business_id), me(), changes)
    return ok(_team_view(business, membership(business.id, me().id)))


@bp.delete("/<id(biz):business_id>")
@login_required
def delete(business_id):
    """Delete the business (owner only). Its slugs stay reserved for it."""
    businesses.soft_delete(get_business(business_id), me())
    return ok({"deleted": True})


@bp.post("/<id(biz):business_id>/logo")
@login_required
def upload_logo(business_id):
    """Upload the logo: multipart field `file`, JPEG, PNG or WebP up to 5 MB."""
    business = get_business(business_id)
    upload = request.files.get("file")
    if upload is None:
        raise AppError("validation_error", _("Send the image in the multipart field 'file'."),
                       status=422, details={"field": "file"})
    businesses.set_logo(business, me(), upload.read())
    return ok(_team_view(business, membership(business.id, me().id)))


upload_logo.multipart_fields = {"file": "binary"}

