"""A team invitation to a phone without an account is told by SMS (the listener of
MemberInvited; a phone with an account gets a push and the site's notice instead): who
invites, and the link where the invitee signs in and answers.

The text is in the site's default language: we know nothing of the invitee's, and the
inviter's is no better guess. Invitation SMS to one phone are limited
(INVITATION_SMS_PER_PHONE), whoever invites it, so a number cannot be flooded by invitations
that are withdrawn and sent again; past the limit the invitation still waits on the site.
"""

import logging

from flask import current_app
from flask_babel import force_locale, gettext
from kombu.exceptions import OperationalError

from app.accounts import sms
from app.events import MemberInvited
from app.lib import rate_limits
from app.models import User
from app.notifications.notices import preview

NAME_IN_SMS = 40  # characters of the business's name: an SMS is short, and costs by length

log = logging.getLogger("bank.sms")


def member_invited(event: MemberInvited) -> None:
    phone = event.member.invited_phone
    if User.objects(phone=phone).first() is not None:
        return
    config = current_app.config
    if not rate_limits.first(config["INVITATION_SMS_PER_PHONE"], "invitation-sms", phone):
        log.warning("invitation SMS to %s not sent: the phone's limit is spent", phone)
        return
    with force_locale(config["BABEL_DEFAULT_LOCALE"]):
        text = gettext("%(name)s invites you to its team on Bank. Sign in to accept or "
                       "decline: %(url)s", name=preview(event.business.name, NAME_IN_SMS),
                       url=f"{config['PUBLIC_BASE_URL']}/my/invitations")
    try:
        sms.queue_sms(phone, text, purpose="invitation")
    except OperationalError as error:
        # The invitation stands and waits on the site; the SMS log shows this one as queued.
        log.warning("invitation SMS to %s could not be enqueued: %r", phone, error)
