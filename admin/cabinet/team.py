"""The team page: the list for every member; inviting by phone, changing roles and
per-member permission overrides, removing and withdrawing invitations for those with
canManageMembers (a manager only below their own rank); handing the business over for the
owner; leaving the team for everyone but the owner. An invitation shows its phone masked and
no name until it is accepted (app/businesses/members.py's `presentable`).

Every action goes through `app.businesses.members`, which checks the same rules as the API; the
page only hides the buttons a person could not press anyway. A user or invitation id from the
form is looked up inside this business only.
"""

from flask import current_app, redirect, request, url_for
from flask_admin import expose
from flask_babel import lazy_gettext as _

from admin.cabinet.forms import (
    OVERRIDE_VALUES,
    ActionForm,
    InviteForm,
    PermissionsForm,
    RoleForm,
    TransferForm,
)
from admin.cabinet.scope import back, csrf_failed, load, say
from admin.labels import PERMISSION_TITLES, ROLE_TITLES
from app.accounts.platform_roles import mask_phone
from app.businesses import members
from app.businesses.permissions import ATTRIBUTES, effective, role_defaults, role_templates
from app.errors import AppError
from app.models import PERMISSIONS

OVERRIDE_STATES = {value: state for state, value in OVERRIDE_VALUES.items()}


def _assignable(scope):
    return [(role, ROLE_TITLES[role]) for role in members.assignable_roles(scope.member)]


def _override_states(overrides):
    """{"canReply": "default" | "on" | "off", ...}: the form's values, and the audit's."""
    return {name: OVERRIDE_STATES[(overrides or {}).get(name)] for name in PERMISSIONS}


def _team_rows(scope):
    templates = role_templates()
    rows = []
    for member, person in members.listing(scope.business, scope.user):
        row = members.presentable(member, person, templates)
        row["isMe"] = member.user_id == scope.user.id
        row["manageable"] = members.can_manage(scope.member, member.role) and not row["isMe"]
        row["overrideStates"] = _override_states(member.permissions)
        row["roleDefaults"] = role_defaults(member.role, templates)
        rows.append(row)
    return rows


def _transfer_form(scope, formdata=None):
    """Hand-over to any other active member (people who have signed in, not invitations)."""
    form = TransferForm(formdata)
    form.user_id.choices = [
        (member.user_id, f"{person.name or person.phone} ({ROLE_TITLES[member.role]})")
        for member, person in members.listing(scope.business, scope.user)
        if person is not None and member.user_id != scope.user.id]
    return form


