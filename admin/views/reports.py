"""Moderation in the back office: the queue of open reports grouped by target, where
moderators dismiss them, hide or block the business, or block the user; the history of
resolved reports; and a read-only list of every report (filters, CSV export).

Seeing needs READ; acting needs MODERATE, checked again in the POST handler (and by the
service). Every action form carries a CSRF token.
"""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.form import SecureForm
from flask_babel import lazy_gettext as _
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from admin.access import StaffAccess
from admin.model_view import StaffModelView
from admin.staff import current_user
from app.accounts.platform_roles import MODERATE
from app.backoffice import reports
from app.errors import AppError
from app.models import REPORT_TARGETS, Report

PAGE_SIZE = 20

ACTION_LABELS = {
    "dismiss": _("Dismiss the reports"),
    "hide": _("Hide the business"),
    "block_business": _("Block the business"),
    "block_user": _("Block the user"),
}
REASON_LABELS = {
    "spam": _("Spam"),
    "fraud": _("Fraud"),
    "abuse": _("Abuse"),
    "illegal": _("Illegal content"),
    "other": _("Other"),
}
TARGET_LABELS = {
    "business": _("Business"),
    "post": _("Post"),
    "message": _("Message"),
    "user": _("User"),
}


class ResolveForm(SecureForm):
    target_type = HiddenField(validators=[DataRequired(), AnyOf(REPORT_TARGETS)])
    target_id = HiddenField(validators=[DataRequired(), Length(max=64)])
    # The page shows a select of the actions that fit each target; the service checks again.
    action = StringField(validators=[DataRequired(), AnyOf(list(ACTION_LABELS))])
    reason = TextAreaField(_("Reason"), validators=[DataRequired(), Length(min=3, max=500)])


def _page():
    page = request.args.get("page", 1, type=int)
    return min(max(page, 1), 100000)


def _pages(total):
    return max(1, -(-total // PAGE_SIZE))


def describe(target_type, target_id, found):
    """How a target is shown: {label, details, public_url, admin_url, flags}."""
    document = found.get((target_type, target_id))
    shown = {"label": target_id, "details": None, "public_url": None, "admin_url": None,
             "flags": []}
    if target_type == "business" and document is not None:
        shown.update(label=document.name,
                     details=f"/b/{document.slug}",
                     public_url=f"{current_app.config['PUBLIC_BASE_URL']}/b/{document.slug}",
                     admin_url=url_for("admin_businesses.details_view", id=document.id))
        shown["flags"] = [flag for flag, on in ((_("blocked"), document.blocked),
                                                (_("hidden"), document.hidden),
                                                (_("deleted"), document.deleted_at))
                          if on]
    elif target_type == "user" and document is not None:
        shown.update(label=document.name or _("(no name)"),
                     details=document.phone,
                     admin_url=url_for("admin_users.details_view", id=document.id))
        shown["flags"] = [_("blocked")] if document.is_blocked else []
    elif target_type in ("business", "user"):
        shown["flags"] = [_("not found")]
    return shown


def _person(found, user_id):
    user = found.get(("user", user_id))
    if user is None:
        return user_id or "—"
    return user.name or user.phone


class ReportQueueView(StaffAccess, BaseView):
    """/admin/reports: the open queue, the history, and the resolve action."""

    def __init__(self):
        super().__init__(name=_("Report queue"), endpoint="admin_reports", url="reports",
                         category=_("Moderation"))

    @expose("/")
    def index(self):
        page = _page()
        rows, total = reports.queue(page, PAGE_SIZE)
        found = reports.targets([(row.target_type, row.target_id) for row in rows])
        return self.render(
            "admin/reports.html", tab="queue", page=page, pages=_pages(total), total=total,
            rows=[(row, describe(row.target_type, row.target_id, found))
                  for row in rows],
            form=ResolveForm(), may_moderate=self.may(MODERATE), labels=_labels())

    @expose("/history")
    def history(self):
        page = _page()
        items, total = reports.history(page, PAGE_SIZE)
        pairs = [(r.target_type, r.target_id) for r in items]
        pairs += [("user", r.reporter_id) for r in items] + [("user", r.resolved_by)
                                                            for r in items]
        found = reports.targets(pairs)
        return self.render(
            "admin/reports_history.html", tab="history", page=page, pages=_pages(total),
            total=total, labels=_labels(),
            items=[(r, describe(r.target_type, r.target_id, found),
                    _person(found, r.reporter_id),
                    _person(found, r.resolved_by)) for r in items])

    @expose("/resolve", methods=("POST",))
    def resolve(self):
        if not self.may(MODERATE):
            abort(403)
        form = ResolveForm(request.form)
        if not form.validate():
            if form.csrf_token.errors:
                flash(str(_("The form has expired. Try again.")), "error")
            else:
                flash(str(_("Give a reason (3 to 500 characters).")), "error")
            return redirect(url_for(".index"))
        try:
            closed = reports.resolve(current_user(), form.target_type.data, form.target_id.data,
                                     form.action.data, form.reason.data)
        except AppError as exc:
            flash(exc.message, "error")
        else:
            flash(str(_("Done: %(action)s, reports closed: %(count)s.",
                        action=ACTION_LABELS[form.action.data], count=closed)), "success")
        return redirect(url_for(".index"))


def _labels():
    return {"actions": ACTION_LABELS, "reasons": REASON_LABELS, "targets": TARGET_LABELS}


class ReportListView(StaffModelView):
    """Every report, read-only: filters by status, target type and reason; CSV export."""

    column_list = ("created_at", "target_type", "target_id", "reason", "comment", "reporter_id",
                   "status", "resolution", "resolution_reason", "resolved_by", "resolved_at")
    column_filters = ("status", "target_type", "reason", "created_at", "resolved_at")
    column_searchable_list = ("target_id", "reporter_id")
    column_default_sort = ("created_at", True)

    def __init__(self):
        super().__init__(Report, name=_("All reports"), endpoint="admin_report_list",
                         url="reports/all", category=_("Moderation"))


def report_views():
    return [ReportQueueView(), ReportListView()]
