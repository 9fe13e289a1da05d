"""The words the chat's script shows, translated on the server and handed to it as a JSON block,
so no language is written in JS. Placeholders stay as `{name}` for the script to fill in."""

from functools import lru_cache

from flask_babel import get_locale
from flask_babel import lazy_gettext as _

WORDS = {
    "error": _("Something went wrong. Try again."),
    "networkError": _("No connection. Check the internet and try again."),
    "offline": _("No connection. Your messages will be sent when it is back."),
    "online": _("Online"),
    "closed": _("We are closed now. The team will answer when we open: %(when)s.",
                when="{when}"),
    "signInOffer": _("Sign in by phone, and the answer will reach you as a notification."),
    "signInRequired": _("Sign in by phone to write to us."),
    "signedIn": _("You are signed in: answers will reach you as notifications too."),
    "codeSent": _("We sent a code by SMS to %(phone)s.", phone="{phone}"),
    "typing": _("%(name)s is typing…", name="{name}"),
    "sent": _("Sent"),
    "read": _("Read"),
    "waiting": _("Waiting for the connection"),
    "failed": _("Not sent"),
}


def strings():
    """The chat's words in the request's language (made once per language)."""
    return _strings(str(get_locale()))


@lru_cache(maxsize=8)
def _strings(_locale):
    return {key: str(value) for key, value in WORDS.items()}
