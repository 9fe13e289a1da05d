"""The base of the back office's list/edit views: CSRF-protected forms, role-checked
create/edit/delete/export, and every change written to the audit log."""

from flask_admin.contrib.mongoengine import ModelView
from flask_admin.form import SecureForm

from admin.access import StaffAccess
from admin.staff import current_user
from app.services import audit


class StaffModelView(StaffAccess, ModelView):
    form_base_class = SecureForm
    page_size = 20
    can_set_page_size = True
    can_view_details = True
    # Read-only unless a view says otherwise; the flags below also need `edit_capability`.
    allow_create = allow_edit = allow_delete = False
    allow_export = True
    audit_target = None  # e.g. "category"

    @property
    def can_create(self):
        return self.allow_create and self.may(self.edit_capability)

    @property
    def can_edit(self):
        return self.allow_edit and self.may(self.edit_capability)

    @property
    def can_delete(self):
        return self.allow_delete and self.may(self.edit_capability)

    @property
    def can_export(self):
        return self.allow_export

    def on_model_change(self, form, model, is_created):
        # Remember the stored values, to log what this change does to them.
        model._audit_before = {} if is_created else _stored(model)

    def after_model_change(self, form, model, is_created):
        after = model.to_mongo().to_dict()
        audit.record("admin", current_user(), "create" if is_created else "update",
                     self.audit_target or model._get_collection_name(), str(model.pk),
                     audit.diff(getattr(model, "_audit_before", {}), after))

    def after_model_delete(self, model):
        audit.record("admin", current_user(), "delete",
                     self.audit_target or model._get_collection_name(), str(model.pk),
                     audit.diff(model.to_mongo().to_dict(), {}))


def _stored(model):
    found = type(model)._get_collection().find_one({"_id": model.pk})
    return found or {}