class TeamPages:
    """Mixed into the cabinet's business view (see admin/cabinet/views.py)."""

    def _team_page(self, scope, invite_form=None, status=200):
        if invite_form is None:
            invite_form = InviteForm()
            invite_form.role.choices = _assignable(scope)
            invite_form.role.data = "operator" if members.outranks(scope.member, "operator") \
                else None
        page = self.render_business(
            "cabinet/team.html", scope, rows=_team_rows(scope), invite_form=invite_form,
            roles=_assignable(scope), action_form=ActionForm(),
            transfer_form=_transfer_form(scope) if scope.is_owner else None,
            can_manage=scope.may("canManageMembers"),
            # The permissions form: one select per permission; "on" only for what the
            # person has themselves (nobody grants a permission they lack).
            permission_fields=[(name, ATTRIBUTES[name], PERMISSION_TITLES[name])
                               for name in PERMISSIONS],
            mine=effective(scope.member),
            invitation_days=current_app.config["INVITATION_DAYS"])
        return page, status

    @expose("/<business_id>/team")
    def team(self, business_id):
        return self._team_page(load(business_id))

    @expose("/<business_id>/team/invite", methods=("POST",))
    def team_invite(self, business_id):
        scope = load(business_id, "canManageMembers")
        form = InviteForm(request.form)
        form.role.choices = _assignable(scope)
        if not form.validate():
            return self._team_page(scope, form, 400 if csrf_failed(form) else 422)
        try:
            member = members.invite(scope.business, scope.user, form.phone.data, form.role.data)
        except AppError as error:
            form.phone.errors.append(error.message)
            return self._team_page(scope, form, error.status)
        scope.record("invite", "member", member.id, {}, {
            "phone": member.invited_phone, "role": member.role, "status": "invited",
            "expiresAt": member.expires_at})
        say(_("Invited %(phone)s. They join the team when they accept the invitation.",
              phone=mask_phone(member.invited_phone)), "success")
        return back("cabinet_business.team", scope)

    @expose("/<business_id>/team/<user_id>/role", methods=("POST",))
    def team_role(self, business_id, user_id):
        scope = load(business_id, "canManageMembers")
        form = RoleForm(request.form)
        form.role.choices = _assignable(scope)
        target = members.active(scope.business, user_id)
        if self._refused(form, target):
            return back("cabinet_business.team", scope)
        before = {"role": target.role}
        try:
            member = members.update(scope.business, scope.user, user_id, role=form.role.data)
        except AppError as error:
            say(error.message, "error")
        else:
            if scope.record("change_role", "member", member.id, before, {"role": member.role}):
                say(_("The role is changed."), "success")
        return back("cabinet_business.team", scope)

    @expose("/<business_id>/team/<user_id>/permissions", methods=("POST",))
    def team_permissions(self, business_id, user_id):
        scope = load(business_id, "canManageMembers")
        form = PermissionsForm(request.form)
        target = members.active(scope.business, user_id)
        if self._refused(form, target):
            return back("cabinet_business.team", scope)
        before = _override_states(target.permissions)
        # Only what this form changes: an override someone else set stays as it is, even one
        # this person could not have granted.
        changes = {name: value for name, value in form.overrides().items()
                   if OVERRIDE_STATES[value] != before[name]}
        if not changes:
            return back("cabinet_business.team", scope)
        try:
            member = members.update(scope.business, scope.user, user_id, permissions=changes)
        except AppError as error:
            say(error.message, "error")
        else:
            if scope.record("change_permissions", "member", member.id, before,
                            _override_states(member.permissions)):
                say(_("The permissions are changed."), "success")
        return back("cabinet_business.team", scope)

    @expose("/<business_id>/team/<user_id>/remove", methods=("POST",))
    def team_remove(self, business_id, user_id):
        scope = load(business_id)
        target = members.active(scope.business, user_id)
        if self._refused(ActionForm(request.form), target):
            return back("cabinet_business.team", scope)
        leaving = target.user_id == scope.user.id
        try:
            members.remove(scope.business, scope.user, user_id)
        except AppError as error:
            say(error.message, "error")
            return back("cabinet_business.team", scope)
        scope.record("leave" if leaving else "remove", "member", target.id,
                     {"userId": target.user_id, "role": target.role, "isActive": True},
                     {"userId": target.user_id, "role": target.role, "isActive": False})
        if leaving:
            say(_("You have left the team of %(name)s.", name=scope.business.name), "success")
            return redirect(url_for("cabinet.index"), code=303)
        say(_("The member is removed from the team."), "success")
        return back("cabinet_business.team", scope)

    @expose("/<business_id>/team/invitations/<member_id>/withdraw", methods=("POST",))
    def team_withdraw(self, business_id, member_id):
        scope = load(business_id, "canManageMembers")
        invitation = members.invitation(scope.business, member_id)
        if self._refused(ActionForm(request.form), invitation):
            return back("cabinet_business.team", scope)
        try:
            members.cancel_invitation(scope.business, scope.user, member_id)
        except AppError as error:
            say(error.message, "error")
        else:
            scope.record("withdraw_invitation", "member", invitation.id,
                         {"phone": invitation.invited_phone, "role": invitation.role,
                          "isActive": True},
                         {"phone": invitation.invited_phone, "role": invitation.role,
                          "isActive": False})
            say(_("The invitation is withdrawn."), "success")
        return back("cabinet_business.team", scope)

    @expose("/<business_id>/team/transfer", methods=("POST",))
    def team_transfer(self, business_id):
        scope = load(business_id, owner=True)
        form = _transfer_form(scope, request.form)
        if not form.validate():
            say(form.form_errors[-1] if csrf_failed(form) else
                  _("Choose the new owner and confirm the transfer."), "error")
            return back("cabinet_business.team", scope)
        before = {"ownerId": scope.business.owner_id}
        try:
            business = members.transfer_ownership(scope.business, scope.user, form.user_id.data)
        except AppError as error:
            say(error.message, "error")
            return back("cabinet_business.team", scope)
        scope.record("transfer_ownership", "business", business.id, before,
                     {"ownerId": business.owner_id})
        say(_("The business has a new owner; you are its manager now."), "success")
        return back("cabinet_business.team", scope)

    @staticmethod
    def _refused(form, target):
        """Flash why a row action cannot go on (an expired form, a vanished member)."""
        if not form.validate():
            csrf_failed(form)
            say(form.form_errors[-1] if form.form_errors else
                  _("Check the form and try again."), "error")
            return True
        if target is None:
            say(_("No such team member."), "error")
            return True
        return False
