"""The embedded mode's live backend: ids, replay buffers and delivery all in this process."""

import collections
import json
import threading
import time

from app.live.fanout import REPLAY_SECONDS, REPLAY_SIZE, Event, Fanout, clock_id


class MemoryBackend:
    """Embedded mode: ids, buffers and delivery all in this process."""

    def __init__(self):
        self.fanout, self.closing = Fanout(), False
        # What came before this process started is gone: a cursor older than this resets.
        self.started = clock_id()
        self._lock = threading.Lock()
        self._last = 0
        self._buffers = {}  # topic -> deque of Events, oldest first
        self._swept_at = time.monotonic()

    def publish(self, topic: str, name: str, text: str) -> int:
        with self._lock:
            self._last = max(self._last + 1, clock_id())
            event = Event(self._last, name, json.loads(text), topic)
            self._buffers.setdefault(topic, collections.deque(maxlen=REPLAY_SIZE)).append(event)
            self._sweep()
            # Delivered under the lock, so every inbox gets events in id order.
            self.fanout.deliver(event)
        return event.id

    def _sweep(self):
        # Forget topics quiet for longer than the replay window, once a minute.
        if time.monotonic() - self._swept_at < 60:
            return
        self._swept_at = time.monotonic()
        oldest = clock_id() - REPLAY_SECONDS * 1_000_000
        for topic in [t for t, buffer in self._buffers.items() if buffer[-1].id < oldest]:
            del self._buffers[topic]

    def listen(self) -> None:
        """Nothing to wait for: delivery is in-process."""

    def head(self) -> int:
        # The cursor of a new stream; bumping `_last` keeps every later id above it even if
        # the wall clock steps back.
        with self._lock:
            self._last = max(self._last, clock_id())
            return self._last

    def buffered(self, topic: str) -> list[Event]:
        with self._lock:
            return list(self._buffers.get(topic, ()))
