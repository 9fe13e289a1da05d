"""Sending an SMS: the provider call runs here, retried with backoff when the gateway fails."""

import logging

from celery import shared_task

from app.accounts import sms

log = logging.getLogger("bank.sms")


@shared_task(
    name="sms.send",
    bind=True,
    autoretry_for=(sms.DeliveryError,),
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=5,
)
def send_sms(self, message_id, text):
    if self.request.is_eager:
        # No broker (development, tests): this runs inside the user's request. A Celery retry
        # would run at once, without backoff, or (tests propagate) fail the request with a 500.
        # The provider has retried already, so this is the final attempt; a failure is kept in
        # the SMS log ("failed" and the error) for the operator, not shown to the user.
        try:
            sms.deliver(message_id, text, final_attempt=True)
        except sms.DeliveryError as exc:
            log.warning("SMS %s not delivered: %s", message_id, exc)
        return
    sms.deliver(message_id, text, final_attempt=self.request.retries >= self.max_retries)
