"""SMS providers behind one interface, and the delivery step that the Celery task runs.

`console` writes one log line per SMS (phone in E.164 and the text); `http` posts to a
configurable gateway with timeouts and retries. Every SMS has a row in the SMS log, without
its text, whose state the back office shows.
"""

import logging

import requests
from flask import current_app
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from app import clock
from app.lib import jobs, metrics
from app.models import SmsMessage

log = logging.getLogger("bank.sms")


class DeliveryError(Exception):
    """The provider could not deliver; the task retries."""


class ConsoleProvider:
    name = "console"

    def send(self, phone: str, text: str) -> None:
        log.warning("SMS to %s: %s", phone, text, extra={"sms_to": phone, "sms_text": text})
        return None


class HttpProvider:
    """POSTs {"to", "text", "sender"} as JSON with a bearer token; 2xx means accepted."""

    name = "http"

    def __init__(self, url: str, token: str | None, sender: str, timeout: float,
                 retries: int):
        self.url = url
        self.sender = sender
        self.timeout = (3.05, timeout)  # connect, read
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        # No retry after a read timeout: the gateway may have taken the SMS already, and a
        # second POST would send it twice. Refused connections and 5xx answers are safe to retry.
        retry = Retry(total=retries, connect=retries, read=0, status=retries,
                      backoff_factor=0.5, status_forcelist=(500, 502, 503, 504),
                      allowed_methods=None, raise_on_status=False)
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))

    def send(self, phone: str, text: str) -> str | None:
        try:
            response = self.session.post(
                self.url, json={"to": phone, "text": text, "sender": self.sender},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise DeliveryError(f"gateway {_failure(exc)}") from exc
        if response.status_code >= 300:
            raise DeliveryError(f"gateway answered {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = {}
        return str(body.get("id") or body.get("messageId") or "") or None


def _failure(exc):
    """Say "timed out" or "unreachable": requests wraps both in ConnectionError after retries."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(exc, requests.Timeout) or isinstance(reason, TimeoutError | ReadTimeoutError):
        return "timed out"
    return f"unreachable: {exc.__class__.__name__}"


def provider() -> HttpProvider | ConsoleProvider:
    config = current_app.config
    if config["SMS_PROVIDER"] == "http":
        return HttpProvider(config["SMS_HTTP_URL"], config["SMS_HTTP_TOKEN"],
                            config["SMS_HTTP_SENDER"], config["SMS_HTTP_TIMEOUT_SECONDS"],
                            config["SMS_HTTP_RETRIES"])
    return ConsoleProvider()


def queue_sms(phone: str, text: str, purpose: str) -> SmsMessage:
    """Log the SMS as queued and hand it to a background task."""
    message = SmsMessage(phone=phone, purpose=purpose,
                         provider=current_app.config["SMS_PROVIDER"]).save()
    jobs.enqueue(jobs.SEND_SMS, message.id, text)
    return message


def deliver(message_id: str, text: str, final_attempt: bool = True) -> None:
    message = SmsMessage.objects(id=message_id).first()
    if message is None or message.status == "sent":
        return  # already delivered (a redelivered task), or the log row is gone
    chosen = provider()
    SmsMessage.objects(id=message_id).update_one(inc__attempts=1, set__provider=chosen.name)
    try:
        provider_id = chosen.send(message.phone, text)
    except DeliveryError as exc:
        metrics.SMS_SENDS.labels(chosen.name, "failed").inc()
        state = "failed" if final_attempt else "queued"
        SmsMessage.objects(id=message_id).update_one(set__status=state, set__error=str(exc))
        raise
    metrics.SMS_SENDS.labels(chosen.name, "sent").inc()
    SmsMessage.objects(id=message_id).update_one(
        set__status="sent", set__sent_at=clock.now(), set__error=None,
        set__provider_message_id=provider_id,
    )
