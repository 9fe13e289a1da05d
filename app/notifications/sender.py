"""Sending Web Push: the payload encrypted for each browser (aes128gcm) and signed with our
VAPID key, through pywebpush.

A subscription its push service answers with 404 or 410 is gone for good (the person
unsubscribed, or the browser dropped it) and is deleted. Anything else that fails (the
network, a 5xx, 429) is handed back to the `push.deliver` job, which retries those alone.
"""

import ipaddress
import json
import logging
import socket
from functools import lru_cache
from urllib.parse import urlsplit

import requests
from flask import current_app
from py_vapid import Vapid, VapidException
from pywebpush import WebPushException, webpush

from app import clock
from app.lib import metrics
from app.models import PushToken
from app.notifications import devices

GONE = (404, 410)

log = logging.getLogger("bank.push")


@lru_cache(maxsize=4)
def _vapid(private_key):
    # Parsing the key costs more than signing with it; a worker sends many pushes.
    return Vapid.from_string(private_key)


def _session():
    session = requests.Session()
    # We POST to URLs that browsers handed us: never follow a redirect somewhere else.
    session.max_redirects = 0
    return session


def _internal(host):
    """True when `host` resolves to an address no push service lives on (private, loopback,
    link-local, reserved): a registered endpoint must not make us POST inside our network."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, 443,
                                                               proto=socket.IPPROTO_TCP)}
    except OSError:
        return False  # unresolvable now: the send fails and is retried like any outage
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            return True
    return False


def _refusal(host, config, verdicts):
    """Why we never post to `host` (None: we may), decided once per host in a batch (a
    batch of 500 mostly shares one host), in every mode: a host that resolves inside our
    network, and in production any but the known push services. Rows registered before these
    rules, or before PUSH_SERVICE_HOSTS was narrowed, are checked here too."""
    if host in verdicts:
        return verdicts[host]
    if config["APP_ENV"] == "production" and not devices.known_service(host):
        verdict = "is not a known push service"
    elif not devices.allowed_internal(host) and _internal(host):
        verdict = "resolves inside our network"
    else:
        verdict = None
    verdicts[host] = verdict
    return verdict


def _send_one(token, data, config, session, verdicts):
    """"sent", "gone" or "failed" for one subscription."""
    host = urlsplit(token.token).hostname
    refusal = _refusal(host, config, verdicts)
    if refusal:
        log.warning("push: %s %s; dropping %s", host, refusal, token.id)
        return "gone"
    try:
        webpush(
            subscription_info={"endpoint": token.token,
                               "keys": {"p256dh": token.keys.p256dh, "auth": token.keys.auth}},
            data=data,
            vapid_private_key=_vapid(config["VAPID_PRIVATE_KEY"]),
            # A fresh dict each time: pywebpush writes the endpoint's origin (aud) into it.
            vapid_claims={"sub": config["VAPID_SUBJECT"]},
            ttl=config["PUSH_TTL_SECONDS"],
            timeout=config["PUSH_TIMEOUT_SECONDS"],
            requests_session=session)
    except WebPushException as error:
        if error.status_code in GONE:
            log.info("push: subscription %s is gone (%s from %s)", token.id,
                     error.status_code, host)
            return "gone"
        log.warning("push: %s answered %s for %s", host, error.status_code, token.id)
        return "failed"
    except requests.RequestException as error:
        # The error's text holds the endpoint, a secret of the device: only its kind is logged.
        log.warning("push: could not reach %s for %s: %s", host, token.id,
                    type(error).__name__)
        return "failed"
    except (VapidException, ValueError, TypeError) as error:
        # The endpoint or the keys cannot be used at all (an IPv6 literal upsets the VAPID
        # claims, say): that device is dropped, the others of the batch still get theirs.
        log.warning("push: subscription %s cannot be sent to (%s); dropping it", token.id,
                    type(error).__name__)
        return "gone"
    return "sent"


def deliver(token_ids: list[str], payload: dict) -> list[str]:
    """Send `payload` (JSON-ready) to the subscriptions `token_ids`; the ids that failed
    and are worth another try. Ids that no longer exist are skipped."""
    config = current_app.config
    if not config.get("VAPID_PRIVATE_KEY") or not token_ids:
        return []
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    outcomes = {"sent": [], "gone": [], "failed": []}
    verdicts = {}
    with _session() as session:
        for token in PushToken.objects(id__in=list(token_ids)):
            if token.keys is None:  # not a Web Push row: nothing to encrypt for
                continue
            outcome = _send_one(token, data, config, session, verdicts)
            outcomes[outcome].append(token.id)
            metrics.PUSH_SENDS.labels(outcome).inc()
    if outcomes["gone"]:
        PushToken.objects(id__in=outcomes["gone"]).delete()
    if outcomes["sent"]:
        PushToken.objects(id__in=outcomes["sent"]).update(set__last_used_at=clock.now())
    return outcomes["failed"]
