"""The one place services enqueue background work, by task name (so app/ never imports tasks/)."""

from flask import current_app

SEND_SMS = "sms.send"
PROVISION_USER = "messaging.provision_user"
PROVISION_BUSINESS = "messaging.provision_business"
CHANNEL_DELIVER = "channels.deliver"
CHANNEL_SYNC_MEMBER = "channels.sync_member"
CHANNEL_BACKFILL = "channels.backfill"
PUSH_NEW_MESSAGE = "push.new_message"
PUSH_CHANNEL_POST = "push.channel_post"
PUSH_INVITED = "push.invited"
PUSH_ASSIGNED = "push.assigned"
PUSH_TEAM_INVITATION = "push.team_invitation"
PUSH_DELIVER = "push.deliver"


def enqueue(task_name: str, *args: object) -> None:
    celery_app = current_app.extensions["celery"]
    # apply_async on the registered task (not send_task) so that eager mode runs it inline.
    celery_app.tasks[task_name].apply_async(args=args)
