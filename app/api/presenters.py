"""How documents look in the API: camelCase fields, prefixed ids, ISO 8601 times with Z."""

from flask import current_app

from app.clock import isoformat


def media_url(key):
    return f"{current_app.config['PUBLIC_BASE_URL']}/media/{key}"


def avatar_url(user):
    if user.avatar:
        return media_url(user.avatar)
    return f"{current_app.config['PUBLIC_BASE_URL']}/api/users/{user.id}/avatar.svg"


def user_public(user):
    return {
        "id": user.id,
        "name": user.name,
        "avatarUrl": avatar_url(user),
        "createdAt": isoformat(user.created_at),
    }


def user_private(user, counts):
    return {
        **user_public(user),
        "phone": user.phone,
        "updatedAt": isoformat(user.updated_at),
        "lastLoginAt": isoformat(user.last_login_at),
        "platformRoles": list(user.platform_roles),
        "counts": counts,
    }
