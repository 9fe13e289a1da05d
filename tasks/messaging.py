"""Provisioning jobs: the chat user of a new person, the bot and channel of a new business.
Retried with backoff while mms3 is unreachable; the sync state records each attempt."""

from celery import shared_task

from app.messaging import provisioning
from app.models import Business, User
from tasks.retries import MESSAGING_RETRIES, final


@shared_task(name="messaging.provision_user", bind=True, **MESSAGING_RETRIES)
def provision_user(self, user_id):
    provisioning.run(User, user_id, final=final(self))


@shared_task(name="messaging.provision_business", bind=True, **MESSAGING_RETRIES)
def provision_business(self, business_id):
    provisioning.run(Business, business_id, final=final(self))
