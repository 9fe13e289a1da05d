"""`GET /metrics` (app/api/metrics.py over app/lib/metrics.py): after traffic, a scrape shows
the requests, live streams, consumer, job and SMS series; an outside client is refused; and
with PROMETHEUS_MULTIPROC_DIR the values of several processes add up.

The series live in the process's registry, shared by every app a test run builds, so each
test compares a scrape after its traffic with one before."""

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from types import SimpleNamespace

import pika
from prometheus_client.parser import text_string_to_metric_families

from app.messaging import events, runtime
from tasks.consumer import EventConsumer
from tests.factories import signed_in
from tests.mms3_events import event_body

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def scrape(client, **kwargs):
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/plain"
    return samples(response.get_data(as_text=True))


def samples(text):
    """{(sample name, frozenset of its labels): value}."""
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(found, name, **labels):
    return found.get((name, frozenset(labels.items())), 0.0)


class Channel:
    """What the consumer's _handle uses of a pika channel: acks and publishes, recorded."""

    def __init__(self):
        self.acked, self.published = [], []

    def basic_ack(self, tag):
        self.acked.append(tag)

    def basic_publish(self, exchange, key, body, props, mandatory=False):
        self.published.append(key)


def deliver(consumer, channel, body, tag):
    method = SimpleNamespace(routing_key="message.create.tnt_default", delivery_tag=tag)
    consumer._handle(channel, method, pika.BasicProperties(headers={}), body)


def test_a_scrape_after_traffic_shows_requests_streams_consumer_jobs_and_sms(app, client):
    if "messaging" not in app.extensions:
        runtime.init_messaging(app)
    heard = []
    app.extensions["messaging"].dispatcher.subscribe(events.MESSAGE_CREATE, heard.append)
    before = scrape(client)

    # Requests: a few API calls, one of them a 404 and one sending a sign-in SMS.
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/nowhere/at/all").status_code == 404
    assert client.post("/api/auth/send-code", json={"phone": "+79160000009"}).status_code == 200
    # A live stream, opened and closed.
    mine = signed_in(app, "+79160000001")
    stream = client.get(f"/api/stream?topics=user:{mine['user']['id']}", buffered=False,
                        headers={"Authorization": f"Bearer {mine['accessToken']}"})
    assert stream.status_code == 200
    assert next(iter(stream.response)) == b"retry: 2000\n\n"
    during = scrape(client)
    stream.close()
    # The consumer: an event, the same event again, and a malformed one.
    consumer = EventConsumer(app, "amqp://unused")
    channel = Channel()
    body = event_body("tnt_default", "message.create", "msg_1", "usr_1", {
        "message": {"messageId": "msg_1", "dialogId": "dlg_1", "senderId": "usr_1",
                    "type": "internal.text", "content": "Hi"}})
    deliver(consumer, channel, json.dumps(body).encode(), 1)
    deliver(consumer, channel, json.dumps(body).encode(), 2)
    deliver(consumer, channel, b"{not json", 3)
    assert [event["eventId"] for event in heard] == [body["eventId"]]
    assert channel.acked == [1, 2, 3] and channel.published == [consumer.names.dead]

    after = scrape(client)

    def grew(name, found=after, **labels):
        return value(found, name, **labels) - value(before, name, **labels)

    health = {"method": "GET", "endpoint": "api.health.health"}
    assert grew("bank_http_requests_total", **health, status="200") == 2
    assert grew("bank_http_requests_total", method="GET", endpoint="unmatched",
                status="404") == 1
    assert grew("bank_http_requests_total", method="POST", endpoint="api.auth.send_code",
                status="200") == 1
    assert grew("bank_http_requests_total", method="GET", endpoint="api.stream.stream",
                status="200") == 1
    assert grew("bank_http_request_duration_seconds_count", **health) == 2
    assert grew("bank_http_request_duration_seconds_bucket", **health, le="+Inf") == 2
    assert grew("bank_http_request_duration_seconds_sum", **health) > 0
    # No raw paths among the labels.
    assert not any("/nowhere" in label for _name, labels in after for _key, label in labels)

    assert grew("bank_live_streams_open", during) == 1
    assert grew("bank_live_streams_open") == 0  # closed again
    assert grew("bank_live_streams_opened_total") == 1

    assert grew("bank_events_total", outcome="handled") == 1
    assert grew("bank_events_total", outcome="duplicate") == 1
    assert grew("bank_events_total", outcome="dead_lettered") == 1
    assert grew("bank_event_lag_seconds_count") == 1  # the handled one
    assert 0 <= grew("bank_event_lag_seconds_sum") < 60

    assert grew("bank_celery_tasks_total", task="sms.send", outcome="success") == 1
    assert grew("bank_sms_sends_total", provider="console", outcome="sent") == 1


