"""Whose business a cabinet page is about, checked on the server for every request.

A business id in a URL is only a guess until the signed-in person's active membership in that
business is found: a business they are not on the team of answers 404 exactly like one that
does not exist, so guessing ids confirms nothing. A member whose role lacks the permission a
page needs gets 403. The services check the same permissions again when they change anything.
"""

from dataclasses import dataclass

from flask import abort, flash, redirect, url_for
from flask_babel import lazy_gettext as _

from admin.access import deny
from admin.cabinet import pwa
from admin.cabinet.forms import ActionForm
from admin.staff import current_user
from app.businesses import permissions
from app.errors import NotFound
from app.lib import audit
from app.models import Business, BusinessMember, User

LOGIN_ENDPOINT = "cabinet.login_view"


@dataclass
class Scope:
    """The signed-in person, the business of the page and their membership in it."""

    user: User
    business: Business
    member: BusinessMember
    allowed: dict  # effective permissions: {"canReply": bool, ...}

    @property
    def is_owner(self):
        return self.member.role == "owner"

    def may(self, permission):
        return bool(self.allowed.get(permission))

    def record(self, action, target_type, target_id, before, after, reason=None):
        """The audit entry of a change made in this business: the changed fields, before and
        after. A change that changed nothing (saving an untouched form) leaves no entry."""
        changes = audit.diff(before, after)
        if not changes:
            return None
        return audit.record("cabinet", self.user, action, target_type, target_id,
                            changes=changes, reason=reason, business_id=self.business.id)


def load(business_id, permission=None, owner=False):
    """The Scope of `business_id` for the signed-in person: 404 unless they are an active
    member of that (not deleted) business, 403 if their role lacks `permission` (or they are
    not the owner when `owner` is true)."""
    user = current_user()
    if user is None:
        abort(404)  # the views send anonymous visitors to the login page before this
    try:
        business = permissions.get_business(business_id)
    except NotFound:
        abort(404)
    member = permissions.membership(business.id, user.id)
    if member is None:
        abort(404)
    allowed = permissions.effective(member)
    if (permission and not allowed[permission]) or (owner and member.role != "owner"):
        abort(403)
    pwa.remember(business.id)
    return Scope(user=user, business=business, member=member, allowed=allowed)


class CabinetAccess:
    """Every cabinet view is for signed-in people; anonymous visitors go to the login page.
    What a person may see of a business is decided per request by `load()`."""

    def is_accessible(self):
        return current_user() is not None

    def inaccessible_callback(self, name, **kwargs):
        return deny(LOGIN_ENDPOINT)

    def render(self, template, **kwargs):
        # The navbar shows who is signed in, with a CSRF-protected sign-out button.
        kwargs.setdefault("person", current_user())
        kwargs.setdefault("logout_form", ActionForm())
        return super().render(template, **kwargs)


def csrf_failed(form):
    """After a failed `validate()`: whether the CSRF check failed (then the form says so)."""
    if "csrf_token" in form.errors:
        form.form_errors.append(_("The form has expired. Reload the page and try again."))
        return True
    return False


def back(endpoint, scope, **values):
    """Post/redirect/get: back to a page of this business (303, so a reload does not resend)."""
    return redirect(url_for(endpoint, business_id=scope.business.id, **values), code=303)


def say(message, category="success"):
    """Flash a message for the next page; as plain text, since the session is stored as
    BSON and a lazy translation is not."""
    flash(str(message), category)
