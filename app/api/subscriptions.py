"""Subscriptions: subscribe and unsubscribe, mine, a business's subscribers; my businesses."""

from flask import Blueprint

from app.api.guard import login_required, me
from app.api.presenters import business_public, user_public
from app.api.responses import ok, paginated
from app.api.validation import Paging, query
from app.businesses import businesses, categories, subscriptions
from app.businesses.permissions import effective, get_business
from app.clock import isoformat

bp = Blueprint("subscriptions", __name__)


@bp.post("/businesses/<id(biz):business_id>/subscribe")
@bp.post("/businesses/<id(biz):business_id>/channel/subscribe")  # the plan's path
@login_required
def subscribe(business_id):
    """Subscribe to a business, which is its channel (again: no change)."""
    count = subscriptions.subscribe(me(), businesses.public(business_id))
    return ok({"subscribed": True, "subscriberCount": count})


@bp.delete("/businesses/<id(biz):business_id>/subscribe")
@bp.delete("/businesses/<id(biz):business_id>/channel/subscribe")  # the plan's path
@login_required
def unsubscribe(business_id):
    """Unsubscribe (again: no change)."""
    count = subscriptions.unsubscribe(me(), get_business(business_id))
    return ok({"subscribed": False, "subscriberCount": count})


@bp.get("/me/subscriptions")
@login_required
@query(Paging)
def my_subscriptions(params):
    """The businesses I am subscribed to, newest first."""
    rows, total = subscriptions.of_user(me().id, params.page, params.limit)
    names = categories.by_ids({i for b, _at in rows for i in b.category_ids})
    items = [{"business": business_public(b, names, subscribed=True),
              "subscribedAt": isoformat(at)} for b, at in rows]
    return paginated(items, params.page, params.limit, total)


@bp.get("/me/businesses")
@login_required
@query(Paging)
def my_businesses(params):
    """The businesses I own or am on the team of, with my role and permissions."""
    rows, total = businesses.memberships_of(me().id, params.page, params.limit)
    names = categories.by_ids({i for b, _m in rows for i in b.category_ids})
    items = [{"business": business_public(b, names), "role": m.role,
              "permissions": effective(m), "blocked": b.blocked} for b, m in rows]
    return paginated(items, params.page, params.limit, total)


@bp.get("/businesses/<id(biz):business_id>/subscribers")
@login_required
@query(Paging)
def subscribers(params, business_id):
    """The business's subscribers, newest first (its team only)."""
    rows, total = subscriptions.subscribers(get_business(business_id), me(), params.page,
                                            params.limit)
    items = [{"user": user_public(u), "subscribedAt": isoformat(at)} for u, at in rows]
    return paginated(items, params.page, params.limit, total)
