"""Live updates at scale, on the server `make run` starts (gunicorn -c gunicorn.conf.py wsgi:app:
gevent, one worker, the embedded store), each figure next to a baseline from the same run.

Run by hand from the repo root:  .venv/bin/python bench/live.py [--streams 5000]

1. Streams held: widget guests (10 streams each, the per-identity cap) open --streams
   streams; how many opened. Baseline: the previous model, the same server with
   `--worker-class gthread --threads 64`, where each stream held a thread (100 tried).
2. GET /api/me p50/p99 (8 client threads, keep-alive, 5 s) while the streams are held,
   against the same with no stream open; and the errors.
3. Resident memory of the worker per open stream (VmRSS before and after, divided).
4. Fan-out: 1,000 of the streams listen to one channel (the other ones to another business's);
   the owner publishes --posts posts; the time from sending each POST to each subscriber
   reading the event, p50/p99/max over every delivery. Baseline: the same with 1 subscriber.
5. Reconnects: 2,000 clients that behave as app/static/js/live.js does (an ended stream is
   reopened at once; a broken one after 0.5-1 s, doubling up to 30 s, spread at random); the
   server is stopped (SIGTERM) and started again; the time until every client is back.
   Baseline: the time until the restarted server answers /api/health.

Clients are one asyncio loop of raw connections (tests/sse_client.py) in this process. All
clients share 127.0.0.1, so the per-IP caps are raised for the run (LIVE_STREAMS_PER_IP,
WIDGET_GUESTS_PER_IP); the per-identity cap stays as configured.
"""

import argparse
import asyncio
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from harness import (
    BIN,
    HOST,
    ROOT,
    Target,
    access_token,
    free_port,
    measure,
    migrate,
    request,
    server_env,
    stop,
    wait_ready,
)

sys.path.insert(0, str(ROOT))
from tests.sse_client import open_stream  # noqa: E402

PER_GUEST = 10  # LIVE_STREAMS_PER_IDENTITY's default
FANOUT = 1000
RECONNECTING = 2000


