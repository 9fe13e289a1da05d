"""Live updates as Server-Sent Events: `GET /api/stream?topics=dialog:<id>,user:<id>`.

SSE rather than long polling: under gunicorn's gthread worker an open stream costs one
mostly sleeping thread, the same as a waiting poll, but one request carries many events.
A stream lasts at most LIVE_STREAM_SECONDS, sends a comment every HEARTBEAT_SECONDS (so
proxies keep it open and a gone client is noticed at the next write), and the client reopens
it with the last id it saw (`Last-Event-ID`), missing nothing.

`sse_response()` is also what the cabinet mounts behind its own (session) sign-in.
"""

import json
import time
from typing import Annotated

from flask import Blueprint, Response, current_app, g, request
from pydantic import Field

from app.api.guard import me, visitor_required
from app.api.validation import Query, query
from app.live import bus, presence
from app.notifications import topics

bp = Blueprint("stream", __name__)

HEARTBEAT_SECONDS = 15
RETRY_MS = 2000  # EventSource clients wait this long before reconnecting after an error


class StreamQuery(Query):
    # Comma-separated: user:<id>, business:<id>, dialog:<id>.
    topics: Annotated[str, Field(min_length=1, max_length=2000)]
    # For clients that cannot send the Last-Event-ID header; the header wins.
    lastEventId: Annotated[str, Field(max_length=32)] | None = None  # noqa: N815 - API name


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


def sse_response(topics, last_event_id=None):
    """A text/event-stream Response with the events of `topics` (already authorized),
    starting after `last_event_id` when given."""
    subscription = presence.track(bus.subscribe(topics, last_event_id), _listener_id())
    return Response(_Stream(subscription, current_app.config["LIVE_STREAM_SECONDS"]),
                    mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@bp.get("/stream")
@visitor_required
@query(StreamQuery)
def stream(params):
    """Live events of the given topics as Server-Sent Events (text/event-stream)."""
    wanted = topics.parse_topics(params.topics)
    topics.require_topics(me(), wanted)
    return sse_response(wanted, request.headers.get("Last-Event-ID") or params.lastEventId)
