"""Platform roles of the back office and what each may do.

superadmin: everything. moderator: moderation, blocking, hiding, and reading the rest.
support: reading only, with phones shown in full (others see them masked).
"""

import re

from app.models import PLATFORM_ROLES, User

READ, SEE_PHONES, MODERATE, EDIT, MANAGE_ROLES = (
    "read", "see_phones", "moderate", "edit", "manage_roles")

CAPABILITIES = {
    "superadmin": {READ, SEE_PHONES, MODERATE, EDIT, MANAGE_ROLES},
    "moderator": {READ, MODERATE},
    "support": {READ, SEE_PHONES},
}


def capabilities(user: User | None) -> set[str]:
    if user is None or user.is_blocked or not user.is_active:
        return set()
    found = set()
    for role in user.platform_roles or ():
        found |= CAPABILITIES.get(role, set())
    return found


def can(user: User | None, capability: str) -> bool:
    return capability in capabilities(user)


def is_staff(user: User | None) -> bool:
    return bool(capabilities(user))


def mask_phone(phone: str | None) -> str | None:
    """+79123456789 -> +7912*****89: enough to tell people apart, not to call them."""
    if not phone or len(phone) < 7:
        return phone
    return phone[:5] + "*" * (len(phone) - 7) + phone[-2:]


# Phones are kept in E.164: a plus and 8 to 15 digits.
PHONE_IN_TEXT = re.compile(r"\+\d{8,15}(?!\d)")


def mask_phones_in(text: str) -> str:
    """Every phone number in `text` masked: what the back office's pages and the admin API
    answer to a role that may not see phones."""
    return PHONE_IN_TEXT.sub(lambda found: mask_phone(found.group()), text)


__all__ = ["CAPABILITIES", "EDIT", "MANAGE_ROLES", "MODERATE", "PLATFORM_ROLES", "READ",
           "SEE_PHONES", "can", "capabilities", "is_staff", "mask_phone", "mask_phones_in"]
