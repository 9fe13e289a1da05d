"""The back office's home (the dashboard) and its sign-in and sign-out pages."""

from flask import url_for
from flask_admin import AdminIndexView, expose

from admin.access import StaffAccess
from admin.staff import handle_sign_in, sign_out

OPEN = ("login_view", "logout_view")  # reachable without signing in


class BackOfficeHome(StaffAccess, AdminIndexView):
    def _handle_view(self, name, **kwargs):
        if name in OPEN:
            return None
        return super()._handle_view(name, **kwargs)

    @expose("/")
    def index(self):
        from flask_babel import format_number
        from werkzeug.routing import BuildError

        from admin.charts import bar_chart
        from app.services import stats

        def link_for(endpoint, **values):
            """A link to another back-office view, or None where there is no such view."""
            try:
                return url_for(endpoint, **values)
            except BuildError:
                return None

        return self.render("admin/dashboard.html", stats=stats.dashboard(),
                           bar_chart=bar_chart, number=format_number, link_for=link_for)

    @expose("/login", methods=("GET", "POST"))
    def login_view(self):
        return handle_sign_in(
            lambda **context: self.render("admin/login.html", area="admin", **context),
            url_for(".index"))

    @expose("/logout", methods=("POST",))
    def logout_view(self):
        return sign_out(".login_view")
