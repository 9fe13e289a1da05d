"""Nested categories: the active tree, and a category with all its descendants."""

from collections.abc import Collection, Iterable

from flask_babel import lazy_gettext as _

from app.errors import AppError
from app.models import Business, Category

MAX_PER_BUSINESS = 3


def _active():
    return list(Category.objects(is_active=True).order_by("order", "name"))


def tree() -> list[dict]:
    """Active categories as nested dicts, ordered; a child of an inactive parent is hidden."""
    nodes = {c.id: {"id": c.id, "name": c.name, "slug": c.slug, "icon": c.icon,
                    "order": c.order, "children": []} for c in _active()}
    parents = {c.id: c.parent_id for c in _active()}
    roots = []
    for category_id, node in nodes.items():
        parent = parents[category_id]
        if parent is None:
            roots.append(node)
        elif parent in nodes:
            nodes[parent]["children"].append(node)
    return roots


def with_descendants(id_or_slug: str) -> list[str] | None:
    """Ids of the active category given by id or slug and of all its active descendants;
    None if there is no such category."""
    categories = _active()
    root = next((c for c in categories if id_or_slug in (c.id, c.slug)), None)
    if root is None:
        return None
    children = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category.id)
    found, queue = [], [root.id]
    while queue:
        current = queue.pop()
        if current not in found:
            found.append(current)
            queue.extend(children.get(current, []))
    return found


def by_ids(ids: Collection[str]) -> dict[str, Category]:
    return {c.id: c for c in Category.objects(id__in=list(ids))} if ids else {}


def check_ids(ids: Iterable[str]) -> list[str]:
    """Distinct, existing, active categories, at most three; 422 otherwise."""
    unique = list(dict.fromkeys(ids))
    if len(unique) > MAX_PER_BUSINESS:
        raise AppError("too_many_categories", _("Choose at most 3 categories."), status=422,
                       details={"field": "categoryIds"})
    known = {c.id for c in Category.objects(id__in=unique, is_active=True).only("id")}
    unknown = [category_id for category_id in unique if category_id not in known]
    if unknown:
        raise AppError("unknown_category", _("Some categories do not exist."), status=422,
                       details={"field": "categoryIds", "unknown": unknown})
    return unique


def in_tree_order() -> list[tuple[Category, int]]:
    """Every category (inactive too) with its depth, parents before their children, each
    level by order then name: what the back office lists as an indented tree."""
    everything = list(Category.objects.order_by("order", "name"))
    children = {}
    for category in everything:
        children.setdefault(category.parent_id, []).append(category)
    known = {c.id for c in everything}
    ordered = []

    def walk(parent_id, depth):
        for category in children.get(parent_id, []):
            ordered.append((category, depth))
            walk(category.id, depth + 1)

    walk(None, 0)
    # Orphans (a parent id that no longer exists) still show, at the top level.
    for category in everything:
        if category.parent_id and category.parent_id not in known:
            ordered.append((category, 0))
            walk(category.id, 1)
    return ordered


def deletion_blockers(category: Category) -> dict[str, int]:
    """Why a category cannot be deleted: its sub-categories and the businesses in it."""
    return {
        "children": Category.objects(parent_id=category.id).count(),
        "businesses": Business.objects(category_ids=category.id, deleted_at=None).count(),
    }


def check_parent(category: Category, parent_id: str | None) -> str | None:
    """A parent must exist and must not be the category itself or one of its descendants."""
    if not parent_id:
        return None
    if parent_id == category.id or parent_id in (with_descendants(category.id) or []):
        raise AppError("invalid_parent", _("A category cannot be inside itself."), status=422,
                       details={"field": "parentId"})
    if Category.objects(id=parent_id).first() is None:
        raise AppError("invalid_parent", _("No such parent category."), status=422,
                       details={"field": "parentId"})
    return parent_id


def slug_taken(slug: str, except_id: str | None = None) -> bool:
    """Whether another category (not `except_id`, the one being edited) has this slug."""
    others = Category.objects(slug=slug)
    if except_id:
        others = others.filter(id__ne=except_id)
    return others.first() is not None
