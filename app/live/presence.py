"""Who is connected: a person with a live-updates stream open right now sees new messages
as they arrive, so push notifications leave them out. A stream that listens to a dialog
(`dialog:<id>`: the dialog is open on that device) also counts its person as watching it:
the team is told of a dialog's news unless one of their devices shows that dialog.

The stream (app/api/stream.py) wraps its subscription with `track()`: the person is present
from the stream's start until its end, and each event or heartbeat the stream writes renews
that. With REDIS_URL every process sees every stream (a sorted set per person in Redis: one
member per open stream, scored with the time it lapses, so a stream of a process that died
lapses by itself); without it, the streams of this process only, which in the embedded mode
(one process, eager tasks) is all of them.
"""

import logging
import secrets
import threading
import time
from collections.abc import Iterable, Iterator

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError

from app.live.bus import Subscription
from app.live.fanout import Event

# A stream writes at least every 15 s (its heartbeat); one not renewed for this long is gone.
TTL_SECONDS = 40
RENEW_SECONDS = 10  # renew no more often than this, however many events flow
# A stream that ends is still counted for a moment: the client reopens it at once when it
# reaches its time limit, and a message in that gap should not buzz the phone.
LEAVE_GRACE_SECONDS = 5

log = logging.getLogger("bank.presence")


def _place(user_id, dialog_id=None):
    return user_id if dialog_id is None else f"{user_id}:dialog:{dialog_id}"


class MemoryPresence:
    def __init__(self):
        self._lock = threading.Lock()
        self._streams = {}  # place -> {stream token: lapses at (time.time())}

    def mark(self, user_id: str, token: str, seconds: float,
             dialog_ids: Iterable[str] = ()) -> None:
        lapses = time.time() + seconds
        with self._lock:
            for place in (_place(user_id), *(_place(user_id, d) for d in dialog_ids)):
                self._streams.setdefault(place, {})[token] = lapses

    def connected(self, user_ids: Iterable[str], dialog_id: str | None = None) -> set[str]:
        now = time.time()
        with self._lock:
            for place in list(self._streams):
                alive = {t: at for t, at in self._streams[place].items() if at > now}
                if alive:
                    self._streams[place] = alive
                else:
                    del self._streams[place]
            return {user_id for user_id in user_ids
                    if _place(user_id, dialog_id) in self._streams}


class RedisPresence:
    def __init__(self, client: Redis, prefix: str):
        self._client, self._prefix = client, prefix

    def _key(self, user_id, dialog_id=None):
        return f"{self._prefix}:presence:{_place(user_id, dialog_id)}"

    def mark(self, user_id: str, token: str, seconds: float,
             dialog_ids: Iterable[str] = ()) -> None:
        now = time.time()
        keys = [self._key(user_id), *(self._key(user_id, d) for d in dialog_ids)]
        with self._client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.zadd(key, {token: now + seconds})
                pipe.zremrangebyscore(key, "-inf", now)  # lapsed without a goodbye
                pipe.expire(key, TTL_SECONDS + LEAVE_GRACE_SECONDS)
            pipe.execute()

    def connected(self, user_ids: Iterable[str], dialog_id: str | None = None) -> set[str]:
        user_ids = list(dict.fromkeys(user_ids))
        if not user_ids:
            return set()
        now = time.time()
        with self._client.pipeline(transaction=False) as pipe:
            for user_id in user_ids:
                pipe.zcount(self._key(user_id, dialog_id), f"({now}", "+inf")
            counts = pipe.execute()
        return {user_id for user_id, count in zip(user_ids, counts, strict=True) if count}


def _backend(app):
    backend = app.extensions.get("presence")
    if backend is None:
        client = app.extensions.get("redis")
        backend = RedisPresence(client, app.config["REDIS_KEY_PREFIX"]) if client is not None \
            else MemoryPresence()
        app.extensions["presence"] = backend
    return backend


def connected(user_ids: Iterable[str], dialog_id: str | None = None) -> set[str]:
    """The ids among `user_ids` with a live stream open (with `dialog_id`: one that shows
    that dialog). When Redis cannot answer, nobody: a notification too many beats a message
    missed."""
    try:
        return _backend(current_app._get_current_object()).connected(user_ids, dialog_id)
    except RedisError as error:
        log.warning("presence: could not read: %r", error)
        return set()


class Tracked:
    """A live subscription that keeps its person present while it is open. It is iterated
    after the request has ended, so it holds the backend itself rather than the app."""

    def __init__(self, subscription: Subscription, backend: MemoryPresence | RedisPresence,
                 user_id: str):
        self._subscription, self._backend, self._user_id = subscription, backend, user_id
        self._dialogs = [topic.split(":", 1)[1] for topic in subscription.topics
                         if topic.startswith("dialog:")]
        self._token = secrets.token_hex(8)
        self._renewed = 0.0
        self._closed = False
        self._mark(TTL_SECONDS)

    def _mark(self, seconds):
        try:
            self._backend.mark(self._user_id, self._token, seconds, self._dialogs)
        except RedisError as error:  # presence is a hint: the stream goes on without it
            log.warning("presence: could not mark %s: %r", self._user_id, error)
        self._renewed = time.monotonic()

    def events(self, timeout: float, until: float | None = None) -> Iterator[Event | None]:
        for event in self._subscription.events(timeout, until=until):
            if time.monotonic() - self._renewed >= RENEW_SECONDS:
                self._mark(TTL_SECONDS)
            yield event

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._mark(LEAVE_GRACE_SECONDS)
        self._subscription.close()

    def __getattr__(self, name):  # topics, cursor, … of the subscription itself
        return getattr(self._subscription, name)


def track(subscription: Subscription, user_id: str | None) -> Subscription | Tracked:
    """`subscription`, counting `user_id` as connected while it is open (as is, for nobody)."""
    if not user_id:
        return subscription
    return Tracked(subscription, _backend(current_app._get_current_object()), user_id)
