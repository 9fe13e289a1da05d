"""The audit log: who changed what, when, from where, with the fields before and after.

Every change and action in /admin and /cabinet goes through `record()`. Entries are only ever
inserted; nothing edits or deletes them.
"""

from flask import has_request_context, request

from app.clock import isoformat
from app.models import AuditEntry, User


def _plain(value):
    """A value as it is stored in the log: JSON-friendly, short."""
    if hasattr(value, "isoformat"):
        return isoformat(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "to_mongo"):
        return _plain(value.to_mongo().to_dict())
    return value


def diff(before: dict, after: dict) -> dict[str, dict]:
    """{"field": {"before": x, "after": y}} for every field whose value changed."""
    changes = {}
    for field in sorted(set(before) | set(after)):
        old, new = _plain(before.get(field)), _plain(after.get(field))
        if old != new:
            changes[field] = {"before": old, "after": new}
    return changes


def record(area: str, actor: User, action: str, target_type: str, target_id: str | None = None,
           changes: dict | None = None, reason: str | None = None,
           business_id: str | None = None) -> AuditEntry:
    ip = request.remote_addr if has_request_context() else None
    return AuditEntry(
        area=area, actor_id=actor.id, actor_name=actor.name or actor.phone, action=action,
        target_type=target_type, target_id=target_id, business_id=business_id,
        changes=changes or {}, reason=reason, ip=ip,
    ).save(force_insert=True)
