"""Dead letters of the mms3 events consumer: the events it could not handle (malformed, or
failed every attempt), read without taking them off the queue; superadmins requeue one to the
main queue (with fresh attempts) or discard it. Every action form carries a CSRF token and
is written to the audit log."""

from flask import current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.form import SecureForm
from flask_babel import lazy_gettext as _
from wtforms import HiddenField
from wtforms.validators import AnyOf, DataRequired, Length

from admin.access import StaffAccess
from admin.staff import current_user
from app.accounts.platform_roles import EDIT
from app.lib import audit
from app.messaging import dead_letters

ACTIONS = ("requeue", "discard")


class DeadLetterForm(SecureForm):
    letter_id = HiddenField(validators=[DataRequired(), Length(max=64)])
    action = HiddenField(validators=[DataRequired(), AnyOf(ACTIONS)])


class DeadLettersView(StaffAccess, BaseView):
    # Superadmins only: the bodies are conversations, and requeueing replays events.
    capability = EDIT

    def __init__(self):
        super().__init__(name=_("Dead letters"), endpoint="admin_dead_letters",
                         url="dead-letters", category=_("Operations"))

    @expose("/")
    def index(self):
        config = current_app.config
        waiting, letters, problem = 0, [], None
        if config["RABBITMQ_URL"]:
            try:
                waiting, letters = dead_letters.peek(config)
            except dead_letters.BrokerUnavailable as exc:
                problem = str(exc)
        return self.render("admin/dead_letters.html", configured=bool(config["RABBITMQ_URL"]),
                           queue=f"{config['EVENTS_QUEUE']}.dead", waiting=waiting,
                           letters=letters, problem=problem, form=DeadLetterForm())

    @expose("/act", methods=("POST",))
    def act(self):
        form = DeadLetterForm(request.form)
        if not form.validate():
            flash(str(_("The form has expired. Try again.")), "error")
            return redirect(url_for(".index"))
        action, letter_id = form.action.data, form.letter_id.data
        operation = dead_letters.requeue if action == "requeue" else dead_letters.discard
        try:
            done = operation(current_app.config, [letter_id])
        except dead_letters.BrokerUnavailable as exc:
            flash(str(exc), "error")
            return redirect(url_for(".index"))
        if not done:
            flash(str(_("That dead letter is gone already.")), "error")
            return redirect(url_for(".index"))
        audit.record("admin", current_user(), f"dead_letter_{action}", "dead_letter", letter_id)
        flash(str(_("Requeued to the main queue.") if action == "requeue"
                  else _("Discarded.")), "success")
        return redirect(url_for(".index"))