class Server:
    """gunicorn as `make run` starts it (or with extra arguments), on a fixed port so that it
    can be restarted in place."""

    def __init__(self, env, workdir, port, extra=()):
        self.env, self.port, self.extra = env, port, list(extra)
        self.log = workdir / f"server-{port}.log"
        self.process = None

    def start(self):
        command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--bind",
                   f"{HOST}:{self.port}", *self.extra, "wsgi:app"]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        wait_ready(self.process, self.port, "/api/health", self.log)
        return self

    def stop(self):
        stop(self.process)

    def worker_rss_kb(self):
        pid = int(re.findall(r"Booting worker with pid: (\d+)", self.log.read_text())[-1])
        status = Path(f"/proc/{pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


def progress(text):
    print(f"  … {text}", flush=True)


def owner_and_shops(server):
    token = access_token(server.port, server.log, "+79990001001")
    auth = {"Authorization": f"Bearer {token}"}
    ids = []
    for name, slug in (("Кофейня", "bench-coffee"), ("Пекарня", "bench-bakery")):
        status, body = request(server.port, "POST", "/api/businesses",
                               {"name": name, "slug": slug}, auth)
        assert status == 201, body
        ids.append(body["data"]["id"])
    return auth, ids


def guest_tokens(server, count):
    tokens = []
    for _ in range(count):
        status, body = request(server.port, "POST", "/api/widget/bench-coffee/session", {})
        assert status == 200, body
        tokens.append(body["data"]["token"])
    return tokens


def me_latency(server, auth):
    result = measure([(server.port, Target("GET /api/me", "GET", "/api/me", auth))],
                     warmup_seconds=1, measure_seconds=5, rounds=1)[0]
    return result.percentile_ms(0.5), result.percentile_ms(0.99), result.errors, result.requests


class Loop:
    """An asyncio loop in a thread, for the streams, while the main thread measures."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout=600):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


async def open_streams(port, topics_and_tokens, parallel=200):
    gate = asyncio.Semaphore(parallel)

    async def one(topic, token):
        async with gate:
            try:
                stream = await open_stream(HOST, port, f"/api/stream?topics={topic}",
                                           {"Authorization": f"Bearer {token}"}, timeout=60)
                if stream.status == 200 and await stream.wait_for("ready", 60) == "ready":
                    return stream
            except (TimeoutError, OSError, asyncio.IncompleteReadError):
                pass
            return None

    return await asyncio.gather(*[one(topic, token) for topic, token in topics_and_tokens])


async def fan_out(port, streams, auth, business_id, posts):
    """Per delivery, seconds from sending the post to the subscriber reading it."""
    delays = []
    for number in range(posts):
        waiting = [asyncio.ensure_future(s.wait_for("post", 60)) for s in streams]
        sent = time.monotonic()
        status, body = await asyncio.to_thread(
            request, port, "POST", f"/api/businesses/{business_id}/channel/messages",
            {"text": f"Пост {number}"}, auth)
        assert status == 201, body
        heard = await asyncio.gather(*waiting)
        assert heard == ["post"] * len(streams), f"{heard.count('post')} of {len(streams)}"
        delays += [[at for name, at in s.events if name == "post"][-1] - sent for s in streams]
    return delays


def percentiles_ms(values):
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))] * 1000  # noqa: E731
    return pick(0.5), pick(0.99), values[-1] * 1000


def thread_model_baseline(env, workdir, tokens, business_id):
    """How many of 100 streams the thread-per-stream model (64 threads) opens within 5 s
    each, and whether /api/health still answers (within 5 s) while they are held."""
    server = Server(env, workdir, free_port(), ["--worker-class", "gthread",
                                                 "--threads", "64"]).start()
    loop = Loop()

    async def attempt(topic, token):
        try:
            return await asyncio.wait_for(open_streams(server.port, [(topic, token)]), 5)
        except TimeoutError:
            return [None]

    async def all_of_them():
        return await asyncio.gather(*[attempt(f"channel:{business_id}", tokens[i // PER_GUEST])
                                      for i in range(100)])

    streams = [found[0] for found in loop.run(all_of_them(), timeout=120)]
    held = sum(1 for s in streams if s)
    try:
        health = "answers" if request(server.port, "GET", "/api/health")[0] == 200 else "fails"
    except OSError:
        health = "times out"
    for stream in streams:
        if stream:
            stream.close()
    loop.close()
    server.stop()
    return held, health


# --- reconnects -------------------------------------------------------------------------------

class LiveJsClient:
    """A client that reconnects as live.js does."""

    def __init__(self, port, topic, token):
        self.port, self.topic, self.token = port, topic, token
        self.ready_at = None  # when its latest stream said ready
        self.failures = 0
        self.stopped = False

    async def run(self):
        while not self.stopped:
            try:
                stream = await open_stream(HOST, self.port, f"/api/stream?topics={self.topic}",
                                           {"Authorization": f"Bearer {self.token}"}, timeout=30)
            except (TimeoutError, OSError, asyncio.IncompleteReadError):
                await self.later()
                continue
            if stream.status != 200:
                await self.later(int(stream.headers.get("retry-after") or 0))
                continue
            broken = False
            try:
                while (name := await stream.next_event(None)) is not None:
                    if name == "ready":
                        self.ready_at, self.failures = time.monotonic(), 0
            except (OSError, asyncio.IncompleteReadError):
                broken = True
            stream.close()
            if broken:
                await self.later()

    async def later(self, minimum_seconds=0):
        self.failures += 1
        delay = min(30.0, 2 ** (self.failures - 1))
        delay = delay / 2 + random.random() * delay / 2  # noqa: S311
        await asyncio.sleep(max(delay, minimum_seconds))


async def reconnect_storm(server, tokens, business_id):
    clients = [LiveJsClient(server.port, f"channel:{business_id}", tokens[i // PER_GUEST])
               for i in range(RECONNECTING)]
    tasks = [asyncio.ensure_future(c.run()) for c in clients]
    while sum(1 for c in clients if c.ready_at) < RECONNECTING:
        await asyncio.sleep(0.05)
    progress(f"{RECONNECTING} clients connected; restarting the server")
    stopped_at = time.monotonic()
    await asyncio.to_thread(server.stop)
    progress(f"stopped after {time.monotonic() - stopped_at:.1f} s; starting again")
    await asyncio.to_thread(server.start)
    serving_at = time.monotonic()
    while sum(1 for c in clients if c.ready_at and c.ready_at > stopped_at) < RECONNECTING:
        await asyncio.sleep(0.02)
    back_at = max(c.ready_at for c in clients)
    for client in clients:
        client.stopped = True
    for task in tasks:
        task.cancel()
    return serving_at - stopped_at, back_at - stopped_at, back_at - serving_at


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=5000)
    parser.add_argument("--posts", type=int, default=10)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.streams * 2 + 1000)),
                                                hard))
    guests = -(-max(args.streams, RECONNECTING) // PER_GUEST) + 1  # and one for the baseline
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = server_env(workdir, "WARNING")
        env.update(LIVE_STREAMS_PER_IP="1000000", WIDGET_GUESTS_PER_IP="1000000/hour")
        migrate(env)
        server = Server(env, workdir, free_port()).start()
        auth, (shop, other) = owner_and_shops(server)
        progress(f"making {guests} widget guests")
        tokens = guest_tokens(server, guests)

        progress("baseline: GET /api/me with no stream open")
        idle = me_latency(server, auth)
        loop = Loop()
        progress("baseline: fan-out to 1 subscriber")
        one = loop.run(open_streams(server.port, [(f"channel:{shop}", tokens[-1])]))
        single = loop.run(fan_out(server.port, one, auth, shop, args.posts))
        one[0].close()

        rss_before = server.worker_rss_kb()
        progress(f"opening {args.streams} streams")
        started = time.monotonic()
        wanted = [(f"channel:{shop if i < FANOUT else other}", tokens[i // PER_GUEST])
                  for i in range(args.streams)]
        streams = loop.run(open_streams(server.port, wanted))
        opened = [s for s in streams if s]
        listeners = [s for s, (topic, _token) in zip(streams, wanted, strict=True)
                     if s and topic == f"channel:{shop}"]
        open_seconds = time.monotonic() - started
        rss_after = server.worker_rss_kb()
        progress(f"{len(opened)} open after {open_seconds:.1f} s; GET /api/me while held")
        held = me_latency(server, auth)
        progress(f"fan-out of {args.posts} posts to {FANOUT} subscribers")
        many = loop.run(fan_out(server.port, listeners, auth, shop, args.posts))
        for stream in opened:
            stream.close()

        progress(f"reconnect storm: {RECONNECTING} clients, the server restarted")
        restart, everyone, after_serving = loop.run(reconnect_storm(server, tokens, shop))
        loop.close()
        server.stop()

        progress("baseline: the thread-per-stream model (gthread, 64 threads)")
        thread_held, thread_health = thread_model_baseline(env, workdir, tokens, shop)

    per_stream = (rss_after - rss_before) / max(1, len(opened))
    print()
    print(f"{'figure':<52}{'measured':>16}{'baseline':>22}")
    print("-" * 90)
    print(f"{'streams held at once (goal 5,000)':<52}{len(opened):>16,}"
          f"{f'{thread_held} of 100 (gthread)':>22}")
    print(f"{'  /api/health with them held (gthread baseline)':<52}{'answers':>16}"
          f"{thread_health:>22}")
    print(f"{'GET /api/me p50 ms (goal within 2x of idle)':<52}{held[0]:>16.2f}"
          f"{f'{idle[0]:.2f} idle':>22}")
    print(f"{'GET /api/me p99 ms':<52}{held[1]:>16.2f}{f'{idle[1]:.2f} idle':>22}")
    print(f"{'GET /api/me errors (goal 0)':<52}{f'{held[2]} of {held[3]}':>16}"
          f"{f'{idle[2]} of {idle[3]} idle':>22}")
    print(f"{'resident memory per open stream, KB':<52}{per_stream:>16.1f}"
          f"{f'{rss_before / 1024:.0f} MB with none':>22}")
    fan = percentiles_ms(many)
    base = percentiles_ms(single)
    print(f"{'fan-out to 1,000 subscribers p50 ms':<52}{fan[0]:>16.1f}"
          f"{f'{base[0]:.1f} to 1':>22}")
    print(f"{'fan-out to 1,000 subscribers p99 ms (goal < 1,000)':<52}{fan[1]:>16.1f}"
          f"{f'{base[1]:.1f} to 1':>22}")
    print(f"{'fan-out to 1,000 subscribers max ms':<52}{fan[2]:>16.1f}"
          f"{f'{base[2]:.1f} to 1':>22}")
    print(f"{'2,000 clients back after a restart, s from SIGTERM':<52}{everyone:>16.1f}"
          f"{f'{restart:.1f} server alone':>22}")
    print(f"{'  of which after the server answered again, s':<52}{after_serving:>16.1f}")
    print()
    ratio = held[0] / idle[0] if idle[0] else float("inf")
    print(f"GET /api/me p50 with {len(opened):,} streams held is {ratio:.2f}x idle; "
          f"opening them took {open_seconds:.1f} s.")


if __name__ == "__main__":
    main()
