"""The back office (/admin) and the business cabinet (/cabinet), built with Flask-Admin
inside `init_admin(app)` (never at import: each app gets its own)."""

from flask import Blueprint, request
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _

from admin.cabinet import init_cabinet
from admin.charts import bar_chart
from admin.html_lang import init_html_lang
from admin.index import BackOfficeHome
from admin.phone_privacy import init_phone_privacy
from admin.staff import SignOutForm, current_user
from admin.views import back_office_views
from admin.views.dead_letters import DeadLettersView


def _signed_in_context():
    """Who is signed in, and a sign-out form, for the back office's navigation bar."""
    if not request.path.startswith("/admin"):
        return {}
    user = current_user()
    return {"staff_user": user, "sign_out_form": SignOutForm() if user else None}


def init_admin(app):
    # Our templates (login, dashboard) next to Flask-Admin's.
    app.register_blueprint(Blueprint("bank_admin_templates", __name__,
                                     template_folder="templates"))
    back_office = Admin(app, name="Bank", url="/admin", endpoint="admin",
                        index_view=BackOfficeHome(name=_("Dashboard"), url="/admin",
                                                  endpoint="admin"),
                        theme=Bootstrap4Theme(swatch="default",
                                              base_template="admin/bank_base.html"))
    app.context_processor(_signed_in_context)
    init_phone_privacy(app)
    init_html_lang(app)  # Flask-Admin's base template has a bare <html>: see html_lang.py
    app.add_template_global(bar_chart)  # the back office's and the cabinet's charts
    for view in back_office_views():
        back_office.add_view(view)
    back_office.add_view(DeadLettersView())
    app.extensions["back_office"] = back_office
    init_cabinet(app)
    return back_office
