"""A business's bot settings (the plan's business_settings, plus greeting and hours): what the
bot (app/bot) and the widget act on. Every field is shown, null where unset."""

from app import clock
from app.businesses.permissions import require, require_member
from app.lib import text
from app.models import Business, BusinessSettings, ChannelSettings, User

_FIELDS = {
    "autoReplyEnabled": "auto_reply_enabled",
    "autoReplyMessage": "auto_reply_message",
    "inviteOwnerOnKeywords": "invite_owner_on_keywords",
    "greeting": "greeting",
    "businessHours": "business_hours",
    "humanQuietMinutes": "human_quiet_minutes",
}
_CHANNEL = {
    "allowComments": "allow_comments",
    "allowReactions": "allow_reactions",
    "moderationEnabled": "moderation_enabled",
}


def settings_of(business_id: str) -> BusinessSettings:
    """The business's settings document, made now for businesses created before it existed."""
    found = BusinessSettings.objects(business_id=business_id).first()
    if found is None:
        found = BusinessSettings(business_id=business_id).save()
    return found


def view(business: Business, actor: User) -> dict:
    require(business, actor, "canManageSettings")
    return as_dict(settings_of(business.id))


def summary(business: Business, actor: User) -> dict:
    """What any team member may know of the bot: who it is and what it does (the settings
    themselves are for those who manage them)."""
    require_member(business, actor)
    settings = settings_of(business.id)
    return {
        "id": business.chat_bot_id,  # null until the messaging service has made it
        "name": business.name,
        "greets": bool(settings.greeting),
        "autoReplyEnabled": bool(settings.auto_reply_enabled),
        "keywords": len(settings.invite_owner_on_keywords or []),
        "hasBusinessHours": settings.business_hours is not None,
        "humanQuietMinutes": settings.human_quiet_minutes,
    }


def as_dict(settings: BusinessSettings) -> dict:
    channel = settings.channel_settings
    return {
        **{name: getattr(settings, attr) for name, attr in _FIELDS.items()},
        "channelSettings": {name: getattr(channel, attr) if channel else None
                            for name, attr in _CHANNEL.items()},
        "updatedAt": settings.updated_at,
    }


def update(business: Business, actor: User, changes: dict) -> dict:
    """Apply the given fields; a field given as null goes back to unset."""
    require(business, actor, "canManageSettings")
    settings = settings_of(business.id)
    for name in ("greeting", "autoReplyMessage"):
        if changes.get(name) is not None:
            text.check(changes[name], name, multiline=True)
    for keyword in changes.get("inviteOwnerOnKeywords") or ():
        text.check(keyword, "inviteOwnerOnKeywords")
    for name, attr in _FIELDS.items():
        if name in changes:
            setattr(settings, attr, changes[name])
    if "channelSettings" in changes:
        channel = settings.channel_settings or ChannelSettings()
        for name, value in (changes["channelSettings"] or {}).items():
            setattr(channel, _CHANNEL[name], value)
        settings.channel_settings = channel
    settings.updated_at = clock.now()
    settings.save()
    return as_dict(settings)
