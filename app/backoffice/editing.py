"""The back office's edits as actions: a business's fields, and categories created, changed
and deleted. Each needs the EDIT capability (superadmin) and writes the audit entry the back
office's views write for it (area "admin", action create/update/delete, the target, the
fields before and after). The admin JSON API (app/api/admin.py) calls these.

Moderation (block, hide, with a reason) is app/backoffice/moderation.py.
"""

from flask_babel import lazy_gettext as _
from mongoengine.errors import NotUniqueError

from app.accounts.platform_roles import EDIT, can
from app.businesses import businesses, categories
from app.errors import AppError, Conflict, Forbidden
from app.lib import audit, text
from app.models import Business, Category, User

# What the back office's business form edits, by the API's names.
BUSINESS_FIELDS = ("name", "description", "slug", "isPublic", "isActive")
CATEGORY_NAME_MAX, CATEGORY_ICON_MAX = 80, 64
CATEGORY_SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
CATEGORY_SLUG_MIN, CATEGORY_SLUG_MAX = 2, 48
CATEGORY_ORDER_MAX = 100000


def require_editor(actor: User | None) -> None:
    if not can(actor, EDIT):
        raise Forbidden("forbidden", _("Only a superadmin can change this."))


def _stored(document) -> dict:
    return type(document)._get_collection().find_one({"_id": document.pk}) or {}


# Businesses


def update_business(actor: User, business: Business, changes: dict) -> Business:
    """The back office's business form: name, description, slug, catalog visibility, active;
    under the business service's rules (slug claims, search words)."""
    require_editor(actor)
    unknown = set(changes) - set(BUSINESS_FIELDS)
    if unknown:
        raise AppError("validation_error", _("Some fields are not valid."), status=422,
                       details={"fields": [{"field": name} for name in sorted(unknown)]})
    before = _stored(business)
    businesses.apply_changes(business, changes)
    changed = audit.diff(before, _stored(business))
    if changed:
        audit.record("admin", actor, "update", "business", business.id, changed)
    return business


# Categories


def _clean_category(category: Category, fields: dict) -> None:
    """Set `fields` ({name, slug, icon, parentId, order, isActive}, any of them) on
    `category`, checked; 409 `slug_taken` when another category has the slug."""
    if "name" in fields:
        name = " ".join((fields["name"] or "").split())
        if not 1 <= len(name) <= CATEGORY_NAME_MAX:
            raise AppError("validation_error", _("Some fields are not valid."), status=422,
                           details={"fields": [{"field": "name"}]})
        category.name = text.check(name, "name")
    if "slug" in fields:
        slug = fields["slug"]
        taken = Category.objects(slug=slug, id__ne=category.id).only("id").first()
        if taken is not None:
            raise Conflict("slug_taken", _("Another category has this slug."),
                           details={"field": "slug", "categoryId": taken.id})
        category.slug = slug
    if "icon" in fields:
        category.icon = text.check(fields["icon"], "icon") if fields["icon"] else None
    if "order" in fields:
        category.order = fields["order"]
    if "isActive" in fields:
        category.is_active = bool(fields["isActive"])
    if "parentId" in fields:
        category.parent_id = categories.check_parent(category, fields["parentId"] or None)


def _save(category: Category) -> Category:
    try:
        return category.save()
    except NotUniqueError:  # another request took the slug meanwhile
        raise Conflict("slug_taken", _("Another category has this slug."),
                       details={"field": "slug"}) from None


def create_category(actor: User, fields: dict) -> Category:
    require_editor(actor)
    category = Category()
    _clean_category(category, fields)
    _save(category)
    audit.record("admin", actor, "create", "category", category.id,
                 audit.diff({}, _stored(category)))
    return category


def update_category(actor: User, category: Category, fields: dict) -> Category:
    require_editor(actor)
    before = _stored(category)
    _clean_category(category, fields)
    _save(category)
    audit.record("admin", actor, "update", "category", category.id,
                 audit.diff(before, _stored(category)))
    return category


def delete_category(actor: User, category: Category) -> None:
    """As in the back office: a category with businesses or sub-categories stays (409)."""
    require_editor(actor)
    blockers = categories.deletion_blockers(category)
    if blockers["children"] or blockers["businesses"]:
        raise Conflict("category_in_use", _(
            "It has %(children)s sub-categories and %(businesses)s businesses. Move them "
            "first, or make the category inactive instead.", **blockers), details=blockers)
    before = _stored(category)
    category.delete()
    audit.record("admin", actor, "delete", "category", category.id, audit.diff(before, {}))
