"""The customer's conversations: `/my/dialogs` (all of them, newest first, live) and
`/my/dialogs/<id>` (one of them: read and write, live).

Shells like the other "my" pages: the browser holds the token, so the scripts
(app/static/js/dialogs.js, dialog.js) ask the API, which checks who may see what; signed
out, they go to /login.
"""

from flask import Blueprint, render_template

from app.web.js_strings import strings

bp = Blueprint("dialog_pages", __name__)


@bp.get("/my/dialogs")
def my_dialogs():
    return render_template("my_dialogs.html", i18n=strings("dialogs"))


@bp.get("/my/dialogs/<id(cnv):dialog_id>")
def my_dialog(dialog_id):
    return render_template("my_dialog.html", dialog_id=dialog_id, i18n=strings("dialogs"))
