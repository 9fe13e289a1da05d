"""Users: search by phone or name, their businesses and subscriptions, blocking with a
reason (moderators), and platform roles (superadmins)."""

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.mongoengine.filters import FilterEqual
from flask_admin.form import SecureForm
from flask_babel import lazy_gettext as _
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from admin.model_view import StaffModelView
from admin.staff import current_user
from app.accounts import users
from app.accounts.platform_roles import MANAGE_ROLES, MODERATE
from app.backoffice import moderation
from app.errors import AppError
from app.lib import audit
from app.models import PLATFORM_ROLES, Business, BusinessMember, Subscription, User


class ReasonForm(SecureForm):
    reason = StringField(_("Reason"), validators=[DataRequired(), Length(min=3, max=500)])


class RoleForm(SecureForm):
    role = SelectField(_("Platform role"), choices=[(r, r) for r in PLATFORM_ROLES])


class UserView(StaffModelView):
    audit_target = "user"
    column_list = ("id", "phone", "name", "platform_roles", "is_blocked", "created_at",
                   "last_login_at")
    column_searchable_list = ("phone", "name")
    column_filters = ("is_blocked", "created_at",
                      FilterEqual("platform_roles", _("Platform role"),
                                  options=[(r, r) for r in PLATFORM_ROLES]))
    column_default_sort = ("created_at", True)
    details_template = "admin/user_details.html"

    def __init__(self):
        super().__init__(User, name=_("Users"), endpoint="admin_users", url="users")

    def related(self, user):
        """The user's businesses (with role) and subscriptions, for the details page."""
        members = list(BusinessMember.objects(user_id=user.id, is_active=True))
        subscribed = list(Subscription.objects(user_id=user.id).order_by("-created_at")
                          .limit(100))
        names = {b.id: b for b in Business.objects(
            id__in=[m.business_id for m in members] + [s.business_id for s in subscribed])}
        return {
            "memberships": [(names.get(m.business_id), m.role) for m in members],
            "subscriptions": [(names.get(s.business_id), s.created_at) for s in subscribed],
            "reason_form": ReasonForm(), "role_form": RoleForm(),
            "may_moderate": self.may(MODERATE), "may_manage_roles": self.may(MANAGE_ROLES),
        }

    def _user(self, user_id):
        user = User.objects(id=user_id).first()
        if user is None:
            abort(404)
        return user

    def _back(self, user):
        return redirect(url_for(".details_view", id=user.id))

    @expose("/<user_id>/block", methods=("POST",))
    def block_view(self, user_id):
        return self._moderate(user_id, block=True)

    @expose("/<user_id>/unblock", methods=("POST",))
    def unblock_view(self, user_id):
        return self._moderate(user_id, block=False)

    def _moderate(self, user_id, block):
        if not self.may(MODERATE):
            abort(403)
        user = self._user(user_id)
        form = ReasonForm(request.form)
        if not form.validate():
            flash(str(_("Give a reason (3 to 500 characters).")), "error")
            return self._back(user)
        try:
            if block:
                moderation.block_user(current_user(), user, form.reason.data)
            else:
                moderation.unblock_user(current_user(), user, form.reason.data)
        except AppError as exc:
            flash(exc.message, "error")
        return self._back(user)

    @expose("/<user_id>/roles/<action>", methods=("POST",))
    def roles_view(self, user_id, action):
        if not self.may(MANAGE_ROLES) or action not in ("grant", "revoke"):
            abort(403)
        user = self._user(user_id)
        form = RoleForm(request.form)
        if not form.validate():
            abort(400)
        before = list(user.platform_roles)
        try:
            if action == "grant":
                users.grant_platform_role(user.phone, form.role.data)
            else:
                users.revoke_platform_role(current_user(), user, form.role.data)
        except AppError as exc:
            flash(exc.message, "error")
            return self._back(user)
        user.reload()
        audit.record("admin", current_user(), f"role_{action}", "user", user.id,
                     audit.diff({"platformRoles": before},
                                {"platformRoles": list(user.platform_roles)}))
        return self._back(user)
