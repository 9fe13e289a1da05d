"""Businesses: filters, edits through the same service rules as the API, blocking, hiding,
the owner, the team, and the QR code."""

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.mongoengine.filters import FilterEqual
from flask_admin.form import SecureForm
from flask_babel import lazy_gettext as _
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from admin.labels import ROLE_TITLES
from admin.model_view import StaffModelView
from admin.staff import current_user
from admin.views.people import ReasonForm
from app.accounts.platform_roles import MANAGE_ROLES, MODERATE
from app.backoffice import moderation
from app.businesses import businesses, members, qr
from app.errors import AppError
from app.lib import audit
from app.models import Business, BusinessMember, Category, User

EDITABLE = {"name": "name", "description": "description", "slug": "slug",
            "is_public": "isPublic", "is_active": "isActive"}


DONE = {"block": _("The business is blocked."), "unblock": _("The business is unblocked."),
        "hide": _("The business is hidden."), "unhide": _("The business is shown again.")}


class BusinessForm(SecureForm):
    name = StringField(_("Business name"), validators=[DataRequired(), Length(max=120)])
    slug = StringField(_("Address (slug)"), validators=[DataRequired(), Length(max=48)])
    description = TextAreaField(_("Description"), validators=[Length(max=2000)])
    is_public = BooleanField(_("Shown in the catalog"))
    is_active = BooleanField(_("Active"))


class OwnerForm(SecureForm):
    user_id = StringField(_("New owner (a team member's user id)"),
                          validators=[DataRequired(), Length(max=40)])


def _category_options():
    return [(c.id, c.name) for c in Category.objects.order_by("name").only("id", "name")]


class BusinessView(StaffModelView):
    audit_target = "business"
    allow_edit = True
    column_list = ("name", "slug", "owner_id", "category_ids", "is_public", "blocked",
                   "hidden", "subscriber_count", "created_at", "deleted_at")
    column_labels = {**StaffModelView.column_labels, "name": _("Business name")}
    column_searchable_list = ("name", "slug")
    column_filters = (FilterEqual("category_ids", _("Category"), options=_category_options),
                      "owner_id", "is_public", "blocked", "hidden", "created_at")
    column_default_sort = ("created_at", True)
    details_template = "admin/business_details.html"
    form = BusinessForm

    def __init__(self):
        super().__init__(Business, name=_("Businesses"), endpoint="admin_businesses",
                         url="businesses", category=_("Businesses"))

    def update_model(self, form, model):
        """Edits go through the business service: slug rules, claims, search text."""
        changes = {api: getattr(form, field).data for field, api in EDITABLE.items()}
        before = model.to_mongo().to_dict()
        try:
            businesses.apply_changes(model, changes)
        except AppError as exc:
            flash(exc.message, "error")
            return False
        audit.record("admin", current_user(), "update", "business", model.id,
                     audit.diff(before, model.to_mongo().to_dict()))
        return True

    def related(self, business):
        team = list(BusinessMember.objects(business_id=business.id, is_active=True))
        people = {u.id: u for u in User.objects(id__in=[m.user_id for m in team if m.user_id])}
        return {
            "team": [(m, people.get(m.user_id)) for m in team],
            "reason_form": ReasonForm(), "owner_form": OwnerForm(),
            "may_moderate": self.may(MODERATE), "may_change_owner": self.may(MANAGE_ROLES),
        }

    def render(self, template, **kwargs):
        kwargs.setdefault("role_titles", ROLE_TITLES)
        return super().render(template, **kwargs)

    def _business(self, business_id):
        business = Business.objects(id=business_id).first()
        if business is None:
            abort(404)
        return business

    @expose("/<business_id>/moderate/<action>", methods=("POST",))
    def moderate_view(self, business_id, action):
        handlers = {"block": moderation.block_business, "unblock": moderation.unblock_business,
                    "hide": moderation.hide_business, "unhide": moderation.unhide_business}
        if not self.may(MODERATE) or action not in handlers:
            abort(403)
        business = self._business(business_id)
        form = ReasonForm(request.form)
        if not form.validate():
            flash(str(_("Give a reason (3 to 500 characters).")), "error")
        else:
            try:
                handlers[action](current_user(), business, form.reason.data)
            except AppError as exc:
                flash(exc.message, "error")
            else:
                flash(str(DONE[action]), "success")
        return redirect(url_for(".details_view", id=business.id))

    @expose("/<business_id>/owner", methods=("POST",))
    def owner_view(self, business_id):
        if not self.may(MANAGE_ROLES):
            abort(403)
        business = self._business(business_id)
        form = OwnerForm(request.form)
        if form.validate():
            before = business.owner_id
            try:
                members.hand_over(business, form.user_id.data.strip())
                audit.record("admin", current_user(), "change_owner", "business", business.id,
                             audit.diff({"ownerId": before}, {"ownerId": business.owner_id}))
            except AppError as exc:
                flash(exc.message, "error")
        return redirect(url_for(".details_view", id=business.id))

    @expose("/<business_id>/qr.<fmt>")
    def qr_view(self, business_id, fmt):
        if fmt not in ("svg", "png", "pdf"):
            abort(404)
        body, mimetype, etag = qr.render(self._business(business_id), fmt)
        response = Response(body, mimetype=mimetype)
        response.set_etag(etag)
        response.headers["Content-Disposition"] = f'attachment; filename="qr.{fmt}"'
        return response
