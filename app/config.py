"""Settings read from the environment (and `.env`) with typed helpers.

Everything is read inside `load_config()`, called by the app factory, never at import.
Each external service has an embedded default so that one command runs the whole product.
"""

import base64
import ipaddress
import json
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

ENVIRONMENTS = ("development", "testing", "production")
# Names of the secrets that must never keep a generated or default value in production.
SECRET_NAMES = ("SECRET_KEY", "JWT_SECRET_KEY", "OTP_SECRET")
# Web Push (VAPID, RFC 8292): a P-256 key pair, base64url without padding; the public key is
# what browsers get as applicationServerKey, the private one signs every push.
VAPID_KEYS = ("VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY")
# The push services of Chrome and Android, Firefox, Edge and Safari.
PUSH_SERVICE_HOSTS = ("fcm.googleapis.com", "push.services.mozilla.com", "notify.windows.com",
                      "push.apple.com")


class ConfigError(RuntimeError):
    """The configuration cannot be used (bad value, or a default secret in production)."""


def env_str(environ, name, default=None):
    value = environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def _env_number(environ, name, default, minimum, kind, noun):
    raw = env_str(environ, name)
    if raw is None:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be {noun}, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def env_int(environ, name, default, minimum=None):
    return _env_number(environ, name, default, minimum, int, "an integer")


def env_float(environ, name, default, minimum=None):
    return _env_number(environ, name, default, minimum, float, "a number")


