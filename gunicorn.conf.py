"""gunicorn settings, from the environment.

Workers are gevent's (greenlets, not threads): an open live-updates stream is a parked
greenlet that costs memory, so one worker keeps thousands of chats open and still answers
every other request. Each worker accepts at most LIVE_STREAMS_MAX streams plus
GUNICORN_SPARE_CONNECTIONS ordinary connections, so streams never take the room of a page.

The embedded store is loaded into each process's memory (and journalled to its file), so
embedded mode runs one worker; with MONGODB_URI set, several worker processes share the real
database (and REDIS_URL carries live events between them).
"""

import multiprocessing
import os
import resource
import shutil
import signal
import tempfile
import threading
from collections import Counter
from pathlib import Path

from dotenv import load_dotenv
from gunicorn.workers.ggevent import GeventWorker

load_dotenv(".env", override=False)  # the same settings the app reads

bind = os.environ.get("BIND", "127.0.0.1:5000")
_embedded = not os.environ.get("MONGODB_URI")
_default_workers = 1 if _embedded else multiprocessing.cpu_count() * 2 + 1
workers = int(os.environ.get("GUNICORN_WORKERS", _default_workers))
worker_connections = int(os.environ.get("LIVE_STREAMS_MAX", 10000)) + int(
    os.environ.get("GUNICORN_SPARE_CONNECTIONS", 1000))
connections_per_ip = int(os.environ.get("GUNICORN_CONNECTIONS_PER_IP", 200))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
accesslog = None  # the app writes one JSON line per request itself
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# A trusted proxy brings many people over its connections, and limits them itself.
_proxies = {address.strip() for address in forwarded_allow_ips.split(",")}
# GET /metrics adds up every worker's values, which each writes to files in this folder
# (prometheus_client's multiprocess mode); it must be set before a worker imports the app, and
# is emptied at each start (on_starting) so a past run's workers are not counted.
# prometheus_client reads it when first imported: this file imports it only in its hooks.
_own_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="bank-metrics-")


class CappedGeventWorker(GeventWorker):
    """gevent's worker, where one client address holds at most `connections_per_ip` open
    connections (a trusted proxy's excepted): past that a connection is closed at once, so
    one visitor's idle or slow connections never take the room of everyone else's."""

    def init_process(self):
        self.held = Counter()
        super().init_process()

    def handle(self, listener, client, addr):
        ip = addr[0] if isinstance(addr, tuple) else None
        if ip is None or ip in _proxies or "*" in _proxies:
            return super().handle(listener, client, addr)
        if self.held[ip] >= connections_per_ip:
            client.close()
            return None
        self.held[ip] += 1
        try:
            return super().handle(listener, client, addr)
        finally:
            self.held[ip] -= 1
            if not self.held[ip]:
                del self.held[ip]


worker_class = CappedGeventWorker


def on_starting(server):
    """Empty the metrics folder of a past run. Every connection is a file descriptor: allow
    as many as the hard limit lets us."""
    metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in metrics_dir.glob("*.db"):  # only prometheus_client's files
        stale.unlink(missing_ok=True)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = worker_connections + 1000  # and the store, logs, Redis, …
    if soft < wanted and soft != resource.RLIM_INFINITY:
        resource.setrlimit(resource.RLIMIT_NOFILE, (
            wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft < wanted:
        server.log.warning("only %s file descriptors: fewer streams than LIVE_STREAMS_MAX "
                           "can be open (raise `ulimit -n`)", soft)


def post_worker_init(worker):
    """On SIGTERM also end this worker's live streams: each would otherwise keep the worker
    for graceful_timeout, and their clients reconnect elsewhere anyway."""
    import gevent
    from gevent import monkey

    from app.live import bus  # here, not at the top: the master reads this file, never the app

    stop = signal.getsignal(signal.SIGTERM)

    def handle_term(sig, frame):
        stop(sig, frame)
        # A greenlet under gevent (starting a thread would wait, which its signal callback may
        # not do), else a thread: the streams' locks are not for a signal handler.
        if monkey.is_module_patched("threading"):
            gevent.spawn(bus.shutdown, worker.wsgi)
        else:
            threading.Thread(target=bus.shutdown, args=(worker.wsgi,), daemon=True).start()

    signal.signal(signal.SIGTERM, handle_term)


def child_exit(server, worker):
    """A worker that ended: its live gauges (open streams) stop counting; its counters stay."""
    from prometheus_client import multiprocess  # here: it must see the folder set above

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """A folder made for this run goes with it."""
    if _own_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
