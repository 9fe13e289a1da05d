"""Publishing to a channel with 10 subscribers and with 10,000: the request must not get
slower with more subscribers, because the fan-out (the post's copy into the channel dialog,
whose members are the subscribers) happens off the request, in the `channels.deliver` job.

Run by hand from the repo root:  .venv/bin/python bench/channel_publish.py [--posts N]

In-process, on a fresh embedded store in a temporary directory, with Celery pointed at the
real RabbitMQ of this machine and a queue of this run's own (deleted at the end), so the
request only enqueues the job, as in production. Two businesses: one with 10 subscribers,
one with 10,000 (their subscriptions and channel-dialog memberships are written in bulk
through the store's journal, as bench/dashboard.py does). Then, interleaved in rounds, the
owner of each publishes N posts through POST /api/businesses/:id/channel/messages (test
client, a Bearer token). The 10-subscriber business is the baseline. Last, for contrast,
the job itself (`delivery.deliver`) is timed in-process for one post of each: that
is the work that does grow with the subscribers, and it runs in the worker.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

for name in ("MONGODB_URI", "CELERY_BROKER_URL", "REDIS_URL", "MMS3_API_URL", "RABBITMQ_URL"):
    os.environ.pop(name, None)

AMQP = "amqp://guest:guest@127.0.0.1:5672//"
SIZES = (10, 10_000)
ROUNDS = 5


def subscribe_in_bulk(app, business, count):
    from app import clock
    from app.db import refresh
    from app.models import Business
    from app.models.base import new_id
    from bench.dashboard import ms, write

    now = ms(clock.now())
    users = [new_id("usr") for _ in range(count)]
    channel = business.chat_channel_id
    write(app, "subscriptions", [{"_id": new_id("sub"), "userId": user, "businessId":
                                  business.id, "createdAt": now} for user in users])
    write(app, "dialog_members", [{"_id": new_id("dmb"), "dialogId": channel, "userId": user,
                                   "type": "user", "unreadCount": 0, "isActive": True,
                                   "createdAt": now} for user in users])
    refresh(app)
    Business.objects(id=business.id).update_one(set__subscriber_count=count)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=60, help="posts per business")
    args = parser.parse_args()
    import logging

    from bench.messaging import build_app
    from tests.factories import business, signed_in

    logging.getLogger().setLevel(logging.ERROR)
    queue = f"bench-channel-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))  # without a broker: set-up jobs run inline
        owners, shops = {}, {}
        for size in SIZES:
            owner = signed_in(app, f"+7916{size:07d}", "Владелец")
            shop = business(app, owner["user"]["id"], name=f"Канал на {size}")
            with app.app_context():
                from app.models import Business

                subscribe_in_bulk(app, Business.objects.get(id=shop.id), size)
            owners[size], shops[size] = owner, shop.id
        # From here on jobs go to RabbitMQ, as they do in production.
        celery = app.extensions["celery"]
        celery.conf.update(broker_url=AMQP, task_always_eager=False, task_default_queue=queue)
        client = app.test_client()
        samples = {size: [] for size in SIZES}
        per_round = max(1, args.posts // ROUNDS)
        for round_number in range(ROUNDS):
            for size in SIZES:
                headers = {"Authorization": f"Bearer {owners[size]['accessToken']}"}
                url = f"/api/businesses/{shops[size]}/channel/messages"
                for n in range(per_round):
                    started = time.perf_counter()
                    answer = client.post(url, json={"text": f"Новость {round_number}.{n}"},
                                         headers=headers)
                    samples[size].append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 201, answer.get_json()
        fanout = {}
        with app.app_context():
            from app.channels import delivery
            from app.models import ChannelPost

            for size in SIZES:
                post = ChannelPost.objects(business_id=shops[size]).first()
                started = time.perf_counter()
                delivery.deliver(post.id)
                fanout[size] = (time.perf_counter() - started) * 1000
        with celery.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)

    base = statistics.median(samples[SIZES[0]])
    print(f"Publishing a channel post (POST …/channel/messages, {per_round * ROUNDS} per "
          f"business, {ROUNDS} interleaved rounds; the job queued on RabbitMQ):")
    for size in SIZES:
        median = statistics.median(samples[size])
        p95 = sorted(samples[size])[int(0.95 * (len(samples[size]) - 1))]
        label = "(baseline)" if size == SIZES[0] else f"×{median / base:.2f} of the baseline"
        print(f"  {size:>6} subscribers: median {median:6.2f} ms   p95 {p95:6.2f} ms   {label}")
    print("The fan-out job itself (in the worker, embedded adapter), one post:")
    for size in SIZES:
        print(f"  {size:>6} subscribers: {fanout[size]:8.1f} ms")


if __name__ == "__main__":
    main()
