"""Push subscriptions (the plan's `push_tokens`): the devices notifications go to.

A signed-in person registers each browser's Web Push subscription: one row per endpoint,
moved to whoever registers it last (a shared computer follows the person signed in on it),
with three preferences: `newMessage`, `channelUpdate`, `mentions`. What is sent to them:
push.py (which events), notices.py (who gets what), sender.py (sending).
"""

import hmac
import ipaddress
import logging
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from app import clock
from app.clock import isoformat
from app.config import b64url_decode
from app.errors import AppError, NotFound
from app.lib import rate_limits
from app.models import PushToken, User
from app.models.base import new_id

# API name -> the field inside `preferences` (the same names in the database).
PREFERENCES = ("newMessage", "channelUpdate", "mentions")
ENDPOINT_MAX = 2000
LOOPBACK = ("127.0.0.1", "localhost", "::1")

log = logging.getLogger("bank.push")


class PushUnavailable(AppError):
    status = 503


def enabled() -> bool:
    return bool(current_app.config.get("VAPID_PRIVATE_KEY"))


def public_key() -> str:
    """The VAPID public key browsers subscribe with; 503 when push is off (production
    without keys)."""
    if not enabled():
        raise PushUnavailable("push_unavailable",
                              _("Notifications are not available on this server."))
    return current_app.config["VAPID_PUBLIC_KEY"]


# --- what a subscription may look like -------------------------------------------------------

