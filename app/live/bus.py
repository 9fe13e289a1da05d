"""Live events for open pages: a small publish/subscribe bus with a short replay buffer.

`publish("dialog:<id>", "message", {...})` reaches every open stream subscribed to that
topic. With REDIS_URL set it goes through Redis pub/sub (redis_backend.py), so an event raised in
one gunicorn worker, machine or Celery worker reaches streams served by another; without it
(the embedded mode, one process) it is delivered in this process only. Either way each
process hands events to its streams' in-memory inboxes (Fanout).

Ids are integers, microseconds since the epoch bumped to stay strictly increasing, given out
atomically with the publish (a Lua script in Redis, a lock in memory), so every stream sees
them in order. A stream reopened with its last id first gets what it missed from the replay
buffer (the last REPLAY_SIZE events of each topic, kept REPLAY_SECONDS); when that cannot be
shown complete it gets a `reset` event instead and the page reloads its state.
"""

import logging
import time
from collections.abc import Iterable, Iterator

from flask import Flask, current_app
from redis.exceptions import RedisError

from app.live.fanout import (
    READY,
    REPLAY_SECONDS,
    REPLAY_SIZE,
    RESET,
    Event,
    Inbox,
    LiveUnavailable,
    clock_id,
    encode,
    unavailable,
)
from app.live.memory import MemoryBackend
from app.live.redis_backend import RedisBackend

__all__ = ["LiveUnavailable", "REPLAY_SECONDS", "REPLAY_SIZE", "publish", "subscribe"]

log = logging.getLogger("bank.live")


def _replay(backend, topics, after, head):
    """(events of `topics` with after < id <= head, oldest first; whether that is surely
    everything)."""
    if after < max(clock_id() - REPLAY_SECONDS * 1_000_000, backend.started):
        return [], False
    events = []
    for topic in topics:
        buffered = backend.buffered(topic)
        if len(buffered) >= REPLAY_SIZE and buffered[0].id > after:
            return [], False  # the buffer is full and starts after the cursor: some fell out
        events.extend(event for event in buffered if after < event.id <= head)
    return sorted(events), True


class Subscription:
    """An open subscription: `events()` yields what was missed, then live events. Close it."""

    def __init__(self, backend: MemoryBackend | RedisBackend, topics: Iterable[str],
                 last_event_id: str | None):
        if backend.closing:
            raise unavailable()
        self._backend, self.topics = backend, list(dict.fromkeys(topics))
        self._inbox = Inbox(self.topics)
        # Listen first, then read the cursor: an event is then either at or below the cursor
        # (in the buffer, so replayed) or above it (delivered to the inbox), never lost between.
        backend.fanout.add(self._inbox)
        try:
            backend.listen()
            self.cursor = backend.head()
            after = _parse_id(last_event_id)
            self._missed, complete = _replay(backend, self.topics, after, self.cursor) \
                if after is not None else ([], True)
        except RedisError:
            self.close()
            raise unavailable() from None
        except BaseException:
            self.close()
            raise
        # A stream opened without a cursor starts now; one whose gap cannot be filled resets.
        self._first = Event(self.cursor, READY if complete else RESET, {"topics": self.topics})

    def events(self, timeout: float, until: float | None = None) -> Iterator[Event | None]:
        """Yield replayed events, then `ready` (or `reset`: reload everything), then live
        events; None after `timeout` seconds without any (time for a heartbeat). Ends at
        `until` (a time.monotonic() value), or when the bus closes the subscription."""
        if self._first.name == READY:
            yield from self._missed
        yield self._first
        while True:
            left = None if until is None else until - time.monotonic()
            if left is not None and left <= 0:
                return
            batch = self._inbox.take(timeout if left is None else min(timeout, left))
            if batch is None:
                return
            if not batch and (left is None or left > timeout):
                yield None  # a whole `timeout` of silence
            for event in batch:
                if event.id > self.cursor:  # lower ones were replayed, or predate the stream
                    yield event

    def close(self) -> None:
        self._inbox.close()
        self._backend.fanout.remove(self._inbox)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _parse_id(raw):
    """An event id from Last-Event-ID or a cursor; None when none was sent; -1 when it is not
    an id (so the stream resets)."""
    if raw is None or str(raw).strip() == "":
        return None
    try:
        return int(str(raw).strip())
    except ValueError:
        return -1


def _backend():
    return current_app.extensions["live"]


def publish(topic: str, event_name: str, data: object) -> int | None:
    """Send `data` (JSON-ready) as `event_name` to every stream of `topic`; its id, or None
    when Redis failed. Best effort: what was stored stays stored and pages show it on reload,
    so a Redis outage never fails the action that raised the event."""
    if event_name in (READY, RESET):
        raise ValueError(f"{event_name!r} is reserved for the stream itself")
    text = encode(data)
    try:
        return _backend().publish(topic, event_name, text)
    except RedisError as error:
        log.warning("live: could not publish %s to %s: %r", event_name, topic, error)
        return None


def cursor() -> str | None:
    """The id a page resumes its stream from (`Last-Event-ID`) to miss nothing that happens
    after it read what it shows: taken before the read, so an event in between is both read
    and replayed (pages drop what they show already). None when Redis cannot answer."""
    try:
        return str(_backend().head())
    except RedisError:
        return None


def subscribe(topics: Iterable[str], last_event_id: str | None = None) -> Subscription:
    """A Subscription to `topics`, replaying what came after `last_event_id` when given."""
    return Subscription(_backend(), topics, last_event_id)


def shutdown(app: Flask) -> None:
    """End every stream of this process and refuse new ones: the process is stopping. The
    clients reconnect, to another process or once this one is back."""
    backend = app.extensions["live"]
    backend.closing = True
    backend.fanout.close_all()


def init_live(app: Flask) -> None:
    client = app.extensions.get("redis")
    if client is None:
        app.extensions["live"] = MemoryBackend()
        return
    app.extensions["live"] = RedisBackend(client, app.config["REDIS_KEY_PREFIX"])
