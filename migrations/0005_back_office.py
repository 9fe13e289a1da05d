"""Create the indexes of the audit log, reports and back-office sessions."""

from app.models import AuditEntry, Report, WebSession


def up():
    for document in (AuditEntry, Report, WebSession):
        document.ensure_indexes()
