"""The platform's admin JSON API (/api/admin/*): users, businesses, categories and the
dashboard's numbers, for a Bearer token whose user holds a platform role. The same
capabilities as the back office (app/accounts/platform_roles.py), the same actions
(app/backoffice/moderation.py, app/backoffice/editing.py) and so the same audit entries; phones
masked for roles that may not see them, by the back office's own rule
(app/accounts/platform_roles.py, as admin/phone_privacy.py applies it) on every answer here."""

from functools import wraps
from typing import Annotated, Literal

from flask import Blueprint, g
from flask_babel import lazy_gettext as _
from mongoengine.queryset.visitor import Q
from pydantic import Field

from app.accounts.platform_roles import READ, SEE_PHONES, can, mask_phones_in
from app.api.guard import login_required, me
from app.api.responses import ok, paginated, responds
from app.api.validation import Body, Paging, body, query
from app.backoffice import editing, moderation, stats
from app.businesses import businesses, categories
from app.clock import isoformat
from app.errors import Forbidden, NotFound
from app.models import PLATFORM_ROLES, Business, BusinessMember, Category, User

bp = Blueprint("admin", __name__, url_prefix="/admin")

Reason = Annotated[str, Field(min_length=moderation.REASON_MIN, max_length=moderation.REASON_MAX)]
Search = Annotated[str, Field(min_length=1, max_length=100)]


def staff_only(view):
    """Under `login_required` (401 without a valid token): the signed-in user holds a platform
    role, else 403. Every role may read; what each may change is checked by the actions."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not can(me(), READ):
            raise Forbidden("not_staff", _("This needs a platform role."))
        return view(*args, **kwargs)

    return wrapper


@bp.after_request
def mask_phones(response):
    """Every answer here, as every page under /admin: phones masked unless the role sees them."""
    viewer = g.get("current_user")
    if response.mimetype == "application/json" and not can(viewer, SEE_PHONES):
        response.set_data(mask_phones_in(response.get_data(as_text=True)))
    return response


def _page(queryset, paging):
    total = queryset.count()
    start = (paging.page - 1) * paging.limit
    return list(queryset.skip(start).limit(paging.limit)), total


# Users


def _user(user: User) -> dict:
    return {"id": user.id, "name": user.name, "phone": user.phone,
            "platformRoles": list(user.platform_roles or ()), "isBlocked": bool(user.is_blocked),
            "blockedReason": user.blocked_reason, "isActive": bool(user.is_active),
            "createdAt": isoformat(user.created_at), "lastLoginAt": isoformat(user.last_login_at)}


def _find_user(user_id):
    user = User.objects(id=user_id).first()
    if user is None:
        raise NotFound("not_found", _("No such user."))
    return user


class UsersQuery(Paging):
    q: Search | None = None
    blocked: bool | None = None
    role: Literal[PLATFORM_ROLES] | None = None


class UserChange(Body):
    blocked: bool
    reason: Reason


@bp.get("/users")
@login_required
@query(UsersQuery)
@staff_only
def list_users(params):
    """Users, newest first; `q` finds a part of the name or phone, as the back office does."""
    found = User.objects
    if params.q:
        found = found.filter(Q(name__icontains=params.q) | Q(phone__icontains=params.q))
    if params.blocked is not None:
        found = found.filter(is_blocked=params.blocked)
    if params.role:
        found = found.filter(platform_roles=params.role)
    items, total = _page(found.order_by("-created_at"), params)
    return paginated([_user(u) for u in items], params.page, params.limit, total)


@bp.get("/users/<user_id>")
@login_required
@staff_only
def get_user(user_id):
    """A user, with the businesses they are in and their role there."""
    user = _find_user(user_id)
    memberships = list(BusinessMember.objects(user_id=user.id, is_active=True))
    names = {b.id: b.name for b in Business.objects(
        id__in=[m.business_id for m in memberships]).only("id", "name")}
    return ok({**_user(user), "memberships": [
        {"businessId": m.business_id, "businessName": names.get(m.business_id), "role": m.role}
        for m in memberships]})


@bp.put("/users/<user_id>")
@login_required
@body(UserChange)
@staff_only
def change_user(data, user_id):
    """Block or unblock a user, with a reason (moderators and superadmins; platform staff only
    by a superadmin). Users are not deleted here, as in the back office."""
    user = _find_user(user_id)
    if data.blocked != bool(user.is_blocked):
        action = moderation.block_user if data.blocked else moderation.unblock_user
        user = action(me(), user, data.reason)
    else:
        moderation.require_moderator(me())
    return ok(_user(user))


# Businesses


def _business(business: Business) -> dict:
    return {"id": business.id, "name": business.name, "slug": business.slug,
            "description": business.description, "ownerId": business.owner_id,
            "categoryIds": list(business.category_ids or ()),
            "isPublic": bool(business.is_public), "isActive": bool(business.is_active),
            "blocked": bool(business.blocked), "blockedReason": business.blocked_reason,
            "hidden": bool(business.hidden), "subscriberCount": business.subscriber_count or 0,
            "createdAt": isoformat(business.created_at),
            "deletedAt": isoformat(business.deleted_at)}


def _find_business(business_id):
    business = Business.objects(id=business_id).first()
    if business is None:
        raise NotFound("not_found", _("No such business."))
    return business


class BusinessesQuery(Paging):
    q: Search | None = None
    ownerId: Annotated[str, Field(max_length=64)] | None = None
    categoryId: Annotated[str, Field(max_length=64)] | None = None
    isPublic: bool | None = None
    blocked: bool | None = None
    hidden: bool | None = None
    deleted: bool | None = None


class BusinessChange(Body):
    name: Annotated[str, Field(max_length=businesses.NAME_MAX)] | None = None
    description: Annotated[str, Field(max_length=businesses.DESCRIPTION_MAX)] | None = None
    slug: Annotated[str, Field(max_length=48)] | None = None
    isPublic: bool | None = None
    isActive: bool | None = None
    blocked: bool | None = None
    hidden: bool | None = None
    reason: Reason | None = None


@bp.get("/businesses")
@login_required
@query(BusinessesQuery)
@staff_only
def list_businesses(params):
    """Every business (hidden, blocked and deleted ones too), newest first, with the back
    office's filters; `q` finds a part of the name or slug."""
    found = Business.objects
    if params.q:
        found = found.filter(Q(name__icontains=params.q) | Q(slug__icontains=params.q))
    filters = {"owner_id": params.ownerId, "category_ids": params.categoryId,
               "is_public": params.isPublic, "blocked": params.blocked, "hidden": params.hidden}
    found = found.filter(**{k: v for k, v in filters.items() if v is not None})
    if params.deleted is not None:
        found = found.filter(deleted_at__ne=None) if params.deleted else \
            found.filter(deleted_at=None)
    items, total = _page(found.order_by("-created_at"), params)
    return paginated([_business(b) for b in items], params.page, params.limit, total)


