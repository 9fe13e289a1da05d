"""Stream slots: every open live stream holds one, so that no visitor can hold more than their
share. A slot counts against three caps, all settings:

- its identity (a person, or a chat widget's guest): LIVE_STREAMS_PER_IDENTITY;
- its client IP: LIVE_STREAMS_PER_IP;
- this server process: LIVE_STREAMS_MAX (gunicorn keeps room for ordinary requests beside it).

A stream over the identity or IP cap is refused with 429 and Retry-After, over the process cap
with 503, before it subscribes to anything: a refusal costs a sign-in check and a counter.

The identity and IP counts are per deployment: in Redis when REDIS_URL is set (a sorted set per
key, one member per open stream scored with the time it lapses, renewed by the stream's
heartbeat, so the slots of a process that died lapse by themselves), else in this process,
which in the embedded mode (one process) is all of them.
"""

import secrets
import threading
import time
from collections import Counter

import redis
from flask import Flask, current_app
from flask_babel import lazy_gettext as _

from app.errors import AppError
from app.live.fanout import unavailable

# A stream writes at least every 15 s (its heartbeat); one not renewed for this long is gone.
TTL_SECONDS = 40
RENEW_SECONDS = 10
RETRY_AFTER_SECONDS = 15  # a refused client tries again after this (streams end and free slots)


class StreamsRefused(AppError):
    status = 429


class StreamsBusy(AppError):
    status = 503


class MemoryCounts:
    """Exact counts of the streams this process holds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: Counter[str] = Counter()

    def take(self, caps: dict[str, int], token: str) -> str | None:
        """Count a stream against every key of `caps` ({key: cap}), or none of them; the key
        that is full, or None when taken."""
        with self._lock:
            for key, cap in caps.items():
                if self._held[key] >= cap:
                    return key
            for key in caps:
                self._held[key] += 1
        return None

    def keep(self, keys: list[str], token: str) -> None:
        """Nothing lapses in memory."""

    def give_back(self, keys: list[str], token: str) -> None:
        with self._lock:
            for key in keys:
                self._held[key] -= 1
                if self._held[key] <= 0:
                    del self._held[key]


# KEYS: the slot sets. ARGV: now, lapses at, token, ttl, then the cap of each key. Checked and
# taken in one step, so two streams racing for the last slot never both get it.
_TAKE = """
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[1])
  if redis.call('ZCARD', key) >= tonumber(ARGV[4 + i]) then return i end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, ARGV[2], ARGV[3])
  redis.call('EXPIRE', key, tonumber(ARGV[4]))
end
return 0
"""


class RedisCounts:
    """The streams of every process of the deployment, in Redis."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client, self._prefix = client, prefix
        self._take = client.register_script(_TAKE)

    def _key(self, key: str) -> str:
        return f"{self._prefix}:streams:{key}"

    def take(self, caps: dict[str, int], token: str) -> str | None:
        keys = list(caps)
        now = time.time()
        full = self._take(keys=[self._key(key) for key in keys],
                          args=[now, now + TTL_SECONDS, token, TTL_SECONDS, *caps.values()])
        return keys[int(full) - 1] if int(full) else None

    def keep(self, keys: list[str], token: str) -> None:
        lapses = time.time() + TTL_SECONDS
        with self._client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.zadd(self._key(key), {token: lapses}, xx=True)
                pipe.expire(self._key(key), TTL_SECONDS)
            pipe.execute()

    def give_back(self, keys: list[str], token: str) -> None:
        with self._client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.zrem(self._key(key), token)
            pipe.execute()


class Slot:
    """One open stream's place; `keep()` on each write, `release()` once it ends (again: no
    effect). It outlives the request, so it holds its counters rather than the app."""

    def __init__(self, shared: MemoryCounts | RedisCounts, local: MemoryCounts,
                 keys: list[str], token: str) -> None:
        self._shared, self._local, self._keys, self._token = shared, local, keys, token
        self._kept = time.monotonic()
        self._released = False

    def keep(self) -> None:
        if time.monotonic() - self._kept >= RENEW_SECONDS:
            self._kept = time.monotonic()
            try:
                self._shared.keep(self._keys, self._token)
            except redis.RedisError:  # the slot lapses at worst; the stream goes on
                pass

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        self._local.give_back([PROCESS], self._token)
        try:
            self._shared.give_back(self._keys, self._token)
        except redis.RedisError:  # it lapses by itself
            pass


PROCESS = "process"


def init_slots(app: Flask) -> None:
    client = app.extensions.get("redis")
    app.extensions["stream_slots"] = (
        RedisCounts(client, app.config["REDIS_KEY_PREFIX"]) if client is not None
        else MemoryCounts(), MemoryCounts())


def identity_of(person: object) -> str:
    """The key a person's or a widget guest's streams count under."""
    kind = "guest" if getattr(person, "is_guest", False) else "user"
    return f"{kind}:{person.id}"


def hold(identity: str, ip: str | None) -> Slot:
    """A slot for one more stream of `identity` from `ip`; 503 when this process holds all it
    may (or Redis cannot count), 429 when the identity or the IP holds its share."""
    config = current_app.config
    shared, local = current_app.extensions["stream_slots"]
    token = secrets.token_hex(8)
    if local.take({PROCESS: config["LIVE_STREAMS_MAX"]}, token) is not None:
        raise StreamsBusy("live_busy", _("Live updates are busy. They resume in a moment."),
                          headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    caps = {identity: config["LIVE_STREAMS_PER_IDENTITY"],
            f"ip:{ip or 'unknown'}": config["LIVE_STREAMS_PER_IP"]}
    try:
        full = shared.take(caps, token)
    except redis.RedisError:
        local.give_back([PROCESS], token)
        raise unavailable() from None
    if full is not None:
        local.give_back([PROCESS], token)
        raise StreamsRefused(
            "too_many_streams",
            _("Too many live connections are open (other tabs or devices?). Updates resume "
              "when one of them closes."),
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            details={"limit": "identity" if full == identity else "ip"})
    return Slot(shared, local, list(caps), token)
