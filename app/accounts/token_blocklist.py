"""Revoked tokens, kept until they would have expired anyway: Redis when configured,
otherwise a collection with a TTL index."""

from collections.abc import Iterable
from datetime import timedelta

from flask import current_app

from app import clock
from app.models import RevokedToken


def _redis():
    return current_app.extensions.get("redis")


def _key(key):
    return f"{current_app.config['REDIS_KEY_PREFIX']}:revoked:{key}"


def revoke(key: str, ttl_seconds: float) -> None:
    ttl_seconds = max(1, int(ttl_seconds))
    redis = _redis()
    if redis is not None:
        redis.set(_key(key), "1", ex=ttl_seconds)
        return
    RevokedToken.objects(id=key).update_one(
        upsert=True, set__expires_at=clock.now() + timedelta(seconds=ttl_seconds))


def any_revoked(keys: Iterable[str]) -> bool:
    redis = _redis()
    if redis is not None:
        return redis.exists(*[_key(key) for key in keys]) > 0
    # A plain find_one: this runs on every authenticated request.
    found = RevokedToken._get_collection().find_one(
        {"_id": {"$in": list(keys)}, "expiresAt": {"$gt": clock.now()}}, {"_id": 1})
    return found is not None
