"""The chat widget's page in the cabinet (`/cabinet/b/<id>/widget`): any member sees it, people
with canManageSettings change it. Appearance (with the launcher's distance from the bottom of
the screen), the away message (the business hours are the bot's, shown here with a link), the
websites allowed to show the widget, the snippet to put on them, identity verification (the
secret, shown once when rotated) and the "mandatory" switch.

The rules are `app.businesses.widget_settings`'s: the form only reads the input, and a refusal
comes back next to the field it is about. Every change is audited; the secret never is, only
a fingerprint that tells one secret from the next.
"""

import hashlib
import re

from flask import current_app, make_response, request
from flask_admin import expose
from flask_admin.form import SecureForm
from flask_babel import lazy_gettext as _
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from admin.cabinet.forms import WEEKDAY_TITLES, ActionForm
from admin.cabinet.scope import back, csrf_failed, load, say
from app.businesses import bot_settings, widget_settings
from app.businesses.hours import WEEKDAYS, intervals_text
from app.errors import AppError


class WidgetForm(SecureForm):
    color = StringField(_("Colour"))
    position = SelectField(_("Position on the page"), choices=[
        SelectChoice("right", _("Bottom right")), SelectChoice("left", _("Bottom left"))])
    launcher_text = StringField(_("Button text"))
    # Read as text: the range and the refusal of "1.5" or "abc" are the service's.
    bottom_offset = StringField(_("Distance from the bottom of the screen, px"))
    away_message = TextAreaField(_("Away message"))
    allowed_origins = TextAreaField(_("Allowed websites"))
    identity_required = BooleanField(_("Mandatory: no anonymous chats (only customers your "
                                       "website vouches for, or signed in by phone)"))


# The service's field names → the form's.
_FIELDS = {"color": "color", "position": "position", "launcherText": "launcher_text",
           "bottomOffset": "bottom_offset", "awayMessage": "away_message",
           "allowedOrigins": "allowed_origins", "identityRequired": "identity_required"}


def form_values(shown):
    return {"color": shown["color"], "position": shown["position"],
            "launcher_text": shown["launcherText"] or "",
            "bottom_offset": str(shown["bottomOffset"]),
            "away_message": shown["awayMessage"] or "",
            "allowed_origins": "\n".join(shown["allowedOrigins"]),
            "identity_required": shown["identityRequired"]}


def _changes(form):
    lines = (form.allowed_origins.data or "").replace(",", "\n").splitlines()
    return {"color": (form.color.data or "").strip() or None,
            "position": form.position.data,
            "launcherText": form.launcher_text.data,
            "bottomOffset": _offset(form.bottom_offset.data),
            "awayMessage": form.away_message.data,
            "allowedOrigins": [line.strip() for line in lines if line.strip()],
            "identityRequired": bool(form.identity_required.data)}


def _offset(typed):
    """A whole number as the service takes it, None (the default) when empty; anything else
    goes as typed, for the service to refuse with its own words."""
    typed = (typed or "").strip()
    if not typed:
        return None
    return int(typed) if re.fullmatch(r"[+-]?\d{1,9}", typed) else typed


def fingerprint(secret):
    """Tells secrets apart in the audit log without revealing them."""
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()[:8] if secret else None


def hours_summary(business_id):
    """[(weekday, "09:00-18:00, …")] and the time zone, or None without hours."""
    hours = bot_settings.settings_of(business_id).business_hours or {}
    if not hours.get("days"):
        return None
    days = [(day, intervals_text(hours["days"].get(day))) for day in WEEKDAYS]
    return {"timezone": hours.get("timezone"), "days": days}


class WidgetPages:
    """Mixed into the cabinet's business view (see admin/cabinet/views.py)."""

    def _render_widget(self, scope, form=None, secret=None):
        widget = widget_settings.of(scope.business.id)
        shown = widget_settings.for_team(widget)
        base = current_app.config["PUBLIC_BASE_URL"]
        snippet = (f'<script src="{base}/widget.js" data-business="{scope.business.slug}" '
                   f'async></script>')
        return self.render_business(
            "cabinet/widget.html", scope, form=form or WidgetForm(data=form_values(shown)),
            settings=shown, can_change=scope.may("canManageSettings"), snippet=snippet,
            new_secret=secret, hours=hours_summary(scope.business.id),
            now=widget_settings.public_config(scope.business), action_form=ActionForm(),
            weekday_titles=WEEKDAY_TITLES, bottom_offset_max=widget_settings.BOTTOM_OFFSET_MAX,
            bottom_offset_default=widget_settings.BOTTOM_OFFSET_DEFAULT)

    @expose("/<business_id>/widget", methods=("GET", "POST"))
    def widget(self, business_id):
        scope = load(business_id, "canManageSettings" if request.method == "POST" else None)
        if request.method == "GET":
            return self._render_widget(scope)
        before = widget_settings.for_team(widget_settings.of(scope.business.id))
        form = WidgetForm(request.form)
        if not form.validate():
            status = 400 if csrf_failed(form) else 422
            return self._render_widget(scope, form), status
        try:
            after = widget_settings.update(scope.business, scope.user, _changes(form))
        except AppError as error:
            fields = (error.details or {}).get("fields") or [{}]
            field = getattr(form, _FIELDS.get(fields[0].get("field"), ""), None)
            (field.errors if field is not None else form.form_errors).append(error.message)
            return self._render_widget(scope, form), error.status
        scope.record("update", "widget_settings", scope.business.id, before,
                     widget_settings.for_team(after))
        say(_("The widget's settings are saved."), "success")
        return back("cabinet_business.widget", scope)

    @expose("/<business_id>/widget/secret", methods=("POST",))
    def widget_secret(self, business_id):
        """A new identity secret, shown in this answer only (never in a flash message, which
        would keep it in the session store)."""
        scope = load(business_id, "canManageSettings")
        action = ActionForm(request.form)
        if not action.validate():
            form = WidgetForm(data=form_values(widget_settings.for_team(
                widget_settings.of(scope.business.id))))
            form.form_errors.append(_("The form has expired. Reload the page and try again."))
            return self._render_widget(scope, form), 400
        old = widget_settings.of(scope.business.id).identity_secret
        secret = widget_settings.rotate_secret(scope.business, scope.user)
        scope.record("rotate_secret", "widget_settings", scope.business.id,
                     {"identitySecret": fingerprint(old)}, {"identitySecret": fingerprint(secret)})
        response = make_response(self._render_widget(scope, secret=secret))
        response.headers["Cache-Control"] = "no-store"  # the secret stays out of caches
        return response
