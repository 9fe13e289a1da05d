"""The back office (/admin) and the business cabinet (/cabinet), built with Flask-Admin
inside `init_admin(app)` (never at import: each app gets its own)."""

from flask import Blueprint
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme


def init_admin(app):
    from admin.index import BackOfficeHome
    from admin.views import back_office_views

    # Our templates (login, dashboard) next to Flask-Admin's.
    app.register_blueprint(Blueprint("bank_admin_templates", __name__,
                                     template_folder="templates"))
    back_office = Admin(app, name="Bank", url="/admin", endpoint="admin",
                        index_view=BackOfficeHome(name="Dashboard", url="/admin",
                                                  endpoint="admin"),
                        theme=Bootstrap4Theme(swatch="default"))
    for view in back_office_views():
        back_office.add_view(view)
    app.extensions["back_office"] = back_office
    from admin.cabinet import init_cabinet

    init_cabinet(app)
    return back_office
