"""The cabinet's forms: CSRF-protected (SecureForm, a token bound to the server-side session),
built from `request.form`. They only read the input; the rules are the services' (and, for the
bot, the API's request schema), so a form and the API refuse the same things."""

from flask_admin.form import SecureForm
from flask_babel import lazy_gettext as _
from wtforms import (
    BooleanField,
    FileField,
    FloatField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from admin.labels import PERMISSION_TITLES
from app.businesses.businesses import DESCRIPTION_MAX, NAME_MAX
from app.businesses.hours import WEEKDAYS
from app.businesses.permissions import ATTRIBUTES


class CoordinateField(FloatField):
    """A decimal number that also accepts a comma ("55,7517"), as people type it."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [value.strip().replace(",", ".") for value in valuelist]
        super().process_formdata(valuelist)


class BusinessForm(SecureForm):
    # Lengths before the services' own rules (which strip and fold spaces, so a little over
    # may still fit): a bound on what is read, not the rule.
    name = StringField(_("Business name"), validators=[Length(max=NAME_MAX * 4)])
    description = TextAreaField(_("Description"), validators=[Length(max=DESCRIPTION_MAX * 2)])
    slug = StringField(_("Page address"), validators=[InputRequired(), Length(max=100)])
    categories = SelectMultipleField(_("Categories"), choices=[])
    address = StringField(_("Address"), validators=[Length(max=300)])
    lat = CoordinateField(_("Latitude"), validators=[Optional(), NumberRange(-90, 90)])
    lng = CoordinateField(_("Longitude"), validators=[Optional(), NumberRange(-180, 180)])
    is_public = BooleanField(_("Shown in the catalog"))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not self.lat.errors and not self.lng.errors and \
                (self.lat.data is None) != (self.lng.data is None):
            self.lng.errors.append(_("Give both the latitude and the longitude, or neither."))
            valid = False
        if valid and (self.address.data or "").strip() and self.lat.data is None:
            self.lat.errors.append(_("An address needs its coordinates, for the map."))
            valid = False
        return valid

    def location(self):
        """The service's {address, lat, lng}, or None to have no location."""
        if self.lat.data is None:
            return None
        return {"address": (self.address.data or "").strip() or None, "lat": self.lat.data,
                "lng": self.lng.data}


class NewBusinessForm(BusinessForm):
    """/cabinet/new: the slug may be left empty (one is made from the name), and a logo may
    come with it (read from request.files; the field carries its label and errors)."""

    slug = StringField(_("Page address"), validators=[Optional(), Length(max=100)])
    logo = FileField(_("Logo"))


class InviteForm(SecureForm):
    phone = StringField(_("Phone"), validators=[InputRequired(), Length(max=32)])
    role = SelectField(_("Role"), choices=[])


class RoleForm(SecureForm):
    role = SelectField(_("Role"), choices=[])


# A permission override as the form sends it (the page renders the options and their words).
OVERRIDE_VALUES = {"default": None, "on": True, "off": False}


class PermissionsForm(SecureForm):
    """A member's own permission overrides, each "default" (the role's), "on" or "off". Its
    fields are named as the permissions' attributes (app/businesses/permissions.py)."""

    can_reply = SelectField(PERMISSION_TITLES["canReply"], choices=list(OVERRIDE_VALUES))
    can_publish_channel = SelectField(PERMISSION_TITLES["canPublishChannel"],
                                      choices=list(OVERRIDE_VALUES))
    can_manage_members = SelectField(PERMISSION_TITLES["canManageMembers"],
                                     choices=list(OVERRIDE_VALUES))
    can_manage_settings = SelectField(PERMISSION_TITLES["canManageSettings"],
                                      choices=list(OVERRIDE_VALUES))

    def overrides(self):
        """{"canReply": True | False | None, ...}: None is the role's default."""
        return {name: OVERRIDE_VALUES[getattr(self, attribute).data]
                for name, attribute in ATTRIBUTES.items()}


class TransferForm(SecureForm):
    user_id = SelectField(_("New owner"), choices=[])
    confirm = BooleanField(_("I understand that I will become a manager of this business"),
                           validators=[InputRequired()])


class ActionForm(SecureForm):
    """A button that changes something: the CSRF token alone."""


WEEKDAY_TITLES = {"mon": _("Monday"), "tue": _("Tuesday"), "wed": _("Wednesday"),
                  "thu": _("Thursday"), "fri": _("Friday"), "sat": _("Saturday"),
                  "sun": _("Sunday")}


class BotForm(SecureForm):
    greeting = TextAreaField(_("Greeting"))
    auto_reply_enabled = BooleanField(_("Reply automatically"))
    auto_reply_message = TextAreaField(_("Automatic reply"))
    keywords = TextAreaField(_("Keywords that call the team"))
    allow_comments = BooleanField(_("Allow comments"))
    allow_reactions = BooleanField(_("Allow reactions"))
    moderation_enabled = BooleanField(_("Check posts before they are published"))
    timezone = StringField(_("Time zone"), validators=[Length(max=64)])
    mon = StringField(WEEKDAY_TITLES["mon"])
    tue = StringField(WEEKDAY_TITLES["tue"])
    wed = StringField(WEEKDAY_TITLES["wed"])
    thu = StringField(WEEKDAY_TITLES["thu"])
    fri = StringField(WEEKDAY_TITLES["fri"])
    sat = StringField(WEEKDAY_TITLES["sat"])
    sun = StringField(WEEKDAY_TITLES["sun"])

    def day_fields(self):
        return [getattr(self, day) for day in WEEKDAYS]
