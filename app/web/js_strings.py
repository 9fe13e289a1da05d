"""The words the pages' scripts show, translated on the server and handed to them as a JSON
block (`<script type="application/json" id="i18n">`), so no language is written in JS.

Placeholders stay as `{name}` for the script to fill in.
"""

from functools import lru_cache

from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _

# `make translations-update` extracts the msgids given to plural_forms() through its
# `-k plural_forms:1,2` keyword.


def plural_forms(singular, plural):
    """The forms of a counted phrase by Intl.PluralRules category (one, few, many, other) in
    the request's language; the number is left as `{n}`."""
    translations = get_translations()
    return {category: translations.ungettext(singular, plural, count) % {"num": "{n}"}
            for category, count in (("one", 1), ("few", 2), ("many", 5), ("other", 5))}


COMMON = {
    "subscribe": _("Subscribe"),
    "unsubscribe": _("Unsubscribe"),
    "signIn": _("Sign in"),
    "myProfile": _("My profile"),
    "networkError": _("No connection. Check the internet and try again."),
    "error": _("Something went wrong. Try again."),
    "loading": _("Loading…"),
    "showMore": _("Show more"),
}
GROUPS = {
    "catalog": {
        "nothingFound": _("Nothing found for “%(query)s”.", query="{query}"),
        "noBusinesses": _("No businesses here yet."),
        "nothingNear": _("No businesses found near you."),
        "km": _("%(distance)s km", distance="{distance}"),
        "m": _("%(distance)s m", distance="{distance}"),
        "locating": _("Finding your location…"),
        "geoDenied": _("Could not get your location. Allow access to it in the browser and "
                       "try again."),
        "geoUnsupported": _("This browser cannot tell your location."),
        "nearMe": _("Near me"),
        "nearMeOn": _("Near me: on"),
    },
    "landing": {},
    "login": {
        "codeSent": _("We sent a code by SMS to %(phone)s.", phone="{phone}"),
        "resendIn": _("You can request a new code in %(time)s.", time="{time}"),
        "resend": _("Send the code again"),
        "sending": _("Sending…"),
        "checking": _("Checking…"),
    },
    "profile": {
        "saved": _("Saved."),
        "avatarSaved": _("The photo is updated."),
        "noName": _("No name yet"),
        "uploading": _("Uploading…"),
        "pushOn": _("Notifications are on for this device."),
        "pushOff": _("Notifications are off for this device."),
        "pushTurnOn": _("Turn on notifications"),
        "pushTurnOff": _("Turn off notifications"),
        "pushUnsupported": _("This browser cannot show notifications."),
        "pushBlocked": _("Notifications are blocked for this site. Allow them in the "
                         "browser's site settings, then reload the page."),
    },
    "my": {
        "confirmUnsubscribe": _("Unsubscribe from “%(name)s”?", name="{name}"),
        "confirmYes": _("Yes, unsubscribe"),
        "cancel": _("Cancel"),
        "unsubscribed": _("You unsubscribed from “%(name)s”.", name="{name}"),
        "noSubscriptions": _("You have no subscriptions yet. Find businesses in the catalog."),
        "noBusinesses": _("You have no businesses yet."),
        "owner": _("Owner"),
        "manager": _("Manager"),
        "operator": _("Operator"),
        "viewer": _("Viewer"),
        "blocked": _("Blocked"),
        "hidden": _("Hidden from the catalog"),
    },
    "dialogs": {  # my conversations and one of them (app/web/dialogs.py)
        "noDialogs": _("No conversations yet. Write to a business from its page, and the "
                       "conversation shows here."),
        "you": _("You: %(text)s", text="{text}"),
        "typing": _("%(name)s is typing…", name="{name}"),
        "sent": _("Sent"),
        "read": _("Read"),
        "waiting": _("Waiting for the connection"),
        "failed": _("Not sent"),
        "noMessages": _("No messages yet."),
        "offline": _("No connection. Your messages will be sent when it is back."),
        "liveLimited": _("Too many chats are open in this browser. New messages show when "
                         "one of them closes."),
        "liveFailed": _("Live updates stopped. Reload the page."),
    },
    "channel": {  # a business's channel and my feed (app/web/channel.py)
        "noPosts": _("No posts yet."),
        "noFeed": _("No posts yet. Subscribe to businesses in the catalog, and their posts "
                    "show here."),
        "comment": _("Comment"),
        "reactions": _("Reactions"),
        "commentsHeading": _("Comments"),
        "writeComment": _("Your comment"),
        "send": _("Send"),
        "you": _("You"),
        "reader": _("A reader"),
        "noComments": _("No comments yet."),
        "moreComments": _("More comments"),
        "signInToComment": _("Sign in to comment"),
        "edited": _("edited"),
        "openChannel": _("All posts of %(name)s", name="{name}"),
        "liveLimited": _("Too many live connections are open. New posts show when one of "
                         "them closes."),
    },
    "invitations": {  # /my/invitations (app/web/invitations.py)
        "invitedAs": _("Invites you to its team as: %(role)s", role="{role}"),
        "openUntil": _("Open until %(date)s", date="{date}"),
        "manager": _("Manager"),
        "operator": _("Operator"),
        "viewer": _("Viewer"),
        "accept": _("Accept"),
        "decline": _("Decline"),
        "confirmDecline": _("Decline the invitation of “%(name)s”?", name="{name}"),
        "confirmDeclineYes": _("Yes, decline"),
        "cancel": _("Cancel"),
        "accepted": _("You are on the team of “%(name)s” now.", name="{name}"),
        "declined": _("You declined the invitation of “%(name)s”.", name="{name}"),
        "openCabinet": _("Open the cabinet"),
        "noInvitations": _("No invitations are waiting for your answer."),
    },
    "widget": {  # the chat in the widget's iframe (widget/pages.py)
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
        "liveLimited": _("Too many chats are open in this browser. New messages show when "
                         "one of them closes."),
        "failed": _("Not sent"),
    },
}


def strings(*groups):
    """The common words and those of `groups`, in the request's language. Made once per
    language and page (translations do not change while the app runs)."""
    return _strings(str(get_locale()), groups)


@lru_cache(maxsize=64)
def _strings(_locale, groups):
    words = {key: str(value) for key, value in COMMON.items()}
    for group in groups:
        words.update({key: str(value) for key, value in GROUPS[group].items()})
    words["subscribers"] = plural_forms("%(num)s subscriber", "%(num)s subscribers")
    if "login" in groups:
        words["attemptsLeft"] = plural_forms("%(num)s attempt left.", "%(num)s attempts left.")
    if "channel" in groups:
        words["comments"] = plural_forms("%(num)s comment", "%(num)s comments")
    if "dialogs" in groups:
        words["unread"] = plural_forms("%(num)s unread message", "%(num)s unread messages")
    if "catalog" in groups:
        words["found"] = plural_forms("%(num)s business found", "%(num)s businesses found")
    return words
