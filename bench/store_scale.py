"""The embedded store at the size of a city: the catalog, signing in, the profile, posting a
message and the cabinet's inbox on stores of 1,000, 10,000 and 100,000 businesses, each
figure next to its baseline from the same run; the time `flask seed-demo` takes; memory.

Run by hand from the repo root:
    .venv/bin/python bench/store_scale.py [--sizes 1000,10000,100000] [--messages 1000000]
    .venv/bin/python bench/store_scale.py --quick      # sizes 200,1000: a smoke run

Stores (bench/city.py builds them, each in a spawned process, in a temporary directory): the
EMPTY store is `flask migrate` and the part made through the services (people who signed in,
a coffee shop with 40 dialogs, a dozen businesses); a store of N businesses adds, in bulk,
10 N people, 5 N subscriptions and dialogs with 10 N messages (or --messages at the largest
size, the others in proportion). For each store:

1. In-process (a spawned process that opens the store as a server does): the time
   create_app() takes to open it, resident memory, and `catalog.search()` timed for a text,
   a category and a distance search (2 km), the kinds taking turns and each rotating over a
   few queries, up to --runs runs each (fewer once the time budget is spent): p50 and p99.
2. A gunicorn server on the store (`gunicorn -c gunicorn.conf.py`, as `make run`): its time
   to answer, then, one keep-alive connection at a time and interleaved in rounds with the
   EMPTY store's server, p50 and p99 of send-code and verify-code (a new person, and one who
   signed in before), GET /api/me, posting in a dialog of the coffee shop and its owner
   opening the cabinet's inbox (and a dialog in it). Then 8 clients on each catalog search,
   interleaved with the smallest size's server (harness.measure): requests per second.
   Then the gunicorn worker's resident memory.
3. Last, `flask seed-demo --businesses N` on fresh stores (after `flask migrate`), timed.

Goals (information, not assertions): the catalog at 100,000 within 2x of the 1,000 figure;
the other requests within 1.5x of the empty store; seed-demo of 10,000 in under 60 s.
"""

import argparse
import contextlib
import http.client
import itertools
import json
import multiprocessing
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `app`, and the top-level `widget` before bench/widget.py

import city  # noqa: E402
import harness  # noqa: E402
import scale_report  # noqa: E402
from harness import (  # noqa: E402
    BIN,
    HOST,
    Target,
    fetch,
    flask,
    gunicorn_process,
    measure,
    next_phone,
    read_code,
    server_env,
)

SIZES, SEEDS = (1000, 10_000, 100_000), (1000, 10_000)
QUICK = {"sizes": (200, 1000), "seeds": (100, 300)}
MESSAGES_PER_BUSINESS = 10  # 1,000,000 at 100,000 businesses, unless --messages
TEXT = ["кофейня", "барбершоп", "цвет", "хамовники", "суши"]  # суши: nothing has it
CATEGORIES = ["food", "coffee", "beauty", "repair"]
POINTS = [(55.7558, 37.6173), (55.7290, 37.5700), (55.6500, 37.7450), (55.8450, 37.3600)]
RADIUS = 2000
MIN_RUNS = 5
JSON_TYPE = {"Content-Type": "application/json"}
# The bench signs the same people in again within a minute and posts faster than a person.
LIMITS = {"SMS_RESEND_SECONDS": "0", "SMS_LIMIT_PER_PHONE_AND_IP": "1000000/hour",
          "SMS_LIMIT_PER_PHONE": "1000000/hour", "MESSAGES_PER_MINUTE": "1000000/minute",
          "CABINET_SESSIONS_PER_USER": "1000000/hour"}
# A store of 100,000 businesses takes minutes to open, and a search on it may take seconds,
# longer than 8 clients' queue allows under harness's defaults.
harness.READY_TIMEOUT_SECONDS = 1800.0
harness.REQUEST_TIMEOUT_SECONDS = 300.0


def queries():
    """{kind: [(label, keyword arguments of catalog.search and the API's query)]}"""
    return {
        "text": [(f"q={q}", {"q": q}) for q in TEXT],
        "category": [(f"category={c}", {"category": c}) for c in CATEGORIES],
        "distance": [(f"{lat},{lng} r={RADIUS}", {"lat": lat, "lng": lng, "radius": RADIUS})
                     for lat, lng in POINTS],
    }


def memory(pid="self"):
    """(VmRSS, VmHWM) in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return tuple(int(re.search(rf"{name}:\s+(\d+)", status).group(1)) / 1024
                 for name in ("VmRSS", "VmHWM"))


# --- in a process of its own ---------------------------------------------------------------------

def in_process(env, runs, budget):
    """Open the store as a server does, then time the catalog's searches in turns."""
    os.environ.clear()
    os.environ.update(env)
    started = time.perf_counter()
    from app import create_app
    from app.businesses import catalog

    app = create_app()
    opened = time.perf_counter() - started
    rss_open = memory()[0]
    kinds = queries()
    times, totals = {kind: [] for kind in kinds}, {}
    with app.app_context():
        for plans in kinds.values():  # warm-up, and what each query finds
            for label, arguments in plans:
                totals[label] = catalog.search(**arguments).total
        stop_at = time.perf_counter() + budget
        for n in range(runs):
            if n >= MIN_RUNS and time.perf_counter() > stop_at:
                break
            for kind, plans in kinds.items():
                arguments = plans[n % len(plans)][1]
                began = time.perf_counter()
                catalog.search(**arguments)
                times[kind].append(time.perf_counter() - began)
    return {"open_s": opened, "rss_open": rss_open, "rss_peak": memory()[1], "times": times,
            "totals": totals}


