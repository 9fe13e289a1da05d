"""gunicorn settings, from the environment.

The embedded store is loaded into each process's memory (and journalled to its file), so
embedded mode runs one worker with threads; with MONGODB_URI set, several worker processes
share the real database.
"""

import multiprocessing
import os
import signal
import threading

from dotenv import load_dotenv

load_dotenv(".env", override=False)  # the same settings the app reads

bind = os.environ.get("BIND", "127.0.0.1:5000")
_embedded = not os.environ.get("MONGODB_URI")
_default_workers = 1 if _embedded else multiprocessing.cpu_count() * 2 + 1
workers = int(os.environ.get("GUNICORN_WORKERS", _default_workers))
worker_class = "gthread"
# Each open live-updates stream (app/api/stream.py) holds a thread for up to a minute, so
# there are many more threads than cores; most of them wait.
threads = int(os.environ.get("GUNICORN_THREADS", 64))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
accesslog = None  # the app writes one JSON line per request itself
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """On SIGTERM also end this worker's live streams: each would otherwise keep the worker
    for graceful_timeout, and their clients reconnect elsewhere anyway."""
    from app.live import bus  # here, not at the top: the master reads this file, never the app

    stop = signal.getsignal(signal.SIGTERM)

    def handle_term(sig, frame):
        stop(sig, frame)
        # A thread: the streams' locks are not for a signal handler to take.
        threading.Thread(target=bus.shutdown, args=(worker.wsgi,), daemon=True).start()

    signal.signal(signal.SIGTERM, handle_term)
