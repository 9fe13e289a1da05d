"""gunicorn settings, from the environment.

The embedded store is loaded into each process's memory (and journalled to its file), so
embedded mode runs one worker with threads; with MONGODB_URI set, several worker processes
share the real database.
"""

import multiprocessing
import os

from dotenv import load_dotenv

load_dotenv(".env", override=False)  # the same settings the app reads

bind = os.environ.get("BIND", "127.0.0.1:5000")
_embedded = not os.environ.get("MONGODB_URI")
_default_workers = 1 if _embedded else multiprocessing.cpu_count() * 2 + 1
workers = int(os.environ.get("GUNICORN_WORKERS", _default_workers))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 8))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
accesslog = None  # the app writes one JSON line per request itself
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
