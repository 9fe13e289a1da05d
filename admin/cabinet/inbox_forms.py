"""The inbox's and quick replies' forms (CSRF-protected, like forms.py), and the inbox's view
state: which list (open or archived, unread, mine), which page and which dialog are shown.
The lengths are the services' limits; the services apply the exact rules."""

from flask_admin.form import SecureForm
from flask_babel import lazy_gettext as _
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.businesses.customer_blocks import DURATIONS_HOURS
from app.conversations.messages import TEXT_MAX as MESSAGE_MAX
from app.models.quick_reply import TEXT_MAX, TITLE_MAX

DURATION_TITLES = {1: _("1 hour"), 24: _("1 day"), 24 * 7: _("7 days"), 24 * 30: _("30 days"),
                   24 * 365: _("1 year")}


class ReplyForm(SecureForm):
    text = TextAreaField(_("Your reply"), validators=[InputRequired(), Length(max=MESSAGE_MAX)])


class BlockForm(SecureForm):
    hours = SelectField(_("For"), coerce=int, default=24,
                        choices=[SelectChoice(hours, DURATION_TITLES.get(hours, hours))
                                 for hours in DURATIONS_HOURS])
    reason = StringField(_("Reason (only the team sees it)"), validators=[Length(max=300)])


class QuickReplyForm(SecureForm):
    title = StringField(_("Title"), validators=[InputRequired(), Length(max=TITLE_MAX)])
    text = TextAreaField(_("Text"), validators=[InputRequired(), Length(max=TEXT_MAX)])


class InboxView:
    """The list and dialog a page shows, read from the query string (GET) or from the hidden
    fields an action form carries back (POST), so an action returns to the same view."""

    def __init__(self, values):
        self.archived = values.get("status") == "archived"
        self.unread = values.get("unread") == "1"
        self.mine = values.get("mine") == "1"
        page = values.get("page", "1")
        # isascii: "²".isdigit() is True, but int("²") fails.
        digits = page.isascii() and page.isdigit() and len(page) <= 5
        self.page = int(page) if digits and 0 < int(page) <= 10000 else 1
        dialog = values.get("dialog") or None
        self.dialog = dialog if isinstance(dialog, str) and len(dialog) <= 64 else None

    def filters(self):
        """The conversations service's filters."""
        return {"archived": self.archived, "unread": self.unread,
                "assigned": "me" if self.mine else None}

    def params(self, **changes):
        """The query string values of this view (defaults left out), with `changes`."""
        values = {"status": "archived" if self.archived else None,
                  "unread": "1" if self.unread else None, "mine": "1" if self.mine else None,
                  "page": self.page if self.page > 1 else None, "dialog": self.dialog}
        values.update(changes)
        return {name: value for name, value in values.items() if value is not None}
