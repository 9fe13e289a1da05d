"""Businesses: create (all or nothing), edit, change the slug, soft-delete, the logo, and
finding one by its slug, current or former."""

from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _
from mongoengine import NotUniqueError

from app import clock, db
from app.businesses import categories, qr, slugs
from app.businesses.permissions import require, require_owner
from app.errors import AppError, NotFound
from app.events import BusinessCreated, BusinessRenamed
from app.lib import event_bus, images, rate_limits, search_text, text
from app.models import Business, BusinessMember, BusinessSettings, Location, SlugClaim, User
from app.models.base import new_id

NAME_MAX = 120
DESCRIPTION_MAX = 2000


def _visible(deleted_at, blocked, hidden, is_active):
    return deleted_at is None and not blocked and not hidden and is_active


def visible_to_public(business: Business | None) -> bool:
    return business is not None and _visible(business.deleted_at, business.blocked,
                                             business.hidden, business.is_active)


def clean_name(raw: str | None) -> str:
    name = " ".join((raw or "").split())
    if not 1 <= len(name) <= NAME_MAX:
        raise AppError("invalid_name", _("The name must be 1 to 120 characters long."),
                       status=422, details={"field": "name"})
    return text.check(name, "name", "invalid_name")


def clean_description(raw: str | None) -> str:
    description = (raw or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise AppError("invalid_description", _("The description is at most 2000 characters."),
                       status=422, details={"field": "description"})
    return text.check(description, "description", "invalid_description", multiline=True)


def location(data: dict | None) -> Location | None:
    """A Location from {address, lat, lng}, the coordinates optional (ranges are checked by
    the request schema)."""
    if data is None:
        return None
    point = [data["lng"], data["lat"]] if data.get("lat") is not None else None
    return Location(address=(data.get("address") or "").strip() or None, point=point)


def _search_words(name, description):
    return search_text.index_words(name, description)


def create(owner: User, name: str, slug: str | None = None, description: str = "",
           category_ids: Iterable[str] = (), location_data: dict | None = None,
           is_public: bool = True, logo: bytes | None = None, limited: bool = True) -> Business:
    """Create a business with its owner membership, default settings and QR code, all or
    nothing. The business document is written last: until then nobody can see or reach it,
    so a crash at any step (kill -9 included) leaves only parts nobody sees, which the next
    claim of the slug or `flask repair` removes (repair.py). A step that fails undoes the ones
    before it (the embedded store has no transactions). A `logo` is checked and stored before
    anything else is written (a stored file nobody points at is harmless). A person may create
    BUSINESSES_PER_USER a day (`limited`; the demo data is not), counted once the input is
    valid, so fixing a typo costs nothing."""
    name = clean_name(name)
    description = clean_description(description)
    category_ids = categories.check_ids(list(category_ids))
    slug = slugs.check(slug) if slug else slugs.suggestions(slugs.from_name(name), 1)[0]
    place = location(location_data)
    if limited:
        rate_limits.hit(current_app.config["BUSINESSES_PER_USER"], "business-create", owner.id,
                        _("You have created many businesses today. Try again tomorrow."))
    logo_key = images.store(logo, images.LOGO, owner.id) if logo else None
    business_id = new_id("biz")
    slugs.claim(slug, business_id)
    done = []
    try:
        done.append(BusinessMember(business_id=business_id, user_id=owner.id, role="owner",
                                   invited_by=owner.id, joined_at=clock.now()).save())
        done.append(BusinessSettings(business_id=business_id).save())
        business = _insert(Business(
            id=business_id, owner_id=owner.id, name=name, description=description, slug=slug,
            category_ids=category_ids, location=place, is_public=is_public, logo=logo_key,
            search_words=_search_words(name, description)))
    except Exception:
        for document in reversed(done):
            document.delete()
        slugs.release(slug, business_id)
        raise
    event_bus.publish(BusinessCreated(business=business))
    return business


def _insert(business, attempts=5):
    """Insert the business with its short QR code (the one printed codes point at, from day
    one), drawn again if another business holds it."""
    for _attempt in range(attempts):
        business.qr_code = qr.new_code()
        try:
            return business.save(force_insert=True)
        except NotUniqueError:
            if Business.objects(id=business.id).first() is not None \
                    or Business.objects(slug=business.slug).first() is not None:
                raise
    raise RuntimeError(f"could not draw a unique QR code for {business.id}")


def update(business: Business, actor: User, changes: dict) -> Business:
    """Apply {name, description, categoryIds, location, isPublic, isActive, slug} (any of them).
    Needs canManageSettings."""
    require(business, actor, "canManageSettings")
    return apply_changes(business, changes)


def apply_changes(business: Business, changes: dict) -> Business:
    """The edit itself, under the same rules for everyone (the back office calls it directly,
    having checked the platform role)."""
    sets = {}
    if "name" in changes:
        sets["name"] = clean_name(changes["name"])
    if "description" in changes:
        sets["description"] = clean_description(changes["description"])
    if "categoryIds" in changes:
        sets["category_ids"] = categories.check_ids(changes["categoryIds"] or [])
    if "location" in changes:
        sets["location"] = location(changes["location"])
    if "isPublic" in changes:
        sets["is_public"] = bool(changes["isPublic"])
    if "isActive" in changes:
        sets["is_active"] = bool(changes["isActive"])
    if "name" in sets or "description" in sets:
        sets["search_words"] = _search_words(sets.get("name", business.name),
                                             sets.get("description", business.description))
    if "slug" in changes and changes["slug"] is not None:
        change_slug(business, changes["slug"])
    if sets:
        sets["updated_at"] = clock.now()
        Business.objects(id=business.id).update_one(**{f"set__{k}": v for k, v in sets.items()})
    business.reload()
    if "name" in sets:
        event_bus.publish(BusinessRenamed(business=business))
    return business


def change_slug(business: Business, new_slug: str) -> Business:
    """Move the business to a new slug; the old one stays claimed and redirects (301)."""
    new_slug = slugs.check(new_slug)
    if new_slug == business.slug:
        return business
    slugs.claim(new_slug, business.id)
    moved = Business.objects(id=business.id, slug=business.slug).update_one(
        set__slug=new_slug, add_to_set__previous_slugs=business.slug,
        pull__previous_slugs=new_slug, set__updated_at=clock.now())
    if not moved:  # someone changed it meanwhile; keep theirs
        raise AppError("conflict", _("The business was changed meanwhile. Reload and retry."),
                       status=409)
    business.reload()
    return business


def soft_delete(business: Business, actor: User) -> None:
    """Only the owner. The business leaves every public place; its slugs stay claimed."""
    require_owner(business, actor)
    Business.objects(id=business.id, deleted_at=None).update_one(
        set__deleted_at=clock.now(), set__is_active=False, set__updated_at=clock.now())


def set_logo(business: Business, actor: User, data: bytes) -> Business:
    require(business, actor, "canManageSettings")
    key = images.store(data, images.LOGO, actor.id)
    Business.objects(id=business.id).update_one(set__logo=key, set__updated_at=clock.now())
    business.logo = key
    return business


def resolve_slug(slug: str) -> tuple[Business, bool]:
    """(business, moved): the business that holds or held `slug` if the public may see it,
    and whether `slug` is a former one (the caller redirects). 404 otherwise."""
    def lookup():
        business_id = slugs.owner_of(slug)
        return Business.objects(id=business_id).first() if business_id else None

    business = db.reread_on_miss(lookup)
    if not visible_to_public(business):
        raise NotFound("business_not_found", _("No such business."))
    return business, business.slug != slug.lower()


def public_stamp(slug: object) -> tuple[str, str, tuple[datetime | None, int | None]]:
    """(business id, current slug, stamp) of a business the public may open by `slug`, where
    the stamp changes whenever its page would: two lookups by id, no documents built (the
    landing page's cache key). 404 otherwise."""
    def lookup():
        claim = SlugClaim._get_collection().find_one({"_id": slug.lower()}) \
            if isinstance(slug, str) else None
        return Business._get_collection().find_one({"_id": claim["businessId"]}, {
            "slug": 1, "updatedAt": 1, "subscriberCount": 1, "deletedAt": 1, "blocked": 1,
            "hidden": 1, "isActive": 1}) if claim else None

    found = db.reread_on_miss(lookup)
    if found is None or not _visible(found.get("deletedAt"), found.get("blocked"),
                                     found.get("hidden"), found.get("isActive", True)):
        raise NotFound("business_not_found", _("No such business."))
    return found["_id"], found["slug"], (found.get("updatedAt"), found.get("subscriberCount"))


def public(business_id: object) -> Business:
    """A business the public may see, by id; 404 otherwise (hidden ones included: by link)."""
    business = db.reread_on_miss(lambda: Business.objects(id=business_id).first()) \
        if isinstance(business_id, str) else None
    if not visible_to_public(business):
        raise NotFound("business_not_found", _("No such business."))
    return business


def owned_by(owner_id: str, viewer_id: str | None, page: int,
             limit: int) -> tuple[list[Business], int]:
    """An owner's businesses: all of them for the owner, the public ones for anybody else."""
    query = Business.objects(owner_id=owner_id, deleted_at=None)
    if viewer_id != owner_id:
        query = query.filter(is_public=True, is_active=True, blocked=False, hidden__ne=True)
    query = query.order_by("-created_at")
    return list(query.skip((page - 1) * limit).limit(limit)), query.count()


def memberships_of(user_id: str, page: int,
                   limit: int) -> tuple[list[tuple[Business, BusinessMember]], int]:
    """[(business, member)] for every business the user is on the team of."""
    members = BusinessMember.objects(user_id=user_id, is_active=True).order_by("-joined_at")
    total = members.count()
    members = list(members.skip((page - 1) * limit).limit(limit))
    businesses = {b.id: b for b in Business.objects(
        id__in=[m.business_id for m in members], deleted_at=None)}
    return [(businesses[m.business_id], m) for m in members if m.business_id in businesses], total
