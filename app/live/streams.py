"""Live updates as Server-Sent Events: the response a stream endpoint returns (the API's
`GET /api/stream` and the cabinet's inbox stream, each behind its own sign-in).

SSE rather than long polling: one request carries many events. A stream lasts at most
LIVE_STREAM_SECONDS, sends a comment every HEARTBEAT_SECONDS (so proxies keep it open and a gone
client is noticed at the next write), and the client reopens it with the last id it saw
(`Last-Event-ID`), missing nothing.
"""

import json
import time
from collections.abc import Iterable

from flask import Response, current_app, g

from app.live import bus, presence

HEARTBEAT_SECONDS = 15
RETRY_MS = 2000  # EventSource clients wait this long before reconnecting after an error


def _frame(event):
    data = json.dumps({"topic": event.topic, "data": event.data}, ensure_ascii=False,
                      separators=(",", ":"))
    return f"id: {event.id}\nevent: {event.name}\ndata: {data}\n\n"


class _Stream:
    """The response body. A class rather than a generator so that the server's close()
    ends the subscription even when the body was never iterated."""

    def __init__(self, subscription, seconds):
        self.subscription, self.seconds = subscription, seconds

    def __iter__(self):
        until = time.monotonic() + self.seconds
        try:
            yield f"retry: {RETRY_MS}\n\n"
            for event in self.subscription.events(HEARTBEAT_SECONDS, until=until):
                yield ": ping\n\n" if event is None else _frame(event)
        finally:
            self.subscription.close()

    def close(self):
        self.subscription.close()


def _listener_id():
    # The person of this request, whichever sign-in brought them: the API's bearer token or
    # the cabinet's session. While their stream is open they count as connected (no push).
    person = g.get("current_user") or g.get("staff_user")
    return getattr(person, "id", None)


def sse_response(topics: Iterable[str], last_event_id: str | None = None) -> Response:
    """A text/event-stream Response with the events of `topics` (already authorized),
    starting after `last_event_id` when given."""
    subscription = presence.track(bus.subscribe(topics, last_event_id), _listener_id())
    return Response(_Stream(subscription, current_app.config["LIVE_STREAM_SECONDS"]),
                    mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
