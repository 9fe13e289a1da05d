"""How jobs that talk to another service retry: with backoff while it is unreachable, and
knowing when an attempt is the last (so the sync state can say "failed")."""

from app.messaging.gateway import MessagingError

# Jobs that call the messaging service (mms3): up to about 15 minutes of backoff in all.
MESSAGING_RETRIES = {"autoretry_for": (MessagingError,), "retry_backoff": 5,
                     "retry_backoff_max": 300, "max_retries": 8}


def final(task):
    """Whether this attempt of a bound task is its last. Eager (no broker): a retry would
    run at once inside the caller's request, so the first attempt is the last one;
    start-dialog and the back office's retry provision again."""
    return task.request.is_eager or task.request.retries >= task.max_retries
