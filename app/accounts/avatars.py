"""Avatars: uploaded ones (re-encoded by app/lib/images.py), and generated ones (initials or the
phone's last digits)."""

import hashlib
from xml.sax.saxutils import escape

from app import clock
from app.lib import images
from app.models import User

_PALETTE = ("#3b5bdb", "#0b7285", "#2b8a3e", "#e67700", "#c2255c", "#5f3dc4", "#1864ab", "#087f5b")


def upload(user: User, data: bytes) -> str:
    key = images.store(data, images.AVATAR, user.id)
    User.objects(id=user.id).update_one(set__avatar=key, set__updated_at=clock.now())
    user.avatar = key
    return key


def initials(user: User) -> str:
    """Up to two initials from the name; else the phone's last two digits."""
    words = [word for word in (user.name or "").split() if word[:1].isalnum()]
    if words:
        return "".join(word[0] for word in words[:2]).upper()
    return user.phone[-2:]


def generated_svg(user: User) -> str:
    text = initials(user)
    colour = _PALETTE[int(hashlib.sha256(user.id.encode()).hexdigest(), 16) % len(_PALETTE)]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128" '
        f'role="img" aria-label="{escape(text)}">'
        f'<rect width="128" height="128" rx="64" fill="{colour}"/>'
        '<text x="64" y="64" dy=".35em" text-anchor="middle" fill="#fff" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" '
        f'font-size="52" font-weight="600">{escape(text)}</text></svg>'
    )
