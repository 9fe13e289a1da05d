"""Live updates as Server-Sent Events: the response a stream endpoint returns (the API's
`GET /api/stream` and the cabinet's inbox stream, each behind its own sign-in).

SSE rather than long polling: one request carries many events. An open stream costs memory,
not a thread: the server runs on gevent (gunicorn.conf.py), so a stream waiting for its next
event is a parked greenlet. Each stream holds a slot (slots.py), capped per identity, per IP
and per process. A stream lasts at most LIVE_STREAM_SECONDS (less a random tenth, so streams
opened together do not all end together), and sends a comment every HEARTBEAT_SECONDS (so
proxies keep it open). A client that closes the connection is noticed at once (a greenlet
waits for the socket to turn readable: the client sends nothing more on a stream), one that
vanished at the next write failing, and either way the slot and the memory are let go. The
client reopens a stream with the last id it saw (`Last-Event-ID`), missing nothing.
"""

import json
import random
import socket
import time
from collections.abc import Callable, Iterable

import gevent
from flask import Response, current_app, request
from gevent import monkey
from gevent.socket import wait_read

from app.lib import metrics
from app.live import bus, presence, slots

HEARTBEAT_SECONDS = 15
RETRY_MS = 2000  # EventSource clients wait this long before reconnecting after an error


def _frame(event):
    data = json.dumps({"topic": event.topic, "data": event.data}, ensure_ascii=False,
                      separators=(",", ":"))
    return f"id: {event.id}\nevent: {event.name}\ndata: {data}\n\n"


class _Stream:
    """The response body. A class rather than a generator so that the server's close()
    ends the subscription and frees the slot even when the body was never iterated."""

    def __init__(self, subscription: bus.Subscription | presence.Tracked, seconds: float,
                 slot: slots.Slot, client: socket.socket | None) -> None:
        self.subscription, self.seconds, self.slot = subscription, seconds, slot
        self.open = True
        metrics.LIVE_STREAMS_OPEN.inc()
        metrics.LIVE_STREAMS_OPENED.inc()
        # Under gevent (the server), watch for the client going away; elsewhere (the test
        # client, a threaded server) the next write tells.
        self.watcher = gevent.spawn(_watch, client, subscription.close) \
            if client is not None and monkey.is_module_patched("socket") else None

    def __iter__(self):
        until = time.monotonic() + self.seconds
        try:
            yield f"retry: {RETRY_MS}\n\n"
            for event in self.subscription.events(HEARTBEAT_SECONDS, until=until):
                yield ": ping\n\n" if event is None else _frame(event)
                self.slot.keep()
        finally:
            self.close()

    def close(self) -> None:
        if self.open:  # the iteration's end and the server's close() both call this
            self.open = False
            metrics.LIVE_STREAMS_OPEN.dec()
        if self.watcher is not None:
            self.watcher.kill(block=False)
        self.subscription.close()
        self.slot.release()


def _watch(client, gone):
    """Call `gone()` when the client closes the connection: it turns readable, and a peek
    reads nothing (a client of a stream sends nothing more, so any byte is no goodbye)."""
    try:
        wait_read(client.fileno())
        closed = client.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        closed = True
    if closed:
        gone()


def sse_response(person: object, topics: Iterable[str], authorize: Callable[[], None],
                 last_event_id: str | None = None) -> Response:
    """A text/event-stream Response with the events of `topics` for `person` (a user or a
    widget guest), starting after `last_event_id` when given. The stream's slot is taken
    first (429 or 503 when there is none), then `authorize()` checks the topics."""
    slot = slots.hold(slots.identity_of(person), request.remote_addr)
    try:
        authorize()
        subscription = presence.track(bus.subscribe(topics, last_event_id), person.id)
    except BaseException:
        slot.release()
        raise
    seconds = current_app.config["LIVE_STREAM_SECONDS"] * random.uniform(0.9, 1.0)  # noqa: S311
    body = _Stream(subscription, seconds, slot, request.environ.get("gunicorn.socket"))
    return Response(body, mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
