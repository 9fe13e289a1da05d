"""Provisioning jobs: the chat user of a new person, the bot and channel of a new business.
Retried with backoff while mms3 is unreachable; the sync state records each attempt."""

from celery import shared_task

from app.messaging.gateway import MessagingError
from app.models import Business, User
from app.services import provisioning

_RETRIES = {"autoretry_for": (MessagingError,), "retry_backoff": 5, "retry_backoff_max": 300,
            "max_retries": 8}


def _final(task):
    # Eager (no broker): a retry would run at once inside the caller's request, so the first
    # attempt is the last one; start-dialog and the back office's retry provision again.
    return task.request.is_eager or task.request.retries >= task.max_retries


@shared_task(name="messaging.provision_user", bind=True, **_RETRIES)
def provision_user(self, user_id):
    provisioning.run(User, user_id, final=_final(self))


@shared_task(name="messaging.provision_business", bind=True, **_RETRIES)
def provision_business(self, business_id):
    provisioning.run(Business, business_id, final=_final(self))
