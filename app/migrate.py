"""Applies the numbered scripts in migrations/ once each, recording them in the database.

A script is `migrations/NNNN_name.py` with a docstring and a function `up()`. Run them with
`flask migrate`; the app factory never does.
"""

import importlib.util
import re
from datetime import timedelta
from pathlib import Path

from pymongo.errors import DuplicateKeyError

from app import clock, db

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_NAME = re.compile(r"^\d{4}_[a-z0-9_]+\.py$")
_LOCK_TIMEOUT = timedelta(minutes=10)


class MigrationLocked(RuntimeError):
    pass


def discover(directory=MIGRATIONS_DIR):
    return sorted(path for path in Path(directory).iterdir() if _NAME.match(path.name))


def applied():
    return {record["_id"] for record in db.database()["migrations"].find({}, {"_id": 1})}


def pending(directory=MIGRATIONS_DIR):
    done = applied()
    return [path for path in discover(directory) if path.stem not in done]


def _load(path):
    spec = importlib.util.spec_from_file_location(f"migrations.{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _lock():
    locks = db.database()["migration_lock"]
    now = clock.now()
    locks.delete_many({"_id": "lock", "takenAt": {"$lt": now - _LOCK_TIMEOUT}})
    try:
        locks.insert_one({"_id": "lock", "takenAt": now})
    except DuplicateKeyError:
        raise MigrationLocked("another migration run is in progress") from None


def _unlock():
    db.database()["migration_lock"].delete_one({"_id": "lock"})


def run(echo=print, directory=MIGRATIONS_DIR):
    """Apply every pending migration in order; return the names applied."""
    _lock()
    try:
        names = []
        for path in pending(directory):
            module = _load(path)
            echo(f"applying {path.stem}: {(module.__doc__ or '').strip().splitlines()[0]}")
            module.up()
            db.database()["migrations"].insert_one({"_id": path.stem, "appliedAt": clock.now()})
            names.append(path.stem)
        return names
    finally:
        _unlock()
