"""Push notification jobs: deciding who gets a notification (app/notifications/notices.py)
and sending it (app/notifications/sender.py). Sending retries with backoff, and only the
subscriptions that failed: the others have had theirs."""

import logging

from celery import shared_task

from app.notifications import notices, sender
from tasks.retries import final

log = logging.getLogger("bank.push")

MAX_RETRIES = 6  # about 10 minutes of backoff: later a notification is more noise than news


@shared_task(name="push.new_message")
def new_message(conversation_id, message):
    notices.new_message(conversation_id, message)


@shared_task(name="push.invited")
def invited(conversation_id, user_ids):
    notices.invited(conversation_id, user_ids)


@shared_task(name="push.assigned")
def assigned(conversation_id, user_id):
    notices.assigned(conversation_id, user_id)


@shared_task(name="push.team_invitation")
def team_invitation(member_id):
    notices.team_invitation(member_id)


@shared_task(name="push.channel_post")
def channel_post(post_id):
    notices.channel_post(post_id)


@shared_task(name="push.deliver", bind=True, max_retries=MAX_RETRIES)
def deliver(self, token_ids, payload):
    failed = sender.deliver(token_ids, payload)
    if not failed:
        return
    if final(self):
        log.warning("push: gave up on %d subscription(s) for %s", len(failed),
                    payload.get("tag"))
        return
    raise self.retry(args=(failed, payload),
                     countdown=min(300, 5 * 2 ** self.request.retries))
