"""Roles: the member role templates (superadmins edit their permissions; members without
overrides follow at once) and the platform roles with who holds them."""

from flask_admin import BaseView, expose
from flask_babel import lazy_gettext as _

from admin.access import StaffAccess
from admin.labels import PERMISSION_TITLES
from admin.model_view import StaffModelView
from app.accounts.platform_roles import CAPABILITIES, MANAGE_ROLES
from app.businesses.permissions import ATTRIBUTES
from app.models import MemberRole, User

# Template fields by the names the cabinet shows for them.
PERMISSION_LABELS = {attribute: PERMISSION_TITLES[name] for name, attribute in ATTRIBUTES.items()}


class MemberRoleView(StaffModelView):
    audit_target = "member_role"
    allow_edit = True
    edit_capability = MANAGE_ROLES
    column_list = ("id", "title", "rank", "permissions")
    column_default_sort = "rank"
    form_columns = ("title", "permissions")
    # The permissions as the cabinet names them (not the field names, "Can Reply").
    form_subdocuments = {"permissions": {"form_args": {
        attribute: {"label": PERMISSION_LABELS[attribute]} for attribute in PERMISSION_LABELS}}}
    column_formatters = {"permissions": lambda _view, _context, model, _name: ", ".join(
        str(label) for attribute, label in PERMISSION_LABELS.items()
        if getattr(model.permissions, attribute)) or "—"}

    def __init__(self):
        super().__init__(MemberRole, name=_("Member roles"), endpoint="admin_member_roles",
                         url="member-roles", category=_("Roles"))


class PlatformRolesView(StaffAccess, BaseView):
    @expose("/")
    def index(self):
        holders = {role: list(User.objects(platform_roles=role).only("id", "name", "phone"))
                   for role in CAPABILITIES}
        return self.render("admin/platform_roles.html", capabilities=CAPABILITIES,
                           holders=holders)

    def __init__(self):
        super().__init__(name=_("Platform roles"), endpoint="admin_platform_roles",
                         url="platform-roles", category=_("Roles"))
