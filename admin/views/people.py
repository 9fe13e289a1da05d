"""Users: search by phone or name, their businesses and subscriptions, blocking, roles."""

from flask_admin.contrib.mongoengine.filters import FilterEqual

from admin.model_view import StaffModelView
from app.models import PLATFORM_ROLES, User


class UserView(StaffModelView):
    audit_target = "user"
    column_list = ("id", "phone", "name", "platform_roles", "is_blocked", "created_at",
                   "last_login_at")
    column_searchable_list = ("phone", "name")
    column_filters = ("is_blocked", "created_at",
                      FilterEqual("platform_roles", "Platform role",
                                  options=[(r, r) for r in PLATFORM_ROLES]))
    column_default_sort = ("created_at", True)

    def __init__(self):
        super().__init__(User, name="Users", endpoint="admin_users", url="users")
