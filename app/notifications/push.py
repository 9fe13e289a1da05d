"""Push notifications for what happened: the listeners of MessageRecorded, TeamCalled,
DialogAssigned, PostPublished and MemberInvited. They only enqueue jobs (notices.py decides
who gets what, sender.py sends), so a slow push service never slows down a message, and a
broker that cannot take the job costs the notification, never the message or post that
raised it."""

import logging

from kombu.exceptions import OperationalError

from app.events import DialogAssigned, MemberInvited, MessageRecorded, PostPublished, TeamCalled
from app.lib import jobs
from app.notifications import devices

log = logging.getLogger("bank.push")


def _request(job: str, *args: object) -> None:
    if not devices.enabled():
        return
    try:
        jobs.enqueue(job, *args)
    except OperationalError as error:
        log.warning("push: could not enqueue %s: %r", job, error)


def message_recorded(event: MessageRecorded) -> None:
    """A new message in a customer dialog; not again when it is delivered twice, nor for a
    guest's earlier message copied into the account's dialog (old news)."""
    if not event.first or event.copied:
        return
    sender = event.message.get("sender") or {}
    _request(jobs.PUSH_NEW_MESSAGE, event.conversation.id, {
        "id": event.message.get("id"), "text": event.message.get("text") or "",
        "kind": event.kind.value, "senderId": sender.get("id"),
        "authorName": sender.get("name")})


def team_called(event: TeamCalled) -> None:
    """The bot called these team members into the dialog."""
    _request(jobs.PUSH_INVITED, event.conversation.id, list(event.user_ids))


def dialog_assigned(event: DialogAssigned) -> None:
    """A dialog was handed to someone: they are told, unless they took it themselves."""
    if event.assignee_id != event.by_id:
        _request(jobs.PUSH_ASSIGNED, event.conversation.id, event.assignee_id)


def post_published(event: PostPublished) -> None:
    """A channel post entered the feed."""
    _request(jobs.PUSH_CHANNEL_POST, event.post.id)


def member_invited(event: MemberInvited) -> None:
    """A team invitation: its invitee, if the phone has an account (notices.py finds out)."""
    _request(jobs.PUSH_TEAM_INVITATION, event.member.id)
