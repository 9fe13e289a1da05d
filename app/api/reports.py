"""Reports: a signed-in customer reports a business, a post, a message or a user."""

from typing import Annotated, Literal

from flask import Blueprint
from pydantic import Field

from app.api.guard import login_required, me
from app.api.responses import ok, responds
from app.api.validation import Body, body
from app.backoffice import reports
from app.clock import isoformat
from app.models import REPORT_REASONS, REPORT_TARGETS

bp = Blueprint("reports", __name__, url_prefix="/reports")


class ReportIn(Body):
    targetType: Literal[REPORT_TARGETS]
    targetId: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
    reason: Literal[REPORT_REASONS]
    comment: Annotated[str, Field(max_length=reports.COMMENT_MAX)] | None = None


@bp.post("")
@responds(201)
@login_required
@body(ReportIn)
def create(data):
    """Report something to the moderators (once per target while your report is open;
    rate-limited per user)."""
    report = reports.create(me(), data.targetType, data.targetId, data.reason, data.comment)
    return ok({"id": report.id, "status": report.status, "targetType": report.target_type,
               "targetId": report.target_id, "reason": report.reason,
               "createdAt": isoformat(report.created_at)}, status=201)
