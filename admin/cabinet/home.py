"""The cabinet's home: the businesses the signed-in person is on the team of, with their
role; creating one (new_business.py); and the sign-in and sign-out pages (the same phone + code
flow and session as /admin)."""

from flask import request
from flask_admin import AdminIndexView, expose

from admin.cabinet.new_business import NewBusinessPage
from admin.cabinet.scope import CabinetAccess
from admin.labels import ROLE_TITLES
from admin.staff import SignInPages, current_user
from app.businesses import businesses

PAGE_SIZE = 20


class CabinetHome(SignInPages, NewBusinessPage, CabinetAccess, AdminIndexView):
    login_template = "cabinet/login.html"

    @expose("/")
    def index(self):
        page = request.args.get("page", "1")
        page = int(page) if page.isdigit() and 0 < int(page) <= 100000 else 1
        rows, total = businesses.memberships_of(current_user().id, page, PAGE_SIZE)
        return self.render("cabinet/index.html", rows=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), role_titles=ROLE_TITLES)
