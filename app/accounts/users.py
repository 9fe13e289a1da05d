"""Registration on first sign-in, profiles, and what a profile counts."""

from flask_babel import lazy_gettext as _
from mongoengine import NotUniqueError

from app import clock, db
from app.accounts import sign_in_codes
from app.errors import AppError, Forbidden, NotFound
from app.events import UserRegistered
from app.lib import event_bus, text
from app.models import Business, BusinessMember, Subscription, User

NAME_MAX = 64


def sign_in(phone: str, code: str) -> User:
    """Check the code; register the phone on its first success. Returns the user."""
    sign_in_codes.check_code(phone, code)
    user = ensure_user(phone)
    if user.is_blocked:
        raise Forbidden("user_blocked", _("This account is blocked."),
                        details={"reason": user.blocked_reason} if user.blocked_reason else None)
    now = clock.now()
    User.objects(id=user.id).update_one(set__last_login_at=now)
    user.last_login_at = now
    return user


def get(user_id: object) -> User:
    user = db.reread_on_miss(lambda: User.objects(id=user_id).first()) \
        if isinstance(user_id, str) else None
    if user is None or not user.is_active:
        raise NotFound("user_not_found", _("No such user."))
    return user


def clean_name(raw: str) -> str:
    """Trimmed, 1–64 characters, nothing the displayed-text rule refuses (app/lib/text.py)."""
    name = raw.strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise AppError("invalid_name", _("The name must be 1 to 64 characters long."),
                       status=422, details={"field": "name"})
    return text.check(name, "name", "invalid_name")


def update_profile(actor_id: str, user_id: str, name: str | None = None) -> User:
    user = get(user_id)
    if actor_id != user.id:
        raise Forbidden("forbidden", _("You can only edit your own profile."))
    changes = {}
    if name is not None:
        changes["set__name"] = clean_name(name)
    if changes:
        changes["set__updated_at"] = clock.now()
        User.objects(id=user.id).update_one(**changes)
        user.reload()
    return user


def counts(user_id: str) -> dict[str, int]:
    """Businesses owned, businesses joined (as a non-owner member), and subscriptions.

    Plain collection counts (each on an index): /api/me asks on every profile load, and the
    queryset machinery would cost more than the counting."""
    owned = Business._get_collection().count_documents({"ownerId": user_id, "deletedAt": None})
    joined = BusinessMember._get_collection().count_documents(
        {"userId": user_id, "isActive": True, "role": {"$ne": "owner"}})
    subscriptions = Subscription._get_collection().count_documents({"userId": user_id})
    return {"businessesOwned": owned, "businessesJoined": joined, "subscriptions": subscriptions}


def ensure_user(phone: str, name: str | None = None) -> User:
    """The user with this phone (E.164), registered now if new."""
    user = User.objects(phone=phone).first()
    if user is None:
        try:
            user = User(phone=phone, name=name).save(force_insert=True)
        except NotUniqueError:  # the same phone registering twice at once
            return User.objects.get(phone=phone)
        event_bus.publish(UserRegistered(user=user))
    return user


def grant_platform_role(phone: str, role: str) -> User:
    user = ensure_user(phone)
    User.objects(id=user.id).update_one(add_to_set__platform_roles=role,
                                        set__updated_at=clock.now())
    user.reload()
    return user


def revoke_platform_role(actor: User, user: User, role: str) -> User:
    """Take a platform role away; a superadmin cannot take superadmin from themselves (the
    platform would risk having none)."""
    if user.id == actor.id and role == "superadmin":
        raise Forbidden("forbidden", _("You cannot take superadmin away from yourself."))
    User.objects(id=user.id).update_one(pull__platform_roles=role,
                                        set__updated_at=clock.now())
    user.reload()
    return user
