"""The event log: "has this been handled already?" for at-least-once deliveries.

`claim(key, hours)` is atomic: of any number of processes claiming one key within the window,
exactly one gets True. Keys are namespaced by their users: `evt:<eventId>` (the mms3 events
consumer), `bot:<messageId>` (the bot). Redis (`SET NX EX`) when configured, otherwise the
`handled_events` collection, whose unique _id makes an insert the claim.

The consumer claims with a short lease while it handles an event and `keep`s the claim once
handled, so an event whose handler died with its process is not held back for the whole window;
`release` gives a claim up when handling failed and will be retried.
"""

from datetime import timedelta

from flask import current_app
from pymongo.errors import DuplicateKeyError

from app import clock
from app.models import HandledEvent

DONE, LEASED = "done", "leased"


def _redis():
    return current_app.extensions.get("redis")


def _redis_key(key):
    return f"{current_app.config['REDIS_KEY_PREFIX']}:event-log:{key}"


def _collection():
    return HandledEvent._get_collection()


def _seconds(hours):
    return max(1, int(hours * 3600))


def claim(key: str, hours: float, lease_seconds: float | None = None) -> bool:
    """True when the caller now holds `key`, False when someone claimed it before.

    Held for `hours`; with `lease_seconds`, only for that long unless `keep(key, hours)`
    follows (a lease never counts as handled, see `handled`)."""
    seconds = int(lease_seconds) if lease_seconds else _seconds(hours)
    state = LEASED if lease_seconds else DONE
    redis = _redis()
    if redis is not None:
        return bool(redis.set(_redis_key(key), state, nx=True, ex=max(1, seconds)))
    now = clock.now()
    row = {"expiresAt": now + timedelta(seconds=seconds), "done": state == DONE}
    try:
        _collection().insert_one({"_id": key, **row})
        return True
    except DuplicateKeyError:
        # MongoDB's TTL monitor deletes expired rows only about once a minute (the embedded
        # store never does): an expired row is free to take, atomically.
        taken = _collection().find_one_and_update(
            {"_id": key, "expiresAt": {"$lte": now}}, {"$set": row})
        return taken is not None


def keep(key: str, hours: float) -> None:
    """Mark `key` handled for `hours` from now (ends a lease)."""
    redis = _redis()
    if redis is not None:
        redis.set(_redis_key(key), DONE, ex=_seconds(hours))
        return
    _collection().update_one(
        {"_id": key},
        {"$set": {"expiresAt": clock.now() + timedelta(hours=hours), "done": True}},
        upsert=True)


def handled(key: str) -> bool:
    """True when `key` was claimed for good (not merely leased) and has not expired."""
    redis = _redis()
    if redis is not None:
        return redis.get(_redis_key(key)) == DONE.encode()
    found = _collection().find_one(
        {"_id": key, "done": True, "expiresAt": {"$gt": clock.now()}}, {"_id": 1})
    return found is not None


def release(key: str) -> None:
    """Give up a claim, so that a later delivery of the same key is handled again."""
    redis = _redis()
    if redis is not None:
        redis.delete(_redis_key(key))
        return
    _collection().delete_one({"_id": key})
