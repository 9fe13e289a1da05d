"""The back office's home (the dashboard) and its sign-in and sign-out pages."""

from flask import url_for
from flask_admin import AdminIndexView, expose
from flask_babel import format_number
from werkzeug.routing import BuildError

from admin.access import StaffAccess
from admin.staff import SignInPages
from app.backoffice import stats


class BackOfficeHome(SignInPages, StaffAccess, AdminIndexView):
    login_template = "admin/login.html"

    @expose("/")
    def index(self):
        def link_for(endpoint, **values):
            """A link to another back-office view, or None where there is no such view."""
            try:
                return url_for(endpoint, **values)
            except BuildError:
                return None

        return self.render("admin/dashboard.html", stats=stats.dashboard(),
                           number=format_number, link_for=link_for)
