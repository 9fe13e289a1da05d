"""How documents look in the API: camelCase fields, prefixed ids, ISO 8601 times with Z."""

from flask import current_app

from app.clock import isoformat
from app.lib.storage import media_url


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


def business_public(business, categories=None, distance=None, subscribed=None):
    """What anyone may see of a business. `categories` maps ids to Category documents."""
    location = business.location
    point = location.point if location else None
    if isinstance(point, dict):
        point = point.get("coordinates")
    data = {
        "id": business.id,
        "slug": business.slug,
        "name": business.name,
        "description": business.description,
        "logoUrl": media_url(business.logo) if business.logo else None,
        "url": f"{current_app.config['PUBLIC_BASE_URL']}/b/{business.slug}",
        "categoryIds": list(business.category_ids),
        "categories": [
            {"id": c.id, "name": c.name, "slug": c.slug, "icon": c.icon}
            for c in (categories.get(i) for i in business.category_ids) if c is not None
        ] if categories is not None else None,
        "location": {"address": location.address, "lat": point[1], "lng": point[0]}
        if point else ({"address": location.address, "lat": None, "lng": None}
                       if location and location.address else None),
        "isPublic": business.is_public,
        "subscriberCount": business.subscriber_count,
        "createdAt": isoformat(business.created_at),
        "updatedAt": isoformat(business.updated_at),
    }
    if data["categories"] is None:
        del data["categories"]
    if distance is not None:
        data["distanceMeters"] = round(distance, 1)
    if subscribed is not None:
        data["isSubscribed"] = subscribed
    return data


def business_for_team(business, member, permissions, categories=None):
    return {
        **business_public(business, categories),
        "ownerId": business.owner_id,
        "isActive": business.is_active,
        "blocked": business.blocked,
        "blockedReason": business.blocked_reason,
        "qrCode": business.qr_code,
        "myRole": member.role,
        "myPermissions": permissions,
    }
