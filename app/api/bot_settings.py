"""The business bot's settings (canManageSettings): GET shows every field, null where unset."""

from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint
from flask_babel import gettext
from pydantic import Field, field_validator, model_validator

from app.api.guard import login_required, me
from app.api.responses import ok
from app.api.validation import Body, body
from app.businesses import bot_settings
from app.businesses.permissions import get_business
from app.clock import isoformat

bp = Blueprint("bot_settings", __name__,
               url_prefix="/businesses/<id(biz):business_id>/bot")

Time = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")]
Keywords = Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]],
                    Field(max_length=50)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Interval(Body):
    open: Time
    close: Time

    @model_validator(mode="after")
    def closes_after_opening(self):
        # A close earlier than the open runs past midnight (a bar open 22:00–02:00).
        if self.close == self.open:
            raise ValueError(gettext("The closing time must differ from the opening time."))
        return self


class BusinessHours(Body):
    timezone: Annotated[str, Field(max_length=64)]
    days: dict[Weekday, Annotated[list[Interval], Field(max_length=4)]]

    @field_validator("timezone")
    @classmethod
    def known_timezone(cls, value):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(gettext("Unknown time zone: use a name like Europe/Moscow.")) from None
        return value


class ChannelSettingsIn(Body):
    allowComments: bool | None = None
    allowReactions: bool | None = None
    moderationEnabled: bool | None = None


class BotSettingsUpdate(Body):
    autoReplyEnabled: bool | None = None
    autoReplyMessage: Annotated[str, Field(max_length=1000)] | None = None
    inviteOwnerOnKeywords: Keywords | None = None
    channelSettings: ChannelSettingsIn | None = None
    greeting: Annotated[str, Field(max_length=1000)] | None = None
    businessHours: BusinessHours | None = None
    humanQuietMinutes: Annotated[int, Field(ge=0, le=10080)] | None = None


def _present(settings):
    return {**settings, "updatedAt": isoformat(settings["updatedAt"])}


@bp.get("")
@login_required
def get_bot(business_id):
    """The bot, for the team: its id (null until made), name, and a summary of its settings."""
    return ok(bot_settings.summary(get_business(business_id), me()))


@bp.get("/settings")
@login_required
def get_settings(business_id):
    """The bot's settings."""
    return ok(_present(bot_settings.view(get_business(business_id), me())))


@bp.put("/settings")
@login_required
@body(BotSettingsUpdate)
def put_settings(data, business_id):
    """Change the given fields; a field sent as null goes back to unset."""
    changes = data.model_dump(exclude_unset=True)
    if data.channelSettings is not None:
        changes["channelSettings"] = data.channelSettings.model_dump(exclude_unset=True)
    if "inviteOwnerOnKeywords" in changes and changes["inviteOwnerOnKeywords"] is not None:
        changes["inviteOwnerOnKeywords"] = list(dict.fromkeys(
            word.strip() for word in changes["inviteOwnerOnKeywords"] if word.strip()))
    return ok(_present(bot_settings.update(get_business(business_id), me(), changes)))