def in_child(function, *args):
    """`function(*args)` in a fresh spawned process: its memory goes back when it ends."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
        return child.submit(function, *args).result()


# --- servers and one request at a time ---------------------------------------------------------

class Server:
    """A gunicorn server on one store, with the people the requests are made as."""

    def __init__(self, label, stack, env, workdir, found):
        self.label, self.found, self.log = label, found, workdir / "gunicorn.log"
        began = time.perf_counter()
        self.port, self.master = stack.enter_context(
            gunicorn_process("wsgi:app", env, self.log, "/api/health"))
        self.ready_s = time.perf_counter() - began
        self.conn = None
        self.reconnect()
        self.returning = itertools.cycle(found["regulars"])
        self.token = self.sign_in(found["poster_phone"])[2]
        owner = self.sign_in(found["owner_phone"])[2]
        opened = self.call("POST", "/cabinet/session", headers={
            "Authorization": f"Bearer {owner}"})
        self.cookie = opened.headers["Set-Cookie"].split(";")[0]
        self.rss_ready = self.worker_memory()[0]

    def reconnect(self):
        """A fresh keep-alive connection, opened before anything is timed (the server closes
        one left idle for gunicorn.conf.py's keepalive, 5 s)."""
        if self.conn is not None:
            self.conn.close()
        self.conn = http.client.HTTPConnection(HOST, self.port, timeout=300)
        self.conn.connect()

    def worker_memory(self):
        children = Path(f"/proc/{self.master.pid}/task/{self.master.pid}/children").read_text()
        return memory(children.split()[0])

    def call(self, method, path, payload=None, headers=None, expect=(200, 201)):
        body = json.dumps(payload) if payload is not None else None
        reply = fetch(self.conn, method, path, body=body, headers={**JSON_TYPE, **(headers or {})})
        if reply.status not in expect:
            raise RuntimeError(f"{self.label}: {method} {path} answered {reply.status}: "
                               f"{reply.body[:300]!r}")
        return reply

    def sign_in(self, phone):
        """(send-code seconds, verify-code seconds, access token)"""
        sent = self.call("POST", "/api/auth/send-code", {"phone": phone})
        code = read_code(self.log, phone)
        done = self.call("POST", "/api/auth/verify-code", {"phone": phone, "code": code})
        return sent.seconds, done.seconds, done.json()["data"]["accessToken"]

    def samples(self):
        """One sample of every request: {row: seconds}."""
        new = self.sign_in(next_phone())
        again = self.sign_in(next(self.returning))
        found, bearer = self.found, {"Authorization": f"Bearer {self.token}"}
        inbox = f"/cabinet/b/{found['hot']}/inbox"
        return dict(zip(scale_report.REQUESTS, (
            new[0], new[1], again[0], again[1],
            self.call("GET", "/api/me", headers=bearer).seconds,
            self.call("POST", f"/api/dialogs/{found['poster_dialog']}/messages",
                      {"text": "Здравствуйте! Можно заказать торт на субботу?"},
                      headers=bearer).seconds,
            self.call("GET", inbox, headers={"Cookie": self.cookie}).seconds,
            self.call("GET", f"{inbox}?dialog={found['reader_dialog']}",
                      headers={"Cookie": self.cookie}).seconds), strict=True))


def one_at_a_time(servers, rounds, per_round, budget):
    """{server label: {row: [seconds]}}: `per_round` samples on each server in turn, `rounds`
    times (fewer once a server has spent its share of `budget` in a round; at least one)."""
    for server in servers:
        server.reconnect()
        for _ in range(2):
            server.samples()  # warm-up: templates compiled, caches filled
    found = {server.label: {row: [] for row in scale_report.REQUESTS} for server in servers}
    for round_number in range(1, rounds + 1):
        for server in servers:
            server.reconnect()
            stop_at = time.perf_counter() + budget / rounds
            for n in range(per_round):
                if n and time.perf_counter() > stop_at:
                    break
                for row, seconds in server.samples().items():
                    found[server.label][row].append(seconds)
        print(f"    round {round_number}/{rounds} of single requests done", flush=True)
    return found


def catalog_targets(server):
    return [(server.port, Target(f"{kind} {plans[0][0]} on {server.label}", "GET",
                                 "/api/catalog?" + urlencode(plans[0][1], quote_via=quote)))
            for kind, plans in queries().items()]


# --- seed-demo ---------------------------------------------------------------------------------

def seed_demo(workdir, businesses, timeout):
    """Seconds `flask seed-demo --businesses N` takes on a fresh store (after `flask migrate`),
    or None when stopped at `timeout`; and how many businesses the store then holds."""
    workdir.mkdir()
    env = server_env(workdir, "WARNING")
    flask(env, "migrate")
    began = time.perf_counter()
    process = subprocess.Popen([str(BIN / "flask"), "seed-demo", "--businesses", str(businesses)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=timeout)
        seconds = time.perf_counter() - began
        if process.returncode:
            raise RuntimeError(f"flask seed-demo --businesses {businesses} failed")
    except subprocess.TimeoutExpired:
        seconds = None
    finally:
        harness.stop(process)
    with contextlib.closing(sqlite3.connect(env["EMBEDDED_STORE_PATH"])) as store:
        made = store.execute("SELECT count(*) FROM docs WHERE coll = 'businesses' "
                             "AND body IS NOT NULL").fetchone()[0]
    return seconds, made


# --- the run -----------------------------------------------------------------------------------

def build(tmp, label, size, messages):
    workdir = tmp / label
    workdir.mkdir()
    env = {**server_env(workdir, "WARNING"), **LIMITS}
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{label}: building the store (load average {load})", flush=True)
    found = in_child(city.build, env, size, messages)
    print(f"  built in {found['seconds']:.0f} s: {sum(found['counts'].values()):,} documents",
          flush=True)
    for line in found["shape_report"]:
        print(f"  WARNING, the bulk's shape: {line}", flush=True)
    return env, workdir, found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help="businesses per store, e.g. 1000,10000,100000")
    parser.add_argument("--messages", type=int, help="messages at the largest size, the "
                        "smaller in proportion (default: 10 per business)")
    parser.add_argument("--seeds", help="seed-demo sizes to time, e.g. 1000,10000 ('' for none)")
    parser.add_argument("--seed-timeout", type=float, default=900.0)
    parser.add_argument("--runs", type=int, default=200, help="in-process runs per search")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: sizes 200,1000, seed-demo of 100 and 300, less time "
                             "per figure")
    args = parser.parse_args()
    plan = QUICK if args.quick else {"sizes": SIZES, "seeds": SEEDS}
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(plan["sizes"])
    largest_messages = args.messages if args.messages is not None \
        else MESSAGES_PER_BUSINESS * max(sizes)
    seeds = [int(s) for s in args.seeds.split(",") if s] if args.seeds is not None \
        else list(plan["seeds"])
    quick = args.quick
    budget = 10.0 if quick else 60.0  # s: the in-process searches, each server's requests
    rounds, per_round = 3, 5 if quick else 20
    load_seconds = {"warmup_seconds": 1.0, "measure_seconds": 3.0} if quick else {}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    began = time.perf_counter()
    results = scale_report.Results(sizes)
    with tempfile.TemporaryDirectory(prefix="bank-bench-scale-") as tmp, \
            contextlib.ExitStack() as kept:
        tmp = Path(tmp)
        env, workdir, found = build(tmp, "empty", 0, 0)
        results.add_store("empty", found, in_child(in_process, env, args.runs, budget))
        empty = Server("empty", kept, env, workdir, found)
        smallest = None
        for size in sizes:
            label = f"{size:,}"
            messages = largest_messages * size // max(sizes)
            env, workdir, found = build(tmp, label, size, messages)
            print(f"  in-process: opening it and {args.runs} runs per search at most",
                  flush=True)
            results.add_store(label, found, in_child(in_process, env, args.runs, budget))
            with contextlib.ExitStack() as this:
                print("  starting its server", flush=True)
                server = Server(label, kept if smallest is None else this, env, workdir, found)
                print(f"  server answering after {server.ready_s:.1f} s; single requests "
                      f"against the empty store's", flush=True)
                results.add_requests(label, one_at_a_time([empty, server], rounds, per_round,
                                                          budget), server, empty)
                smallest = smallest or server
                pair = [smallest] if server is smallest else [smallest, server]
                print(f"  catalog under load: {harness.describe_load(**load_seconds)}",
                      flush=True)
                targets = [target for each in pair for target in catalog_targets(each)]
                results.add_load(label, measure(targets, **load_seconds), smallest.label)
                results.add_worker_memory(label, server.worker_memory(), empty.worker_memory())
            if server is not smallest:
                shutil.rmtree(workdir)  # its server has stopped; gigabytes at 100,000
            print(scale_report.table(results, label), flush=True)  # final for this size
        kept.close()  # servers stop before the seed-demo timings
        for businesses in seeds:
            print(f"flask seed-demo --businesses {businesses} on a fresh store", flush=True)
            seconds, made = seed_demo(tmp / f"seed-{businesses}", businesses, args.seed_timeout)
            results.seeds.append((businesses, seconds, made, args.seed_timeout))
    print(scale_report.seed_table(results))
    print(f"\n{time.perf_counter() - began:.0f} s in all.")


if __name__ == "__main__":
    main()
