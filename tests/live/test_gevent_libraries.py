"""The server runs on gevent (gunicorn.conf.py): every library on the request path works
under its monkey patch, from many greenlets at once (tests/gevent_probe.py, in a process of its
own so that the patch comes before any import): the embedded store, Celery in eager mode,
Flask-Limiter, pika and pywebpush."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_request_path_libraries_work_under_gevent(tmp_path, rabbitmq_url):
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "gevent_probe.py"),
                           str(tmp_path), rabbitmq_url], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert results == dict.fromkeys(["embedded_store", "celery_eager", "flask_limiter", "pika",
                                     "pywebpush", "cooperative", "patched"], "ok")
