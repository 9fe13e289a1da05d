"""The cabinet's home: the businesses the signed-in person is on the team of, with their
role; and the sign-in and sign-out pages (the same phone + code flow and session as /admin)."""

from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose

from admin.cabinet.forms import ActionForm
from admin.cabinet.scope import LOGIN_ENDPOINT, ROLE_TITLES, CabinetAccess
from admin.staff import current_user, handle_sign_in, sign_out
from app.services import businesses

OPEN = ("login_view", "logout_view")  # reachable without signing in
PAGE_SIZE = 20


class CabinetHome(CabinetAccess, AdminIndexView):
    def _handle_view(self, name, **kwargs):
        if name in OPEN:
            return None
        return super()._handle_view(name, **kwargs)

    @expose("/")
    def index(self):
        page = request.args.get("page", "1")
        page = int(page) if page.isdigit() and 0 < int(page) <= 100000 else 1
        rows, total = businesses.memberships_of(current_user().id, page, PAGE_SIZE)
        return self.render("cabinet/index.html", rows=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), role_titles=ROLE_TITLES)

    @expose("/login", methods=("GET", "POST"))
    def login_view(self):
        return handle_sign_in(
            lambda **context: self.render("cabinet/login.html", area="cabinet", **context),
            url_for(".index"))

    @expose("/logout", methods=("POST",))
    def logout_view(self):
        if current_user() is not None and not ActionForm(request.form).validate():
            return redirect(url_for(".index"), code=303)  # a forged or stale sign-out
        return sign_out(LOGIN_ENDPOINT)
