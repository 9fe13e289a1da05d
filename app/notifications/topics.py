"""Who may listen to which live topic: `user:<id>`, `business:<id>`, `dialog:<id>`,
`channel:<businessId>`.

One rule for every stream (the API's and the cabinet's), so a page can only ever hear what
its person may read anyway.
"""

import re
from collections.abc import Iterable

from flask_babel import lazy_gettext as _

from app.businesses import permissions
from app.channels import posts
from app.conversations import dialogs
from app.errors import AppError, Forbidden
from app.models import Guest, User

MAX_TOPICS = 20
_TOPIC = re.compile(r"^(user|business|dialog|channel):([A-Za-z0-9_-]{1,64})$")


def authorize_topic(user: User | Guest | None, topic: str) -> bool:
    """True when `user` may receive the events of `topic`; False for anything else,
    unknown kinds included."""
    match = _TOPIC.match(topic or "")
    if user is None or match is None:
        return False
    kind, target = match.groups()
    if kind == "user":
        return target == user.id
    if kind == "business":
        return permissions.membership(target, user.id) is not None
    if kind == "channel":
        return bool(posts.can_view(user, target))
    return bool(dialogs.can_view(user, target))


def parse_topics(raw: str | None) -> list[str]:
    """The distinct topics of a comma-separated list; 422 when empty or too many."""
    topics = list(dict.fromkeys(part.strip() for part in (raw or "").split(",") if part.strip()))
    if not topics or len(topics) > MAX_TOPICS:
        raise AppError("validation_error", _("Some fields are not valid."), status=422,
                       details={"fields": [{"field": "topics", "type": "topics",
                                            "message": f"1 to {MAX_TOPICS} topics"}]})
    return topics


def require_topics(user: User | Guest, topics: Iterable[str]) -> None:
    """403 unless `user` may receive every one of `topics`."""
    for topic in topics:
        if not authorize_topic(user, topic):
            raise Forbidden("forbidden", _("You are not allowed to do this."),
                            details={"topic": topic})
