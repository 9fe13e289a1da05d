"""`GET /api/stream?topics=dialog:<id>,user:<id>`: live updates as Server-Sent Events
(app/live/streams.py) of the topics the caller may hear (app/notifications/topics.py)."""

from typing import Annotated

from flask import Blueprint, request
from pydantic import Field

from app.api.guard import me, visitor_required
from app.api.validation import Query, query
from app.live.streams import sse_response
from app.notifications import topics

bp = Blueprint("stream", __name__)


class StreamQuery(Query):
    # Comma-separated: user:<id>, business:<id>, dialog:<id>.
    topics: Annotated[str, Field(min_length=1, max_length=2000)]
    # For clients that cannot send the Last-Event-ID header; the header wins.
    lastEventId: Annotated[str, Field(max_length=32)] | None = None  # noqa: N815 - API name


@bp.get("/stream")
@visitor_required
@query(StreamQuery)
def stream(params):
    """Live events of the given topics as Server-Sent Events (text/event-stream). 429 when the
    caller (or their network) holds too many open streams already."""
    wanted = topics.parse_topics(params.topics)
    return sse_response(me(), wanted, lambda: topics.require_topics(me(), wanted),
                        request.headers.get("Last-Event-ID") or params.lastEventId)
