"""The quick replies page at /cabinet/b/<id>/quick-replies: the business's saved answers,
created, edited and deleted by the owner and managers (app.businesses.permissions.is_lead; the
service checks again). Those who may reply use them from the inbox."""

from flask import abort, request
from flask_admin import expose
from flask_babel import lazy_gettext as _

from admin.cabinet.forms import ActionForm
from admin.cabinet.inbox_forms import QuickReplyForm
from admin.cabinet.scope import back, csrf_failed, load, say
from app.businesses.permissions import is_lead
from app.conversations import quick_replies
from app.errors import AppError
from app.models.quick_reply import TEXT_MAX, TITLE_MAX


def _lead_scope(business_id):
    scope = load(business_id)
    if not is_lead(scope.member):
        abort(403)
    return scope


def _snapshot(reply):
    return {"title": reply.title, "text": reply.text}


def _show_error(form, error):
    """A service refusal next to the field it names, else above the form."""
    placed = False
    for item in error.details.get("fields", []):
        field = getattr(form, item.get("field") or "", None)
        if field is not None:
            field.errors.append(item["message"])
            placed = True
    if not placed:
        form.form_errors.append(error.message)


class QuickReplyPages:
    """Mixed into the cabinet's business view (see admin/cabinet/views.py)."""

    def _quick_replies_page(self, scope, form=None, status=200):
        replies = quick_replies.of_business(scope.business.id)
        page = self.render_business(
            "cabinet/quick_replies.html", scope, replies=replies,
            form=form or QuickReplyForm(), action_form=ActionForm(),
            limit=quick_replies.LIMIT)
        return page, status

    @expose("/<business_id>/quick-replies")
    def quick_replies(self, business_id):
        return self._quick_replies_page(_lead_scope(business_id))

    @expose("/<business_id>/quick-replies", methods=("POST",))
    def quick_reply_create(self, business_id):
        scope = _lead_scope(business_id)
        form = QuickReplyForm(request.form)
        if not form.validate():
            return self._quick_replies_page(scope, form, 400 if csrf_failed(form) else 422)
        try:
            reply = quick_replies.create(scope.business, scope.user, form.title.data,
                                         form.text.data)
        except AppError as error:
            _show_error(form, error)
            return self._quick_replies_page(scope, form, error.status)
        scope.record("create", "quick_reply", reply.id, {}, _snapshot(reply))
        say(_("The quick reply is saved."), "success")
        return back("cabinet_business.quick_replies", scope)

    @expose("/<business_id>/quick-replies/<reply_id>", methods=("POST",))
    def quick_reply_update(self, business_id, reply_id):
        scope = _lead_scope(business_id)
        form = QuickReplyForm(request.form)
        if not form.validate():
            csrf_failed(form)
            say(form.form_errors[-1] if form.form_errors else
                _("Give a title of up to %(title)s characters and a text of up to %(text)s.",
                  title=TITLE_MAX, text=TEXT_MAX), "error")
            return back("cabinet_business.quick_replies", scope)
        try:
            before = _snapshot(quick_replies.get(scope.business, scope.user, reply_id))
            reply = quick_replies.update(scope.business, scope.user, reply_id,
                                         form.title.data, form.text.data)
        except AppError as error:
            say(error.message, "error")
            return back("cabinet_business.quick_replies", scope)
        if scope.record("update", "quick_reply", reply.id, before, _snapshot(reply)):
            say(_("The quick reply is saved."), "success")
        return back("cabinet_business.quick_replies", scope)

    @expose("/<business_id>/quick-replies/<reply_id>/delete", methods=("POST",))
    def quick_reply_delete(self, business_id, reply_id):
        scope = _lead_scope(business_id)
        form = ActionForm(request.form)
        if not form.validate():
            say(_("The form has expired. Reload the page and try again."), "error")
            return back("cabinet_business.quick_replies", scope)
        try:
            reply = quick_replies.delete(scope.business, scope.user, reply_id)
        except AppError as error:
            say(error.message, "error")
        else:
            scope.record("delete", "quick_reply", reply.id, _snapshot(reply), {})
            say(_("The quick reply is deleted."), "success")
        return back("cabinet_business.quick_replies", scope)
