"""Who is signed in to /admin or /cabinet (a server-side session), and the sign-in flow
shared by both: phone, then the SMS code, through the same service and limits as the API."""

from flask import current_app, g, redirect, request, session, url_for
from flask_admin import expose
from flask_admin.form import SecureForm
from flask_babel import lazy_gettext as _
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp

from app.accounts import phones, sign_in_codes, tokens, users
from app.errors import AppError
from app.models import User
from app.web import redirects


class PhoneForm(SecureForm):
    phone = StringField(_("Phone"), validators=[DataRequired(), Length(max=32)])


class CodeForm(SecureForm):
    phone = StringField(validators=[DataRequired(), Length(max=32)])
    code = StringField(_("Code from the SMS"),
                       validators=[DataRequired(), Regexp(r"^\d{6}$", message=_("Six digits."))])


class SignOutForm(SecureForm):
    """Only its CSRF token: signing out is a POST that another site cannot forge."""


def current_user():
    """The signed-in person of this session, or None: blocked people are signed out, and so is
    a session whose sign-in was ended on the site (they share one token family)."""
    if "staff_user" not in g:
        user_id = session.get("user_id")
        user = User.objects(id=user_id).first() if user_id else None
        family = session.get("token_family")
        if user is not None and (user.is_blocked or not user.is_active
                                 or (family and tokens.family_revoked(family))):
            session.clear()
            user = None
        g.staff_user = user
    return g.staff_user


def start_session(user, family):
    """Sign `user` in to /admin and /cabinet as the sign-in session `family` (the site's
    tokens of the same sign-in carry it): a new session id, against fixation."""
    session.clear()
    session.regenerate()
    session["user_id"] = user.id
    session["token_family"] = family


def safe_next(default):
    """The `next` of the request when it is a path on this site (the site's one rule)."""
    return redirects.safe_next(request.args.get("next") or request.form.get("next"), default)


def handle_sign_in(template_render, home_url):
    """The whole login page: GET shows the phone form; POST phone sends a code; POST code
    signs in. Returns a response."""
    formdata = request.form if request.method == "POST" else None
    phone_form, code_form = PhoneForm(formdata), CodeForm(formdata)
    error, sent_to, wait = None, None, None
    if request.method == "POST":
        try:
            if request.form.get("step") == "code" and code_form.validate():
                phone = phones.normalize(code_form.phone.data,
                                         current_app.config["SMS_DEFAULT_REGION"])
                user = users.sign_in(phone, code_form.code.data)
                start_session(user, tokens.new_family())
                return redirect(safe_next(home_url))
            if request.form.get("step") == "phone" and phone_form.validate():
                phone = phones.normalize(phone_form.phone.data,
                                         current_app.config["SMS_DEFAULT_REGION"])
                sign_in_codes.send_code(phone, request.remote_addr)
                sent_to = phone
            elif request.form.get("step") == "code":
                sent_to = code_form.phone.data
                error = _("Check the form and try again.")
            else:
                error = _("The form has expired. Try again.")
        except AppError as exc:
            error = exc.message
            if exc.code == "resend_too_soon":
                # The code sent a moment ago (on the site, say) still works: ask for it, and
                # count down to when a new one may be sent.
                sent_to, wait = phone, exc.details["retryAfter"]
            elif request.form.get("step") == "code":
                sent_to = code_form.phone.data
    if sent_to:
        code_form.phone.data = sent_to
    return template_render(phone_form=phone_form, code_form=code_form, error=error,
                           sent_to=sent_to, wait=wait, next=safe_next(""))


def sign_out(login_endpoint):
    """Signing out here signs out of the site too: the sign-in session's tokens are revoked."""
    if session.get("token_family"):
        tokens.revoke_family(session["token_family"])
    session.clear()
    return redirect(url_for(login_endpoint))


class SignInPages:
    """/login and /logout for an area's home view (Flask-Admin index view), reachable without
    signing in. `login_template` names the page."""

    login_template = None

    def _handle_view(self, name, **kwargs):
        if name in ("login_view", "logout_view"):
            return None
        return super()._handle_view(name, **kwargs)

    @expose("/login", methods=("GET", "POST"))
    def login_view(self):
        return handle_sign_in(lambda **context: self.render(self.login_template, **context),
                              url_for(".index"))

    @expose("/logout", methods=("POST",))
    def logout_view(self):
        if current_user() is not None and not SignOutForm(request.form).validate():
            return redirect(url_for(".index"), code=303)  # a forged or stale sign-out
        return sign_out(".login_view")