def test_an_outside_client_is_refused(client):
    response = client.get("/metrics", environ_base=OUTSIDE)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert b"bank_http" not in response.data
    # A token is no way in while METRICS_TOKEN is unset.
    refused = client.get("/metrics", environ_base=OUTSIDE,
                         headers={"Authorization": "Bearer "})
    assert refused.status_code == 403
    # From the loopback (the default allow-list), the same scrape is answered.
    assert ("bank_http_requests_total", frozenset(
        {"method": "GET", "endpoint": "metrics.scrape", "status": "403"}.items())) in scrape(client)


def test_a_token_or_an_allowed_network_lets_a_scraper_in(make_app):
    app = make_app(METRICS_ALLOW_IPS="10.0.0.0/8", METRICS_TOKEN="s3cret-scraper-token")
    client = app.test_client()
    assert client.get("/metrics").status_code == 403  # loopback is no longer listed
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert scrape(client, headers={"Authorization": "Bearer s3cret-scraper-token"})
    assert scrape(client, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 403


def test_behind_a_proxy_the_forwarded_client_address_decides(make_app):
    app = make_app(TRUSTED_PROXIES="1")
    client = app.test_client()
    # The proxy is on the loopback, but the client it forwards is outside.
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert scrape(client, headers={"X-Forwarded-For": "127.0.0.1"})


WORKER = textwrap.dedent("""
    import sys
    from app.lib import metrics
    metrics.REQUESTS.labels("GET", "api.health.health", "200").inc(int(sys.argv[1]))
    metrics.LIVE_STREAMS_OPEN.inc(int(sys.argv[1]))
    print(metrics.exposition()[0].decode())
""")
SCRAPER = textwrap.dedent("""
    import sys
    from prometheus_client import multiprocess
    from app.lib import metrics
    multiprocess.mark_process_dead(int(sys.argv[1]))
    print(metrics.exposition()[0].decode())
""")


def test_with_a_multiprocess_folder_the_processes_values_add_up(tmp_path):
    """What gunicorn.conf.py sets up: each worker writes to PROMETHEUS_MULTIPROC_DIR, a scrape
    in any of them adds up all; a dead worker's open streams stop counting (child_exit)."""
    folder = tmp_path / f"metrics-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    environ = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}

    def run(script, *args):
        return subprocess.run([sys.executable, "-c", script, *map(str, args)], cwd=ROOT,
                              env=environ, capture_output=True, text=True, check=True, timeout=60)

    first = run(WORKER, 2)
    second = subprocess.Popen([sys.executable, "-c", WORKER, "3"], cwd=ROOT, env=environ,
                              stdout=subprocess.PIPE, text=True)
    second_out, _ = second.communicate(timeout=60)
    health = {"method": "GET", "endpoint": "api.health.health", "status": "200"}
    assert value(samples(first.stdout), "bank_http_requests_total", **health) == 2
    assert value(samples(second_out), "bank_http_requests_total", **health) == 5  # 2 + 3
    assert value(samples(second_out), "bank_live_streams_open") == 5

    after_exit = samples(run(SCRAPER, second.pid).stdout)
    assert value(after_exit, "bank_http_requests_total", **health) == 5  # counters stay
    # livesum: the second process, marked dead (child_exit), drops out; the first stays.
    assert value(after_exit, "bank_live_streams_open") == 2
