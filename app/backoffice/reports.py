"""Reports: customers' complaints about a business, a post, a message or a user; the
moderators' queue of open reports grouped by target; resolving a target, which closes all of
its open reports at once and performs the moderation action chosen.

One open report per reporter and target: checked here, and held by a unique partial index
(migrations/0006_moderation.py) when two requests race.
"""

from flask import current_app
from flask_babel import lazy_gettext as _
from mongoengine import NotUniqueError

from app import clock
from app.accounts import users
from app.backoffice import moderation
from app.businesses.permissions import get_business, membership
from app.errors import AppError, Conflict, Forbidden
from app.lib import audit, rate_limits, text
from app.models import REPORT_TARGETS, Business, Report, User

OPEN = "open"
COMMENT_MAX = 1000
# What a moderator may do about each kind of target. Posts and messages arrive with the
# messaging issue: until then their reports can only be dismissed.
ACTIONS = {
    "business": ("dismiss", "hide", "block_business"),
    "user": ("dismiss", "block_user"),
    "post": ("dismiss",),
    "message": ("dismiss",),
}


def _already_reported():
    return Conflict("already_reported",
                    _("You have already reported this. A moderator will look at it soon."))


def _check_target(reporter, target_type, target_id):
    """404 for a business or user that does not exist; nobody reports themselves or a
    business they are on the team of."""
    if target_type == "business":
        business = get_business(target_id)  # 404 unless it exists and is not deleted
        if membership(business.id, reporter.id) is not None:
            raise Forbidden("cannot_report_own_business",
                            _("You cannot report a business you are on the team of."))
    elif target_type == "user":
        target = users.get(target_id)  # 404 unless it exists
        if target.id == reporter.id:
            raise Forbidden("cannot_report_self", _("You cannot report yourself."))
    # "post" and "message": those documents arrive with the messaging issue, so their
    # existence cannot be checked yet; the report is stored as sent.


def create(reporter: User, target_type: str, target_id: str, reason: str,
           comment: str | None = None) -> Report:
    """File a report (the request schema has checked the type, reason and lengths)."""
    if target_type not in REPORT_TARGETS:
        raise AppError("invalid_target", _("This cannot be reported."), status=422,
                       details={"field": "targetType"})
    _check_target(reporter, target_type, target_id)
    if Report.objects(reporter_id=reporter.id, target_type=target_type, target_id=target_id,
                      status=OPEN).first() is not None:
        raise _already_reported()
    rate_limits.hit(f"{current_app.config['REPORTS_PER_HOUR']}/hour", "reports", reporter.id,
                    _("You have sent too many reports. Try again later."))
    comment = text.check((comment or "").strip()[:COMMENT_MAX], "comment", multiline=True) \
        or None
    try:
        return Report(reporter_id=reporter.id, target_type=target_type, target_id=target_id,
                      reason=reason, comment=comment).save(force_insert=True)
    except NotUniqueError:  # the same report sent twice at once
        raise _already_reported() from None


class QueueRow:
    """The open reports of one target."""

    def __init__(self, group: dict):
        self.target_type = group["_id"]["type"]
        self.target_id = group["_id"]["id"]
        self.count = group["count"]
        self.first_at = group["first"]
        self.last_at = group["last"]
        # {"spam": 2, "fraud": 1}, the most frequent first
        self.reasons = dict(sorted(((r["reason"], r["n"]) for r in group["reasons"]),
                                   key=lambda item: (-item[1], item[0])))
        self.actions = ACTIONS.get(self.target_type, ("dismiss",))


def queue(page: int = 1, limit: int = 20) -> tuple[list[QueueRow], int]:
    """(rows, total): open reports grouped by target, the most reported first, then the
    longest waiting. One aggregation: per (target, reason), then per target."""
    pipeline = [
        {"$match": {"status": OPEN}},
        {"$group": {"_id": {"type": "$targetType", "id": "$targetId", "reason": "$reason"},
                    "n": {"$sum": 1}, "first": {"$min": "$createdAt"},
                    "last": {"$max": "$createdAt"}}},
        {"$group": {"_id": {"type": "$_id.type", "id": "$_id.id"}, "count": {"$sum": "$n"},
                    "first": {"$min": "$first"}, "last": {"$max": "$last"},
                    "reasons": {"$push": {"reason": "$_id.reason", "n": "$n"}}}},
        {"$sort": {"count": -1, "first": 1, "_id.type": 1, "_id.id": 1}},
        {"$facet": {"total": [{"$count": "n"}],
                    "rows": [{"$skip": (page - 1) * limit}, {"$limit": limit}]}},
    ]
    result = next(Report._get_collection().aggregate(pipeline), None) or {}
    total = result["total"][0]["n"] if result.get("total") else 0
    return [QueueRow(group) for group in result.get("rows", [])], total


def open_count() -> int:
    return Report.objects(status=OPEN).count()


def targets(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], Business | User]:
    """{(type, id): document} for the businesses and users among (type, id) pairs: one query
    per kind, so a page of the queue or the history costs two."""
    found = {}
    for kind, document in (("business", Business), ("user", User)):
        ids = {target_id for target_type, target_id in pairs if target_type == kind}
        if ids:
            found.update({(kind, d.id): d for d in document.objects(id__in=list(ids))})
    return found


def history(page: int = 1, limit: int = 20) -> tuple[list[Report], int]:
    """(reports, total): resolved reports, the latest resolved first."""
    query = Report.objects(status__in=["dismissed", "actioned"]).order_by("-resolved_at", "-id")
    return list(query.skip((page - 1) * limit).limit(limit)), query.count()


def resolve(actor: User, target_type: str, target_id: str, action: str,
            reason: str | None) -> int:
    """Act on a target: `dismiss` (nothing changes), `hide` or `block_business` (a business),
    `block_user` (a user). All of the target's open reports close; the audit log records who,
    when, why and what changed. Returns the number of reports closed."""
    moderation.require_moderator(actor)
    reason = moderation.clean_reason(reason)
    if action not in ACTIONS.get(target_type, ()):
        raise AppError("invalid_action", _("This action does not apply to this target."),
                       status=422, details={"field": "action"})
    open_ids = [r.id for r in Report.objects(status=OPEN, target_type=target_type,
                                             target_id=target_id).only("id")]
    if not open_ids:
        raise Conflict("no_open_reports", _("These reports have already been resolved."))
    if action == "hide":
        moderation.hide_business(actor, get_business(target_id), reason)
    elif action == "block_business":
        moderation.block_business(actor, get_business(target_id), reason)
    elif action == "block_user":
        moderation.block_user(actor, users.get(target_id), reason)
    status = "dismissed" if action == "dismiss" else "actioned"
    closed = Report.objects(id__in=open_ids, status=OPEN).update(
        set__status=status, set__resolved_at=clock.now(), set__resolved_by=actor.id,
        set__resolution=action, set__resolution_reason=reason)
    audit.record("admin", actor, "resolve_reports", target_type, target_id,
                 changes=audit.diff({"status": OPEN, "openReports": open_ids},
                                    {"status": status, "resolution": action,
                                     "openReports": []}),
                 reason=reason)
    return closed
