"""Categories as an indented tree, with order, icon, parent and active; a category that
still has businesses or sub-categories is not deleted, and the page says why."""

from flask import flash, request
from flask_babel import lazy_gettext as _
from markupsafe import escape
from mongoengine.errors import NotUniqueError
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from admin.model_view import StaffModelView
from app.businesses import categories
from app.errors import AppError
from app.models import Category


class CategoryInUse(Exception):
    pass


SLUG_TAKEN = _("This slug is taken.")


def _parent_choices():
    return [("", "—")] + [(c.id, "\u2003" * depth + c.name)
                          for c, depth in categories.in_tree_order()]


class CategoryView(StaffModelView):
    audit_target = "category"
    allow_create = allow_edit = allow_delete = True
    column_list = ("name", "slug", "icon", "order", "is_active", "parent_id")
    column_labels = {**StaffModelView.column_labels, "name": _("Title")}
    column_searchable_list = ("name", "slug")
    column_filters = ("is_active",)
    column_sortable_list = ()
    column_formatters = {
        "name": lambda view, _context, model, _name: escape(
            "\u2003" * view.depths.get(model.id, 0) + model.name),
        "parent_id": lambda view, _context, model, _name: view.names.get(model.parent_id, ""),
    }
    form_columns = ("name", "slug", "icon", "parent_id", "order", "is_active")
    form_overrides = {"parent_id": SelectField, "slug": StringField, "name": StringField}
    form_args = {
        "name": {"validators": [DataRequired(), Length(max=80)]},
        "slug": {"validators": [DataRequired(), Length(min=2, max=48),
                                Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$")]},
        "icon": {"validators": [Optional(), Length(max=64)]},
        "order": {"validators": [NumberRange(min=0, max=100000)]},
    }

    def __init__(self):
        super().__init__(Category, name=_("Categories"), endpoint="admin_categories",
                         url="categories")

    def create_form(self, obj=None):
        return self._with_parents(super().create_form(obj))

    def edit_form(self, obj=None):
        return self._with_parents(super().edit_form(obj))

    @staticmethod
    def _with_parents(form):
        form.parent_id.choices = _parent_choices()
        return form

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True,
                 page_size=None):
        """The tree order (parents first, indented), unless searching or filtering."""
        ordered = categories.in_tree_order()
        self.depths = {c.id: depth for c, depth in ordered}
        self.names = {c.id: c.name for c, _depth in ordered}
        if search or filters:
            return super().get_list(page, sort_column, sort_desc, search, filters, execute,
                                    page_size)
        page_size = page_size or self.page_size
        start = (page or 0) * page_size
        return len(ordered), [c for c, _depth in ordered[start:start + page_size]]

    def validate_form(self, form):
        """The form's rules, and a slug no other category has (told beside the field)."""
        valid = super().validate_form(form)
        if valid and "slug" in form:
            editing = request.args.get("id") if request.endpoint.endswith(".edit_view") else None
            if categories.slug_taken(form.slug.data, editing):
                form.slug.errors = [*form.slug.errors, str(SLUG_TAKEN)]
                return False
        return valid

    def on_model_change(self, form, model, is_created):
        try:
            model.parent_id = categories.check_parent(model, form.parent_id.data or None)
        except AppError as exc:
            raise ValueError(exc.message) from None
        super().on_model_change(form, model, is_created)

    def on_model_delete(self, model):
        blockers = categories.deletion_blockers(model)
        if blockers["children"] or blockers["businesses"]:
            raise CategoryInUse(_(
                "It has %(children)s sub-categories and %(businesses)s businesses. Move them "
                "first, or make the category inactive instead.", **blockers))

    def handle_view_exception(self, exc):
        if isinstance(exc, NotUniqueError):  # taken between the check and the save
            flash(str(SLUG_TAKEN), "error")
            return True
        if isinstance(exc, CategoryInUse | ValueError):
            flash(str(exc), "error")
            return True
        return super().handle_view_exception(exc)

