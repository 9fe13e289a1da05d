"""The business cabinet at /cabinet: a second Flask-Admin instance for the members of a
business (any role), built inside `init_cabinet(app)`. People sign in at /cabinet/login with
the back office's phone + code flow into the same server-side session.

home.py     the list of my businesses; sign-in and sign-out
views.py    the pages of one business under /cabinet/b/<id>/ and their URL scheme
scope.py    the membership and permission check every page starts with (404 outside the team)
business.py overview, edit, logo, QR downloads, statistics
team.py     the team; bot.py the bot's settings; forms.py the CSRF-protected forms
pwa.py      the cabinet as an installable app: manifest, service worker, start page
"""

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _

from admin.cabinet import pwa, shared_sign_in
from admin.cabinet.home import CabinetHome
from admin.cabinet.views import BusinessView


def init_cabinet(app):
    cabinet = Admin(app, name=_("Cabinet"), url="/cabinet", endpoint="cabinet",
                    index_view=CabinetHome(name=_("My businesses"), url="/cabinet",
                                           endpoint="cabinet"),
                    # The back office's base: the theme's contrast fixes, named controls.
                    theme=Bootstrap4Theme(swatch="default",
                                          base_template="admin/bank_base.html"))
    cabinet.add_view(BusinessView())
    app.register_blueprint(shared_sign_in.bp)
    app.register_blueprint(pwa.bp)  # the cabinet as an installable app
    app.extensions["cabinet"] = cabinet
    return cabinet
