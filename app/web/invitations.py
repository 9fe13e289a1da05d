"""/my/invitations: the team invitations waiting for my answer. A shell like the other "my"
pages: app/static/js/invitations.js fills it from /api/me/invitations and answers them."""

from flask import Blueprint, render_template

from app.web.js_strings import strings

bp = Blueprint("my_invitations", __name__)


@bp.get("/my/invitations")
def page():
    return render_template("my_invitations.html", i18n=strings("invitations"))
