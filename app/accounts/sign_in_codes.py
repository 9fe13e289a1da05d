"""One-time sign-in codes: issue, rate-limit and verify.

Six digits from a CSPRNG; only an HMAC of them (keyed by OTP_SECRET, bound to the phone) is
stored. Codes expire, a resend must wait, and a code burns after too many wrong tries.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _

from app import clock
from app.accounts import sms
from app.errors import AppError, RateLimited
from app.lib import rate_limits
from app.models import SmsCode


def _hash(phone, code):
    key = current_app.config["OTP_SECRET"].encode()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _latest(phone):
    return SmsCode.objects(phone=phone).order_by("-created_at").first()


def send_code(phone: str, ip: str | None) -> dict[str, int]:
    """Send a fresh code to `phone` (E.164) asked for from `ip`. The outcome never says if
    the phone is registered. The API and the back-office sign-in share these limits."""
    config = current_app.config
    rate_limits.hit(config["SMS_LIMIT_PER_IP"], "sms-ip", ip,
                    _("Too many requests. Try again later."))
    now = clock.now()
    latest = _latest(phone)
    if latest is not None:
        wait = config["SMS_RESEND_SECONDS"] - (now - latest.created_at).total_seconds()
        if wait > 0:
            seconds = int(-(-wait // 1))
            raise RateLimited(_("A code was sent a moment ago. Enter it, or ask for a new one "
                                "in %(seconds)s s.", seconds=seconds),
                              retry_after=seconds, code="resend_too_soon")
    too_many = _("Too many codes were sent to this number. Try again later.")
    rate_limits.hit(config["SMS_LIMIT_PER_PHONE_AND_IP"], "sms-phone-ip", f"{phone}:{ip}",
                    too_many)
    rate_limits.hit(config["SMS_LIMIT_PER_PHONE"], "sms-phone", phone, too_many)

    code = f"{secrets.randbelow(10**6):06d}"
    ttl = config["SMS_CODE_TTL_SECONDS"]
    # A new code replaces any earlier one: only the latest can be used.
    SmsCode.objects(phone=phone, used_at=None).delete()
    SmsCode(phone=phone, code_hash=_hash(phone, code), created_at=now,
            expires_at=now + timedelta(seconds=ttl)).save()
    text = gettext("Bank code: %(code)s. Do not share it with anyone.", code=code)
    sms.queue_sms(phone, text, purpose="sign_in")
    return {"expiresIn": ttl, "resendIn": config["SMS_RESEND_SECONDS"]}


def check_code(phone: str, code: str) -> None:
    """Consume the code if it is right; raise otherwise. Each wrong try counts. The code
    that signed in already answers `code_used`; any code when none is live, `code_expired`."""
    max_attempts = current_app.config["SMS_CODE_MAX_ATTEMPTS"]
    now = clock.now()
    current = _latest(phone)
    if current is not None and current.used_at is not None \
            and hmac.compare_digest(current.code_hash, _hash(phone, code)):
        raise _used()
    if current is None or current.used_at is not None or current.expires_at <= now:
        raise AppError("code_expired", _("The code has expired. Ask for a new one."))
    # Count the try before comparing, atomically, so parallel guesses cannot exceed the limit.
    counted = SmsCode.objects(id=current.id, attempts__lt=max_attempts, used_at=None).update_one(
        inc__attempts=1)
    if not counted:
        raise AppError("code_burned", _("Too many wrong tries. Ask for a new code."))
    if not hmac.compare_digest(current.code_hash, _hash(phone, code)):
        left = max_attempts - current.attempts - 1
        if left <= 0:
            raise AppError("code_burned", _("Too many wrong tries. Ask for a new code."))
        raise AppError("invalid_code", _("The code is wrong."), details={"attemptsLeft": left})
    used = SmsCode.objects(id=current.id, used_at=None).update_one(set__used_at=now)
    if not used:  # a parallel request signed in with it first
        raise _used()


def _used() -> AppError:
    return AppError("code_used", _("This code was already used. Ask for a new one."))