def env_bool(environ, name, default):
    raw = env_str(environ, name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be a boolean (true/false), got {raw!r}")


def env_list(environ, name, default=()):
    raw = env_str(environ, name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def _instance_secrets(instance_path):
    """Development secrets, generated once into instance/ so tokens survive restarts."""
    path = Path(instance_path) / "secrets.json"
    if path.exists():
        stored = json.loads(path.read_text())
    else:
        stored = {}
    missing = [name for name in SECRET_NAMES if name not in stored]
    for name in missing:
        stored[name] = secrets.token_urlsafe(48)
    if not all(stored.get(name) for name in VAPID_KEYS):  # a pair: both are made together
        stored.update(zip(VAPID_KEYS, vapid_key_pair(), strict=True))
        missing.extend(VAPID_KEYS)
    if missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
    return stored


def load_config(environ, instance_path):
    """Build the Flask config mapping from an environment mapping."""
    env = env_str(environ, "APP_ENV", "development")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")
    production = env == "production"

    config = {
        "APP_ENV": env,
        "PUBLIC_BASE_URL": env_str(environ, "PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "MAX_CONTENT_LENGTH": env_int(environ, "MAX_CONTENT_LENGTH", 6 * 1024 * 1024, minimum=1024),
        "TRUSTED_PROXIES": env_int(environ, "TRUSTED_PROXIES", 0, minimum=0),
        "CORS_ORIGINS": env_list(environ, "CORS_ORIGINS"),
        "LOG_LEVEL": env_str(environ, "LOG_LEVEL", "INFO").upper(),
        # A `flask` command's logs: WARNING unless set (app/logs.py level_for).
        "CLI_LOG_LEVEL": (env_str(environ, "CLI_LOG_LEVEL") or "").upper() or None,
        "BABEL_DEFAULT_LOCALE": env_str(environ, "DEFAULT_LOCALE", "ru"),
        "LANGUAGES": ["ru", "en"],
        # Database: a real MongoDB when MONGODB_URI is set, otherwise the embedded store.
        "MONGODB_URI": env_str(environ, "MONGODB_URI"),
        # The database name: this, else the one named in MONGODB_URI, else "bank".
        "MONGODB_DB": env_str(environ, "MONGODB_DB"),
        "EMBEDDED_STORE_PATH": env_str(
            environ, "EMBEDDED_STORE_PATH", str(Path(instance_path) / "store.sqlite3")
        ),
        # Background work: RabbitMQ when CELERY_BROKER_URL is set, otherwise eager (inline).
        "CELERY_BROKER_URL": env_str(environ, "CELERY_BROKER_URL"),
        "CELERY_TASK_QUEUE": env_str(environ, "CELERY_TASK_QUEUE", "bank"),
        # Redis for rate limits and the token blocklist when set, otherwise in-process memory.
        "REDIS_URL": env_str(environ, "REDIS_URL"),
        # Prefix of every key we keep in Redis (limits, revoked tokens): several apps can share one.
        "REDIS_KEY_PREFIX": env_str(environ, "REDIS_KEY_PREFIX", "bank"),
        # Longest life of one live-updates stream; the client then reopens it (app/live/).
        "LIVE_STREAM_SECONDS": env_int(environ, "LIVE_STREAM_SECONDS", 55, minimum=1),
        # Open streams: at most so many per person or widget guest, per client IP, and per
        # server process (gunicorn keeps room for ordinary requests beside them).
        "LIVE_STREAMS_PER_IDENTITY": env_int(environ, "LIVE_STREAMS_PER_IDENTITY", 10,
                                             minimum=0),
        "LIVE_STREAMS_PER_IP": env_int(environ, "LIVE_STREAMS_PER_IP", 100, minimum=0),
        "LIVE_STREAMS_MAX": env_int(environ, "LIVE_STREAMS_MAX", 10000, minimum=0),
        # mms3 (MMS3_CONTRACT.md): the conversations store when MMS3_API_URL is set.
        "MMS3_API_URL": env_str(environ, "MMS3_API_URL"),
        "MMS3_API_KEY": env_str(environ, "MMS3_API_KEY"),
        "MMS3_TENANT_ID": env_str(environ, "MMS3_TENANT_ID", "tnt_default"),
        "MMS3_TIMEOUT_SECONDS": env_float(environ, "MMS3_TIMEOUT_SECONDS", 10.0, minimum=0.1),
        "MMS3_RETRIES": env_int(environ, "MMS3_RETRIES", 3, minimum=0),
        # The mms3 events consumer (`flask events consume`): the broker mms3 publishes to.
        "RABBITMQ_URL": env_str(environ, "RABBITMQ_URL"),
        "MMS3_EVENTS_EXCHANGE": env_str(environ, "MMS3_EVENTS_EXCHANGE", "chat3_events"),
        "EVENTS_QUEUE": env_str(environ, "EVENTS_QUEUE", "bank.mms3_events"),
        "EVENTS_PREFETCH": env_int(environ, "EVENTS_PREFETCH", 20, minimum=1),
        "EVENTS_MAX_ATTEMPTS": env_int(environ, "EVENTS_MAX_ATTEMPTS", 5, minimum=1),
        "EVENTS_RETRY_SECONDS": env_float(environ, "EVENTS_RETRY_SECONDS", 2.0, minimum=0),
        "EVENTS_DEDUP_HOURS": env_int(environ, "EVENTS_DEDUP_HOURS", 24, minimum=1),
        # `GET /metrics` (Prometheus): client addresses (IPs or CIDRs) let in, and a bearer
        # token that lets anyone holding it in (unset: no token access).
        "METRICS_ALLOW_IPS": env_list(environ, "METRICS_ALLOW_IPS", ("127.0.0.1", "::1")),
        "METRICS_TOKEN": env_str(environ, "METRICS_TOKEN"),
        # Tokens.
        "JWT_ACCESS_TOKEN_MINUTES": env_int(environ, "JWT_ACCESS_TOKEN_MINUTES", 15, minimum=1),
        "JWT_REFRESH_TOKEN_DAYS": env_int(environ, "JWT_REFRESH_TOKEN_DAYS", 30, minimum=1),
        # Sign-in codes and their limits.
        "SMS_CODE_TTL_SECONDS": env_int(environ, "SMS_CODE_TTL_SECONDS", 300, minimum=30),
        "SMS_RESEND_SECONDS": env_int(environ, "SMS_RESEND_SECONDS", 60, minimum=0),
        "SMS_CODE_MAX_ATTEMPTS": env_int(environ, "SMS_CODE_MAX_ATTEMPTS", 5, minimum=1),
        # Codes per phone from one client IP, and per phone from everywhere: someone who knows
        # a number alone cannot use up its codes and lock its owner out.
        "SMS_LIMIT_PER_PHONE_AND_IP": env_str(environ, "SMS_LIMIT_PER_PHONE_AND_IP", "5/hour"),
        "SMS_LIMIT_PER_PHONE": env_str(environ, "SMS_LIMIT_PER_PHONE", "20/hour"),
        "SMS_LIMIT_PER_IP": env_str(environ, "SMS_LIMIT_PER_IP", "20/hour"),
        "SMS_DEFAULT_REGION": env_str(environ, "SMS_DEFAULT_REGION", "RU"),
        # Reports a user may file per hour.
        "REPORTS_PER_HOUR": env_int(environ, "REPORTS_PER_HOUR", 10, minimum=1),
        # Cabinet sessions one person may open from the site's sign-in (each is stored until
        # it idles out).
        "CABINET_SESSIONS_PER_USER": env_str(environ, "CABINET_SESSIONS_PER_USER", "30/hour"),
        # Businesses one person may create (each holds a slug and a QR code for good).
        "BUSINESSES_PER_USER": env_str(environ, "BUSINESSES_PER_USER", "10/day"),
        # Team invitations: how long one stays open, how many one person may send (each may
        # cost an SMS), and how many invitation SMS one phone gets, whoever invites it.
        "INVITATION_DAYS": env_int(environ, "INVITATION_DAYS", 7, minimum=1),
        "INVITATIONS_PER_USER": env_str(environ, "INVITATIONS_PER_USER", "30/hour"),
        "INVITATION_SMS_PER_PHONE": env_str(environ, "INVITATION_SMS_PER_PHONE", "3/day"),
        # The chat widget's guests (anonymous visitors of a business's website).
        "WIDGET_GUESTS_PER_IP": env_str(environ, "WIDGET_GUESTS_PER_IP", "5/hour"),
        "WIDGET_DIALOGS_PER_IP": env_str(environ, "WIDGET_DIALOGS_PER_IP", "6 per 12 hours"),
        # Messages one signed-in person (customer or team) writes in dialogs, and comments.
        "MESSAGES_PER_MINUTE": env_str(environ, "MESSAGES_PER_MINUTE", "30/minute"),
        # A visitor's scans of one QR code count once in this many minutes.
        "QR_SCAN_WINDOW_MINUTES": env_int(environ, "QR_SCAN_WINDOW_MINUTES", 30, minimum=1),
        "WIDGET_MESSAGES_PER_SESSION": env_str(environ, "WIDGET_MESSAGES_PER_SESSION",
                                               "20/minute"),
        "WIDGET_SESSION_HOURS": env_int(environ, "WIDGET_SESSION_HOURS", 24, minimum=1),
        # SMS delivery.
        "SMS_PROVIDER": env_str(environ, "SMS_PROVIDER", "console"),
        "SMS_HTTP_URL": env_str(environ, "SMS_HTTP_URL"),
        "SMS_HTTP_TOKEN": env_str(environ, "SMS_HTTP_TOKEN"),
        "SMS_HTTP_SENDER": env_str(environ, "SMS_HTTP_SENDER", "Bank"),
        "SMS_HTTP_TIMEOUT_SECONDS": env_float(environ, "SMS_HTTP_TIMEOUT_SECONDS", 10.0,
                                              minimum=0.1),
        "SMS_HTTP_RETRIES": env_int(environ, "SMS_HTTP_RETRIES", 3, minimum=0),
        # Sessions of the back office and the cabinet.
        "SESSION_IDLE_MINUTES": env_int(environ, "SESSION_IDLE_MINUTES", 30, minimum=1),
        "SESSION_COOKIE_NAME": "bank_session",
        "SESSION_COOKIE_SECURE": env_bool(environ, "SESSION_COOKIE_SECURE", production),
        # Files.
        "UPLOADS_PATH": env_str(environ, "UPLOADS_PATH", str(Path(instance_path) / "uploads")),
        "AVATAR_MAX_BYTES": env_int(environ, "AVATAR_MAX_BYTES", 5 * 1024 * 1024, minimum=1024),
        "AVATAR_MAX_SIDE": env_int(environ, "AVATAR_MAX_SIDE", 512, minimum=32),
        # Uploaded images: declared pixels taken (in millions) for avatars and logos, and for
        # channel posts' images; images decoded at once per process; uploads per person.
        "IMAGE_MAX_MEGAPIXELS": env_int(environ, "IMAGE_MAX_MEGAPIXELS", 16, minimum=1),
        "POST_IMAGE_MAX_MEGAPIXELS": env_int(environ, "POST_IMAGE_MAX_MEGAPIXELS", 24,
                                             minimum=1),
        "IMAGE_DECODES_AT_ONCE": env_int(environ, "IMAGE_DECODES_AT_ONCE", 2, minimum=1),
        "IMAGE_UPLOADS_PER_USER": env_str(environ, "IMAGE_UPLOADS_PER_USER", "30/hour"),
        # The TTF font of the printable QR card (PDF): it must cover Cyrillic.
        "PDF_FONT_PATH": env_str(environ, "PDF_FONT_PATH",
                                 "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    }
    if config["BABEL_DEFAULT_LOCALE"] not in config["LANGUAGES"]:
        raise ConfigError("DEFAULT_LOCALE must be one of " + ", ".join(config["LANGUAGES"]))
    if config["SMS_PROVIDER"] not in ("console", "http"):
        raise ConfigError("SMS_PROVIDER must be 'console' or 'http'")
    if config["SMS_PROVIDER"] == "http" and not config["SMS_HTTP_URL"]:
        raise ConfigError("SMS_PROVIDER=http needs SMS_HTTP_URL")
    try:
        config["METRICS_ALLOW_NETWORKS"] = [ipaddress.ip_network(item, strict=False)
                                            for item in config["METRICS_ALLOW_IPS"]]
    except ValueError as exc:
        raise ConfigError(f"METRICS_ALLOW_IPS must list IPs or CIDRs: {exc}") from None
    if production and config["MMS3_API_URL"] and not config["MMS3_API_KEY"]:
        raise ConfigError("MMS3_API_URL is set but MMS3_API_KEY is not (mms3 requires it)")

    config.update(_secrets(environ, instance_path, production))
    config.update(_vapid(environ, instance_path, production, config["PUBLIC_BASE_URL"]))
    return config


def _secrets(environ, instance_path, production):
    given = {name: env_str(environ, name) for name in SECRET_NAMES}
    if production:
        weak = [name for name, value in given.items() if not value or len(value) < 32]
        if weak:
            raise ConfigError(
                "refusing to start in production with missing or default secrets: "
                + ", ".join(weak)
                + " (set each to a random value of at least 32 characters)"
            )
        return given
    generated = _instance_secrets(instance_path)
    return {name: given[name] or generated[name] for name in SECRET_NAMES}


def _b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_decode(text):
    """Base64url without padding (as Web Push writes keys) to bytes."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def vapid_key_pair():
    """(public, private): a new P-256 pair as browsers and pywebpush take them."""
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    return _public_of(key), _b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def _public_of(key):
    from cryptography.hazmat.primitives import serialization

    return _b64url(key.public_key().public_bytes(serialization.Encoding.X962,
                                                 serialization.PublicFormat.UncompressedPoint))


def _check_vapid_pair(public, private):
    """Refuse a malformed pair, or one whose halves do not belong together (browsers would
    subscribe with a key that no push could ever be signed for)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        raw = b64url_decode(private)
        if len(raw) != 32:
            raise ValueError("not 32 bytes")
        key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError as error:
        raise ConfigError(f"VAPID_PRIVATE_KEY is not a P-256 key in base64url: {error}") from None
    if _public_of(key) != public.rstrip("="):
        raise ConfigError("VAPID_PUBLIC_KEY does not match VAPID_PRIVATE_KEY")


def _vapid(environ, instance_path, production, public_base_url):
    """The VAPID keys and subject. Unset in development and testing: generated once into
    instance/secrets.json. Unset in production: push is off (nothing is insecure about that,
    unlike a default secret, and one machine's generated key would not match another's);
    half set, malformed or mismatched: refused."""
    given = {name: env_str(environ, name) for name in VAPID_KEYS}
    if any(given.values()) and not all(given.values()):
        raise ConfigError("set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or neither")
    if not all(given.values()):
        given = {name: None for name in VAPID_KEYS} if production else \
            {name: _instance_secrets(instance_path)[name] for name in VAPID_KEYS}
    if given["VAPID_PRIVATE_KEY"]:
        _check_vapid_pair(given["VAPID_PUBLIC_KEY"], given["VAPID_PRIVATE_KEY"])
        given["VAPID_PUBLIC_KEY"] = given["VAPID_PUBLIC_KEY"].rstrip("=")
    # Push services want a contact: the site (scheme and host only, as pywebpush checks it)
    # when it is on https, else a mailbox at its host.
    host = urlsplit(public_base_url).hostname or "localhost"
    default_subject = f"https://{host}" if public_base_url.startswith("https://") \
        else f"mailto:push@{host}"
    subject = env_str(environ, "VAPID_SUBJECT", default_subject)
    if not subject.startswith(("mailto:", "https://")):
        raise ConfigError(f"VAPID_SUBJECT must be a mailto: or https: URL, got {subject!r}")
    return {**given, "VAPID_SUBJECT": subject,
            # How long a push service keeps a notification for a device that is offline.
            "PUSH_TTL_SECONDS": env_int(environ, "PUSH_TTL_SECONDS", 86400, minimum=0),
            "PUSH_TIMEOUT_SECONDS": env_float(environ, "PUSH_TIMEOUT_SECONDS", 10.0, minimum=0.1),
            # Subscribers per channel-post task, so a big channel never makes one huge task.
            "PUSH_BATCH_SIZE": env_int(environ, "PUSH_BATCH_SIZE", 500, minimum=1),
            # In production, the hosts (and their subdomains) a subscription may point at:
            # we POST to whatever is registered, so only the browsers' push services.
            "PUSH_SERVICE_HOSTS": [host.lower().strip(".") for host in env_list(
                environ, "PUSH_SERVICE_HOSTS", PUSH_SERVICE_HOSTS)],
            # Hosts exempt from the guard against posting inside our network (a test's local
            # push-service stand-in, say); plain http is taken for them too. None by default.
            "PUSH_ALLOWED_INTERNAL_HOSTS": [host.lower() for host in env_list(
                environ, "PUSH_ALLOWED_INTERNAL_HOSTS", ())],
            # Renewals of replaced subscriptions (no sign-in) per client IP.
            "PUSH_RENEWALS_PER_IP": env_str(environ, "PUSH_RENEWALS_PER_IP", "20/hour")}


def load_dotenv_file(root):
    """Load `.env` from the project root without overriding the real environment."""
    from dotenv import load_dotenv

    load_dotenv(Path(root) / ".env", override=False)
    return os.environ