@bp.get("/businesses/<id(biz):business_id>")
@login_required
@staff_only
def get_business(business_id):
    """A business as the back office sees it."""
    return ok(_business(_find_business(business_id)))


@bp.put("/businesses/<id(biz):business_id>")
@login_required
@body(BusinessChange)
@staff_only
def change_business(data, business_id):
    """Edit the back office's fields (superadmin); block or unblock, hide or show again with a
    `reason` (moderators and superadmins). Everything asked is allowed, or nothing is done."""
    business = _find_business(business_id)
    sent = data.model_dump(exclude_unset=True)
    edits = {k: v for k, v in sent.items() if k in editing.BUSINESS_FIELDS}
    moderating = {k: sent[k] for k in ("blocked", "hidden") if sent.get(k) is not None}
    if edits:
        editing.require_editor(me())
    if moderating:
        moderation.require_moderator(me())
        reason = moderation.clean_reason(data.reason)
    if "blocked" in moderating and moderating["blocked"] != bool(business.blocked):
        action = moderation.block_business if moderating["blocked"] else \
            moderation.unblock_business
        business = action(me(), business, reason)
    if "hidden" in moderating and moderating["hidden"] != bool(business.hidden):
        action = moderation.hide_business if moderating["hidden"] else \
            moderation.unhide_business
        business = action(me(), business, reason)
    if edits:
        business = editing.update_business(me(), business, edits)
    return ok(_business(business))


# Categories


def _category(category: Category, depth: int | None = None) -> dict:
    found = {"id": category.id, "name": category.name, "slug": category.slug,
             "icon": category.icon, "parentId": category.parent_id,
             "order": category.order or 0, "isActive": bool(category.is_active)}
    if depth is not None:
        found["depth"] = depth
    return found


def _find_category(category_id):
    category = Category.objects(id=category_id).first()
    if category is None:
        raise NotFound("not_found", _("No such category."))
    return category


CategoryName = Annotated[str, Field(min_length=1, max_length=editing.CATEGORY_NAME_MAX)]
CategorySlug = Annotated[str, Field(min_length=editing.CATEGORY_SLUG_MIN,
                                    max_length=editing.CATEGORY_SLUG_MAX,
                                    pattern=editing.CATEGORY_SLUG)]
CategoryIcon = Annotated[str, Field(max_length=editing.CATEGORY_ICON_MAX)]
CategoryOrder = Annotated[int, Field(ge=0, le=editing.CATEGORY_ORDER_MAX)]
ParentId = Annotated[str, Field(max_length=64)]


class CategoryCreate(Body):
    name: CategoryName
    slug: CategorySlug
    icon: CategoryIcon | None = None
    parentId: ParentId | None = None
    order: CategoryOrder = 0
    isActive: bool = True


class CategoryChange(Body):
    name: CategoryName | None = None
    slug: CategorySlug | None = None
    icon: CategoryIcon | None = None
    parentId: ParentId | None = None
    order: CategoryOrder | None = None
    isActive: bool | None = None


@bp.get("/categories")
@login_required
@staff_only
def list_categories():
    """Every category (inactive too) in tree order, parents first, with its depth."""
    return ok([_category(c, depth) for c, depth in categories.in_tree_order()])


@bp.post("/categories")
@responds(201)
@login_required
@body(CategoryCreate)
@staff_only
def create_category(data):
    """Create a category (superadmin); a slug another category has answers 409 `slug_taken`."""
    made = editing.create_category(me(), data.model_dump())
    return ok(_category(made), status=201)


@bp.put("/categories/<category_id>")
@login_required
@body(CategoryChange)
@staff_only
def change_category(data, category_id):
    """Change a category (superadmin); only the fields sent. `parentId: null` makes it a top
    one; name, slug, order and isActive cannot be null."""
    category = _find_category(category_id)
    fields = data.model_dump(exclude_unset=True)
    for required in ("name", "slug", "order", "isActive"):
        if required in fields and fields[required] is None:
            fields.pop(required)
    return ok(_category(editing.update_category(me(), category, fields)))


@bp.delete("/categories/<category_id>")
@login_required
@staff_only
def delete_category(category_id):
    """Delete a category (superadmin); one with businesses or sub-categories answers 409
    `category_in_use`."""
    editing.delete_category(me(), _find_category(category_id))
    return ok({"deleted": True})


# Stats


@bp.get("/stats")
@login_required
@staff_only
def dashboard():
    """The back office dashboard's numbers: totals, 30-day series, top businesses, open
    reports."""
    return ok(stats.dashboard())
