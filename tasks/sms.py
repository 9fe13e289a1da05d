"""Sending an SMS: the provider call runs here, retried with backoff when the gateway fails."""

from celery import shared_task

from app.services import sms


@shared_task(
    name="sms.send",
    bind=True,
    autoretry_for=(sms.DeliveryError,),
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=5,
)
def send_sms(self, message_id, text):
    sms.deliver(message_id, text, final_attempt=self.request.retries >= self.max_retries)
