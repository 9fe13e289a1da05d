"""The base of the back office's list/edit views: CSRF-protected forms, role-checked
create/edit/delete/export, and every change written to the audit log."""

from flask_admin.contrib.mongoengine import ModelView
from flask_admin.contrib.mongoengine.form import get_form
from flask_admin.form import SecureForm
from flask_babel import lazy_gettext as _

from admin.access import StaffAccess
from admin.staff import current_user
from app.lib import audit

# Column and field names as people read them, for every view (English msgids, Russian UI).
LABELS = {
    "id": _("Id"), "name": _("Name"), "slug": _("Slug"), "phone": _("Phone"),
    "created_at": _("Created"), "updated_at": _("Updated"), "owner_id": _("Owner"),
    "category_ids": _("Categories"), "is_public": _("In the catalog"), "blocked": _("Blocked"),
    "hidden": _("Hidden"), "subscriber_count": _("Subscribers"), "deleted_at": _("Deleted"),
    "platform_roles": _("Platform roles"), "is_blocked": _("Blocked"),
    "last_login_at": _("Last sign-in"), "business_id": _("Business"), "user_id": _("User"),
    "invited_phone": _("Invited phone"), "role": _("Role"), "is_active": _("Active"),
    "joined_at": _("Joined"), "invited_at": _("Invited"), "purpose": _("Purpose"),
    "provider": _("Provider"), "status": _("Status"), "attempts": _("Attempts"),
    "error": _("Error"), "sent_at": _("Sent"), "at": _("When"), "area": _("Area"),
    "actor_name": _("Who"), "actor_id": _("Who (id)"), "action": _("Action"),
    "target_type": _("Target type"), "target_id": _("Target"), "reason": _("Reason"),
    "ip": _("IP"), "changes": _("Changes"), "icon": _("Icon"), "order": _("Order"),
    "parent_id": _("Parent"), "title": _("Title"), "rank": _("Rank"),
    "permissions": _("Permissions"), "description": _("Description"), "logo": _("Logo"),
    "location": _("Location"), "blocked_reason": _("Why blocked"), "avatar": _("Avatar"),
    "previous_slugs": _("Former slugs"), "is_active_member": _("Active"),
    "qr_code": _("QR code"), "reporter_id": _("Reporter"), "comment": _("Comment"),
    "resolution": _("Decision"), "resolution_reason": _("Why decided"),
    "resolved_by": _("Moderator"), "resolved_at": _("Resolved"),
}
# Internal fields nobody needs to read in the back office.
INTERNAL = ("search_words", "chat_bot_id", "chat_channel_id")


class StaffModelView(StaffAccess, ModelView):
    form_base_class = SecureForm
    page_size = 20
    can_set_page_size = True
    can_view_details = True
    # Read-only unless a view says otherwise; the flags below also need `edit_capability`.
    allow_create = allow_edit = allow_delete = False
    allow_export = True
    audit_target = None  # e.g. "category"
    column_labels = LABELS
    column_details_exclude_list = INTERNAL

    def scaffold_form(self):
        # The scaffolded forms' fields are labelled from LABELS too (Flask-Admin would show
        # the prettified field name, "Parent Id"); a view's own form_args win.
        field_args = {name: {"label": label} for name, label in self.column_labels.items()}
        for name, args in (self.form_args or {}).items():
            field_args[name] = {**field_args.get(name, {}), **args}
        return get_form(self.model, self.model_form_converter(self),
                        base_class=self.form_base_class, only=self.form_columns,
                        exclude=self.form_excluded_columns, field_args=field_args,
                        extra_fields=self.form_extra_fields)

    def search_placeholder(self):
        names = [str(self.column_labels.get(c, c)) for c in self.column_searchable_list or ()]
        return ", ".join(names) or None

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
