"""Messaging sync: people and businesses whose provisioning in the messaging service is
pending or failed (chat user; bot and channel), with the last error, and a retry."""

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.form import SecureForm
from flask_babel import lazy_gettext as _
from wtforms import HiddenField
from wtforms.validators import AnyOf, DataRequired, Length

from admin.access import StaffAccess
from admin.staff import current_user
from app.accounts.platform_roles import EDIT
from app.lib import audit
from app.messaging import provisioning
from app.models import Business, User

KINDS = {"user": User, "business": Business}


class RetryForm(SecureForm):
    kind = HiddenField(validators=[DataRequired(), AnyOf(tuple(KINDS))])
    object_id = HiddenField(validators=[DataRequired(), Length(max=64)])


class ChatSyncView(StaffAccess, BaseView):
    def __init__(self):
        super().__init__(name=_("Messaging sync"), endpoint="admin_chat_sync",
                         url="messaging-sync", category=_("Operations"))

    @expose("/")
    def index(self):
        return self.render("admin/chat_sync.html", rows=provisioning.pending_or_failed(),
                           form=RetryForm(), may_retry=self.may(EDIT))

    @expose("/retry", methods=("POST",))
    def retry(self):
        form = RetryForm(request.form)
        if not self.may(EDIT):
            return self.inaccessible_callback("retry")
        if not form.validate() or KINDS[form.kind.data].objects(
                id=form.object_id.data).first() is None:
            flash(str(_("The form has expired. Try again.")), "error")
            return redirect(url_for(".index"))
        provisioning.retry(KINDS[form.kind.data], form.object_id.data)
        audit.record("admin", current_user(), "chat_sync_retry", form.kind.data,
                     form.object_id.data)
        flash(str(_("Provisioning queued again.")), "success")
        return redirect(url_for(".index"))
