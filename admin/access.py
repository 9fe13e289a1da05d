"""Access to back-office and cabinet views: checked on the server for every view and action.

Anonymous visitors are sent to the login page; signed-in people without the capability get
403. Flask-Admin asks `is_accessible()` before every exposed method, and the `can_*` flags
are read per request, so a view never shows a button its viewer may not press.
"""

from flask import abort, redirect, request, url_for

from admin.staff import current_user
from app.accounts.platform_roles import EDIT, READ, can


def deny(login_endpoint):
    if current_user() is None:
        return redirect(url_for(login_endpoint, next=request.full_path.rstrip("?")))
    return abort(403)


class StaffAccess:
    """For back-office views: `capability` to see the view, `edit_capability` to change."""

    capability = READ
    edit_capability = EDIT
    login_endpoint = "admin.login_view"

    def is_accessible(self):
        return can(current_user(), self.capability)

    def inaccessible_callback(self, name, **kwargs):
        return deny(self.login_endpoint)

    def may(self, capability):
        return can(current_user(), capability)
