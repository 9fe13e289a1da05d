"""The bot's settings page (canManageSettings): greeting, auto-reply, the keywords that call
the team, the channel's settings and the business hours per weekday in a time zone.

The form is turned into the API's request body and validated by the API's own schema
(`app.api.bot_settings.BotSettingsUpdate`), then saved by `app.businesses.bot_settings`; so the
cabinet and `PUT /api/businesses/<id>/bot/settings` accept and refuse the same settings.
"""

import re

from flask import request
from flask_admin import expose
from flask_babel import lazy_gettext as _
from pydantic import ValidationError

from admin.cabinet.forms import BotForm
from admin.cabinet.scope import back, csrf_failed, load, say
from app.api.bot_settings import BotSettingsUpdate
from app.bot import rules
from app.businesses import bot_settings
from app.businesses.hours import WEEKDAYS, intervals_text
from app.errors import AppError

_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})\s*$")
_FORMAT_HINT = _("Write the hours like 09:00-18:00; several intervals separated by commas.")


def _text(value):
    value = (value or "").strip()
    return value or None  # an empty field goes back to unset


def _keywords(raw):
    words = [word.strip() for word in re.split(r"[\n,;]", raw or "")]
    return list(dict.fromkeys(word for word in words if word)) or None


def _intervals(raw):
    """[{"open": "09:00", "close": "18:00"}, …] from "9:00-13:00, 14:00-18:00"; None if the
    text does not read as intervals."""
    found = []
    for part in re.split(r"[,;]", raw or ""):
        if not part.strip():
            continue
        match = _INTERVAL.match(part)
        if match is None:
            return None
        opens_h, opens_m, closes_h, closes_m = match.groups()
        found.append({"open": f"{int(opens_h):02d}:{opens_m}",
                      "close": f"{int(closes_h):02d}:{closes_m}"})
    return found


def form_values(settings):
    """The form's initial values from the stored settings (as the service shows them)."""
    hours = settings["businessHours"] or {}
    days = hours.get("days") or {}
    channel = settings["channelSettings"]
    values = {
        "greeting": settings["greeting"] or "",
        "auto_reply_enabled": bool(settings["autoReplyEnabled"]),
        "auto_reply_message": settings["autoReplyMessage"] or "",
        "keywords": "\n".join(settings["inviteOwnerOnKeywords"] or []),
        "allow_comments": bool(channel["allowComments"]),
        "allow_reactions": bool(channel["allowReactions"]),
        "moderation_enabled": bool(channel["moderationEnabled"]),
        "timezone": hours.get("timezone") or "",
    }
    for day in WEEKDAYS:
        values[day] = intervals_text(days.get(day))
    return values


def _body(form):
    """The API request body the form stands for, or None (the errors are on the form)."""
    days, unreadable = {}, False
    for field in form.day_fields():
        intervals = _intervals(field.data)
        if intervals is None:
            field.errors.append(_FORMAT_HINT)
            unreadable = True
        elif intervals:
            days[field.name] = intervals
    if unreadable:
        return None
    timezone = _text(form.timezone.data)
    hours = {"days": days}
    if timezone:
        hours["timezone"] = timezone  # hours without a time zone: the schema says it's missing
    return {
        "greeting": _text(form.greeting.data),
        "autoReplyEnabled": bool(form.auto_reply_enabled.data),
        "autoReplyMessage": _text(form.auto_reply_message.data),
        "inviteOwnerOnKeywords": _keywords(form.keywords.data),
        "channelSettings": {"allowComments": bool(form.allow_comments.data),
                            "allowReactions": bool(form.allow_reactions.data),
                            "moderationEnabled": bool(form.moderation_enabled.data)},
        "businessHours": hours if timezone or days else None,  # neither: unset
    }


_FIELDS = {"greeting": "greeting", "autoReplyMessage": "auto_reply_message",
           "inviteOwnerOnKeywords": "keywords", "channelSettings": "allow_comments"}


def _message(item):
    kind, context = item["type"], item.get("ctx") or {}
    if kind == "missing":
        return _("Fill this in.")
    if kind == "string_too_long":
        return _("At most %(count)s characters.", count=context.get("max_length"))
    if kind == "too_long":
        return _("At most %(count)s items.", count=context.get("max_length"))
    if kind == "string_too_short":
        return _("This cannot be empty.")
    if kind == "string_pattern_mismatch":
        return _FORMAT_HINT
    if kind == "value_error" and item["loc"][:2] == ("businessHours", "timezone"):
        return _("Unknown time zone: use a name like Europe/Moscow.")
    if kind == "value_error" and item["loc"][:2] == ("businessHours", "days"):
        return _("The closing time must differ from the opening time (an earlier closing "
                 "time means past midnight).")
    return item["msg"]


def _show_errors(form, error):
    """Put each of the schema's complaints next to the field it is about."""
    for item in error.errors(include_url=False, include_input=False):
        location = item["loc"]
        if location[0] == "businessHours":
            name = location[2] if len(location) > 2 and location[1] == "days" else "timezone"
        else:
            name = _FIELDS.get(location[0], "greeting")
        field = getattr(form, str(name), form.timezone)
        message = _message(item)
        if message not in field.errors:
            field.errors.append(message)


def _changes(data):
    """The service's changes from the validated body, as the API's PUT makes them."""
    changes = data.model_dump(exclude_unset=True)
    if data.channelSettings is not None:
        changes["channelSettings"] = data.channelSettings.model_dump(exclude_unset=True)
    return changes


def _trial(settings):
    """The "try a message" box: what the bot would make of ?try=… with the saved keywords."""
    sample = request.args.get("try", "")[:1000]
    if not sample.strip():
        return None
    keywords = tuple(settings["inviteOwnerOnKeywords"] or ())
    return {"sample": sample, "keyword": rules.matches_keyword(sample, keywords),
            "asksForPerson": rules.asks_for_human(sample)}


def _stored(settings):
    return {name: value for name, value in settings.items() if name != "updatedAt"}


class BotPages:
    """Mixed into the cabinet's business view (see admin/cabinet/views.py)."""

    @expose("/<business_id>/bot", methods=("GET", "POST"))
    def bot(self, business_id):
        scope = load(business_id, "canManageSettings")
        before = bot_settings.view(scope.business, scope.user)
        if request.method == "GET":
            form = BotForm(data=form_values(before))
            return self.render_business("cabinet/bot.html", scope, form=form,
                                        trial=_trial(before))
        form = BotForm(request.form)
        status = 422
        if not form.validate():
            status = 400 if csrf_failed(form) else 422
        else:
            body = _body(form)
            try:
                data = BotSettingsUpdate.model_validate(body) if body is not None else None
            except ValidationError as error:
                _show_errors(form, error)
                data = None
            if data is not None:
                try:
                    after = bot_settings.update(scope.business, scope.user, _changes(data))
                except AppError as error:
                    form.form_errors.append(error.message)
                else:
                    scope.record("update", "bot_settings", scope.business.id,
                                 _stored(before), _stored(after))
                    say(_("The bot's settings are saved."), "success")
                    return back("cabinet_business.bot", scope)
        return self.render_business("cabinet/bot.html", scope, form=form), status
