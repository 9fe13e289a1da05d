"""What both live backends share: an event, one stream's inbox, and the fanout that hands an
event to the inboxes of this process subscribed to its topic. Ids are integers, microseconds
since the epoch bumped to stay strictly increasing (`clock_id`)."""

import collections
import json
import threading
import time
from collections.abc import Iterable
from typing import NamedTuple

from flask_babel import lazy_gettext as _

from app.errors import AppError

REPLAY_SIZE = 50
REPLAY_SECONDS = 300
INBOX_LIMIT = 1000  # events queued for one stream that does not keep up; then it is ended
READY, RESET = "ready", "reset"  # the stream's own first event; never published


class Event(NamedTuple):
    id: int
    name: str
    data: object
    topic: str | None = None


class LiveUnavailable(AppError):
    status = 503


def unavailable() -> LiveUnavailable:
    return LiveUnavailable("live_unavailable",
                           _("Something went wrong on our side. Try again in a minute."),
                           headers={"Retry-After": "5"})


def clock_id() -> int:
    return int(time.time() * 1_000_000)


def encode(data: object) -> str:
    # Compact JSON: one SSE `data:` line, and the same bytes in memory and in Redis.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class Inbox:
    """One stream's queue of events, filled by the publisher or the Redis listener."""

    def __init__(self, topics: Iterable[str]):
        self.topics = tuple(topics)
        self._events = collections.deque()
        self._changed = threading.Condition()
        self.closed = False

    def put(self, event: Event) -> None:
        with self._changed:
            if self.closed:
                return
            if len(self._events) >= INBOX_LIMIT:
                self.closed = True  # a stuck client: end it; it catches up by replay on reconnect
            else:
                self._events.append(event)
            self._changed.notify()

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify()

    def take(self, timeout: float | None) -> list[Event] | None:
        """The queued events; [] after `timeout` seconds without any; None once closed and
        drained."""
        with self._changed:
            if not self._events and not self.closed:
                self._changed.wait(timeout)
            if self._events:
                events = list(self._events)
                self._events.clear()
                return events
            return None if self.closed else []


class Fanout:
    """The inboxes of this process by topic."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_topic = collections.defaultdict(set)

    def add(self, inbox: Inbox) -> None:
        with self._lock:
            for topic in inbox.topics:
                self._by_topic[topic].add(inbox)

    def remove(self, inbox: Inbox) -> None:
        with self._lock:
            for topic in inbox.topics:
                inboxes = self._by_topic.get(topic)
                if inboxes is not None:
                    inboxes.discard(inbox)
                    if not inboxes:
                        del self._by_topic[topic]

    def empty(self) -> bool:
        with self._lock:
            return not self._by_topic

    def deliver(self, event: Event) -> None:
        with self._lock:
            inboxes = list(self._by_topic.get(event.topic, ()))
        for inbox in inboxes:
            inbox.put(event)

    def close_all(self) -> None:
        with self._lock:
            inboxes = set().union(*self._by_topic.values())
        for inbox in inboxes:
            inbox.close()
