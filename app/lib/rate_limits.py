"""Rate limits keyed by something other than the route (a phone, a session), on the same
storage as Flask-Limiter: in-process memory when embedded, Redis when configured."""

import time

from flask import current_app
from flask_babel import LazyString
from limits import parse

from app.errors import RateLimited
from app.extensions import limiter


def first(limit: str, scope: str, identifier: str) -> bool:
    """Count one hit of `limit` for `identifier`; False once it is spent (nothing raised:
    for counting something once per window, such as a visitor's QR scan)."""
    return limiter.limiter.hit(parse(limit), current_app.config["REDIS_KEY_PREFIX"], scope,
                               identifier)


def hit(limit: str, scope: str, identifier: str | None, message: str | LazyString) -> None:
    """Count one hit of `limit` (e.g. "5/hour") for `identifier`; refuse once it is spent."""
    item = parse(limit)
    strategy = limiter.limiter
    key = (current_app.config["REDIS_KEY_PREFIX"], scope, identifier)
    if not strategy.hit(item, *key):
        reset_at, _remaining = strategy.get_window_stats(item, *key)
        raise RateLimited(message, retry_after=reset_at - time.time())
