"""The back office (/admin) and the business cabinet (/cabinet), built with Flask-Admin
inside `init_admin(app)` (never at import: each app gets its own)."""

from flask import Blueprint
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme


def _signed_in_context():
    """Who is signed in, and a sign-out form, for the back office's navigation bar."""
    from flask import request

    if not request.path.startswith("/admin"):
        return {}
    from admin.staff import SignOutForm, current_user

    user = current_user()
    return {"staff_user": user, "sign_out_form": SignOutForm() if user else None}


def init_admin(app):
    from flask_babel import lazy_gettext as _

    from admin.index import BackOfficeHome
    from admin.views import back_office_views

    # Our templates (login, dashboard) next to Flask-Admin's.
    app.register_blueprint(Blueprint("bank_admin_templates", __name__,
                                     template_folder="templates"))
    back_office = Admin(app, name="Bank", url="/admin", endpoint="admin",
                        index_view=BackOfficeHome(name=_("Dashboard"), url="/admin",
                                                  endpoint="admin"),
                        theme=Bootstrap4Theme(swatch="default",
                                              base_template="admin/bank_base.html"))
    app.context_processor(_signed_in_context)
    from admin.charts import bar_chart

    app.add_template_global(bar_chart)  # the back office's and the cabinet's charts
    for view in back_office_views():
        back_office.add_view(view)
    from admin.views.dead_letters import DeadLettersView

    back_office.add_view(DeadLettersView())
    app.extensions["back_office"] = back_office
    from admin.cabinet import init_cabinet

    init_cabinet(app)
    return back_office