def endpoint_problem(url: str) -> str | None:
    """Why `url` cannot be a push endpoint, or None. We POST to whatever is registered, so in
    every mode: an https URL naming a host (never an address, which could be one inside our
    network, nor localhost), and in production one of the known push services
    (PUSH_SERVICE_HOSTS), so no host name that could be made to resolve inside later either.
    PUSH_ALLOWED_INTERNAL_HOSTS are exempt (a local stand-in for tests)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host or parts.username or parts.password:
        return "must be an absolute URL with a host"
    exempt = allowed_internal(host)
    if parts.scheme != "https" and not (exempt and parts.scheme == "http"):
        return "must be an https URL"
    if not exempt and (host in LOOPBACK or _is_ip(host)):
        return "must name a push service by its host name"
    if current_app.config["APP_ENV"] == "production" and not known_service(host):
        return "is not the address of a known push service"
    return None


def allowed_internal(host: str) -> bool:
    return host.lower() in current_app.config["PUSH_ALLOWED_INTERNAL_HOSTS"]


def known_service(host: str) -> bool:
    """True when `host` is one of PUSH_SERVICE_HOSTS or under one."""
    return any(host == known or host.endswith("." + known)
               for known in current_app.config["PUSH_SERVICE_HOSTS"])


def _is_ip(host):
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def key_problem(p256dh: str, auth: str) -> str | None:
    """Why the keys cannot encrypt a payload, or None: p256dh must be a P-256 point
    (65 bytes, uncompressed), auth 16 bytes."""
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(p256dh))
    except (ValueError, TypeError):
        return "p256dh is not a P-256 public key in base64url"
    try:
        if len(b64url_decode(auth)) != 16:
            return "auth must be 16 bytes in base64url"
    except ValueError:
        return "auth is not base64url"
    return None


# --- registration ----------------------------------------------------------------------------

def _preference_fields(values):
    return {f"preferences.{name}": bool(values[name]) for name in PREFERENCES
            if values.get(name) is not None}


def register(user: User, endpoint: str, keys: dict[str, str], device_id: str | None = None,
             preferences: dict | None = None, language: str | None = None,
             app: str = "site") -> tuple[PushToken, bool]:
    """Register (or refresh) this browser's subscription for `user`; (token, new for them).
    Preferences not given keep their values for the same person, and start on for a new
    row or one taken over from someone else (their choices are not this person's).
    `language` is the one its notifications are written in; `app` the one that subscribed
    ("site", or "cabinet" for the team's app)."""
    public_key()  # 503 when push is off: a subscription would never be used
    preferences = preferences or {}
    now = clock.now()
    sets = {"userId": user.id, "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]},
            "platform": "web", "language": language, "app": app, "updatedAt": now}
    if device_id is not None:
        sets["deviceId"] = device_id
    collection = PushToken._get_collection()
    mine = collection.find_one_and_update(
        {"token": endpoint, "userId": user.id},
        {"$set": {**sets, **_preference_fields(preferences)}})
    if mine is not None:
        return PushToken.objects.get(token=endpoint), False
    fresh = {name: True if preferences.get(name) is None else bool(preferences[name])
             for name in PREFERENCES}
    for _attempt in range(2):  # a concurrent first registration of the same endpoint
        try:
            before = collection.find_one_and_update(
                {"token": endpoint},
                {"$set": {**sets, "deviceId": device_id, "preferences": fresh},
                 "$setOnInsert": {"_id": new_id("psh"), "createdAt": now}},
                upsert=True, return_document=ReturnDocument.BEFORE)
            break
        except DuplicateKeyError:
            continue
    else:
        raise AppError("conflict", _("Try again."), status=409)
    return PushToken.objects.get(token=endpoint), before is None or before["userId"] != user.id


def renew(old_endpoint: str, old_auth: str, endpoint: str, keys: dict[str, str],
          ip: str | None) -> None:
    """The browser's push service replaced the subscription at `old_endpoint`
    (`pushsubscriptionchange` in the service worker, which has no sign-in): the device keeps
    its person, choices and language at the new endpoint. The proof is the old
    subscription's auth secret: the push service knows the endpoint, but only that browser
    and we hold the secret. If the new endpoint is registered already (a page registered it
    first), that row stays and the old one goes."""
    public_key()  # 503 when push is off
    rate_limits.hit(current_app.config["PUSH_RENEWALS_PER_IP"], "push-renew", ip,
                    _("Too many requests. Try again later."))
    token = PushToken.objects(token=old_endpoint).first()
    if token is None or token.keys is None or not hmac.compare_digest(
            token.keys.auth.rstrip("=").encode(), old_auth.rstrip("=").encode()):
        raise _not_mine()
    collection = PushToken._get_collection()
    sets = {"token": endpoint, "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]},
            "updatedAt": clock.now()}
    still_there = {"_id": token.id, "token": old_endpoint}  # not unregistered meanwhile
    try:
        moved = collection.update_one(still_there, {"$set": sets}).matched_count
    except DuplicateKeyError:
        moved = collection.delete_one(still_there).deleted_count
    if not moved:
        raise _not_mine()


def _not_mine():
    return NotFound("push_subscription_not_found",
                    _("This device is not registered for notifications."))


def _own(user, endpoint):
    """The caller's subscription at `endpoint`; 404 for any other (someone else's too)."""
    found = PushToken.objects(token=endpoint, user_id=user.id).first()
    if found is None:
        raise _not_mine()
    return found


def unregister(user: User, endpoint: str) -> None:
    if not PushToken.objects(token=endpoint, user_id=user.id).delete():
        raise _not_mine()


def set_preferences(user: User, endpoint: str, values: dict) -> PushToken:
    token = _own(user, endpoint)
    changes = _preference_fields(values)
    if changes:
        PushToken._get_collection().update_one(
            {"_id": token.id, "userId": user.id},
            {"$set": {**changes, "updatedAt": clock.now()}})
    return _own(user, endpoint)


def shape(token: PushToken) -> dict:
    preferences = token.preferences
    return {
        "id": token.id,
        "endpoint": token.token,
        "platform": token.platform,
        "app": token.app or "site",
        "deviceId": token.device_id,
        "preferences": {"newMessage": preferences.new_message,
                        "channelUpdate": preferences.channel_update,
                        "mentions": preferences.mentions},
        "createdAt": isoformat(token.created_at),
        "updatedAt": isoformat(token.updated_at),
        "lastUsedAt": isoformat(token.last_used_at),
    }
