"""The embedded store keeps data across restarts and between processes on the same file."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import mongoengine
import pytest
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from app import migrate
from app.embedded_store import EmbeddedServerStore, client_class
from app.models import User
from tests.conftest import build_app, settings
from tests.factories import signed_in

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(bool(os.environ.get("MONGODB_URI")),
                                reason="tests of the embedded store itself; MONGODB_URI is set")


def reopen(path):
    """A new process's view of the file: a fresh store loaded from disk."""
    return client_class(EmbeddedServerStore(path))()["bank"]["things"]


def test_a_user_survives_a_restart(tmp_path, auth, make_app):
    app = make_app()
    client = app.test_client()
    auth.client = client
    tokens = auth.sign_in("+79161234567")
    client.put(f"/api/users/{tokens['user']['id']}", json={"name": "Анна"},
               headers=auth.bearer(tokens["accessToken"]))
    mongoengine.disconnect()

    restarted = build_app(tmp_path)  # same settings, same file, new process state
    with restarted.app_context():
        user = User.objects.get(phone="+79161234567")
        assert user.name == "Анна" and user.id == tokens["user"]["id"]
    # The tokens issued before the restart still work: the secrets are kept too.
    me = restarted.test_client().get("/api/me", headers=auth.bearer(tokens["accessToken"]))
    assert me.status_code == 200


def test_every_write_path_is_journalled(tmp_path):
    path = tmp_path / "s.sqlite3"
    things = client_class(EmbeddedServerStore(path))()["bank"]["things"]
    things.create_index("key", unique=True)
    things.insert_many([{"_id": i, "key": f"k{i}", "n": 0} for i in range(6)])
    things.update_one({"_id": 0}, {"$inc": {"n": 5}})
    things.update_many({"_id": {"$in": [1, 2]}}, {"$set": {"n": 7}})
    things.replace_one({"_id": 3}, {"key": "k3", "n": 3})
    things.update_one({"_id": 99}, {"$set": {"key": "k99"}}, upsert=True)
    things.find_one_and_update({"_id": 4}, {"$push": {"tags": "x"}},
                               return_document=ReturnDocument.AFTER)
    things.delete_one({"_id": 5})

    again = reopen(path)
    assert {d["_id"]: d.get("n") for d in again.find()} == {0: 5, 1: 7, 2: 7, 3: 3, 4: 0, 99: None}
    assert again.find_one({"_id": 4})["tags"] == ["x"]
    # The unique index came back too.
    with pytest.raises(DuplicateKeyError):
        again.insert_one({"key": "k1"})


def test_a_failed_unique_update_is_rolled_back_on_disk_too(tmp_path):
    path = tmp_path / "s.sqlite3"
    things = client_class(EmbeddedServerStore(path))()["bank"]["things"]
    things.create_index("key", unique=True)
    things.insert_many([{"_id": 1, "key": "a"}, {"_id": 2, "key": "b"}])
    with pytest.raises(DuplicateKeyError):
        things.update_one({"_id": 2}, {"$set": {"key": "a"}})
    assert reopen(path).find_one({"_id": 2})["key"] == "b"


def test_dropping_a_collection_is_journalled(tmp_path):
    path = tmp_path / "s.sqlite3"
    things = client_class(EmbeddedServerStore(path))()["bank"]["things"]
    things.insert_one({"_id": 1})
    things.drop()
    assert list(reopen(path).find()) == []


def test_writes_from_another_process_are_seen_after_refresh(tmp_path):
    app = build_app(tmp_path)
    env = {**os.environ, **settings(tmp_path), "FLASK_APP": "wsgi"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "create-admin", "--phone", "8 912 345-67-89"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    with app.test_request_context():
        app.extensions["embedded_store"].refresh()
        admin = User.objects.get(phone="+79123456789")
        assert admin.platform_roles == ["superadmin"]


def test_migrations_are_recorded_once(tmp_path):
    app = build_app(tmp_path)
    with app.app_context():
        assert migrate.pending() == []
        assert migrate.run(echo=lambda _l: None) == []


def test_lookups_by_id_answer_like_a_scan(tmp_path):
    things = client_class(EmbeddedServerStore(tmp_path / "s.sqlite3"))()["bank"]["things"]
    things.insert_many([{"_id": "a", "n": 1}, {"_id": "b", "n": 2}, {"_id": 3, "n": 3}])
    assert things.find_one({"_id": "b"})["n"] == 2
    assert things.find_one({"_id": 3})["n"] == 3
    assert things.find_one({"_id": "b", "n": 1}) is None  # the other conditions still apply
    assert things.find_one({"_id": "zz"}) is None
    assert things.count_documents({"_id": {"$in": ["a", "b"]}}) == 2
    things.update_one({"_id": "a"}, {"$inc": {"n": 10}})
    assert reopen(tmp_path / "s.sqlite3").find_one({"_id": "a"})["n"] == 11


def test_fast_paths_answer_like_mongodb(tmp_path):
    from datetime import datetime, timedelta

    things = client_class(EmbeddedServerStore(tmp_path / "s.sqlite3"))()["bank"]["things"]
    start = datetime(2026, 1, 1)
    things.insert_many([{"_id": n, "at": start + timedelta(days=n), "name": f"n{n:02d}"}
                        for n in range(20)])
    things.insert_many([{"_id": 100, "at": None}, {"_id": 101, "at": [start]},
                        {"_id": 102}, {"_id": 103, "at": "2026-01-05"}])
    recent = things.find({"at": {"$gte": start + timedelta(days=15)}})
    assert sorted(d["_id"] for d in recent) == [15, 16, 17, 18, 19]
    # An array holding a matching date matches, as in MongoDB; null, missing, text do not.
    early = things.find({"at": {"$lt": start + timedelta(days=2)}})
    assert sorted(d["_id"] for d in early) == [0, 1, 101]
    assert [d["_id"] for d in things.find({"name": {"$gt": "n17"}}).sort("_id")] == [18, 19]
    # Cursors with skip and limit, read one by one.
    page = things.find({"name": {"$exists": True}}).sort("_id").skip(5).limit(3)
    assert [d["_id"] for d in page] == [5, 6, 7]
    # A leading $match and $project in an aggregation.
    things.delete_many({"_id": {"$in": [100, 101, 102, 103]}})
    grouped = list(things.aggregate([
        {"$match": {"at": {"$gte": start, "$lt": start + timedelta(days=10)}}},
        {"$project": {"at": 1, "_id": 0}},
        {"$group": {"_id": None, "n": {"$sum": 1}, "last": {"$max": "$at"}}},
    ]))
    assert grouped == [{"_id": None, "n": 10, "last": start + timedelta(days=9)}]


class WriteDuringRead:
    """A journal connection that lets another process commit right after `docs` is read."""

    def __init__(self, conn, other_write):
        self.conn, self.other_write = conn, other_write

    def execute(self, sql, *args):
        cursor = self.conn.execute(sql, *args)
        rows = cursor.fetchall() if sql.lstrip().startswith("SELECT") else None
        if "FROM docs" in sql and self.other_write:
            self.other_write()
            self.other_write = None
        return FetchedRows(rows) if rows is not None else cursor

    def __getattr__(self, name):
        return getattr(self.conn, name)


class FetchedRows:
    def __init__(self, rows):
        self.rows = rows

    def fetchall(self):
        return self.rows

    def __iter__(self):
        return iter(self.rows)

    def fetchone(self):
        return self.rows[0] if self.rows else None


def test_a_write_landing_while_another_process_reads_is_not_lost(tmp_path):
    path = tmp_path / "s.sqlite3"
    web_store = EmbeddedServerStore(path)
    web = client_class(web_store)()["bank"]["things"]
    worker = reopen(path)
    web.insert_one({"_id": 1, "status": "queued"})
    worker.database.client._store.refresh()
    worker.insert_one({"_id": 2, "status": "queued"})

    # The worker commits its second write while the web process is reading the first.
    journal = web_store.journal
    journal.conn = WriteDuringRead(
        journal.conn, lambda: worker.update_one({"_id": 1}, {"$set": {"status": "sent"}}))
    web_store.refresh()
    journal.conn = journal.conn.conn
    web_store.refresh()

    assert web.find_one({"_id": 2})["status"] == "queued"
    assert web.find_one({"_id": 1})["status"] == "sent"


MAKE_BUSINESS = """
import json, sys
from app import create_app
from app.accounts import users
from app.businesses import businesses
app = create_app(json.loads(sys.argv[1]))
with app.test_request_context():
    owner = users.ensure_user("+79160001111")
    print(businesses.create(owner, "Новая кофейня", slug="new-coffee").id)
"""


def test_a_business_made_by_another_process_a_moment_ago_is_found_not_404(tmp_path, app,
                                                                           client):
    """Each process looks at the journal at most every 200 ms per request; a lookup that
    misses looks again before answering 404 (the review saw 404 half a second after the
    business was made through another worker)."""
    reader = signed_in(app, "+79160002222")
    made = subprocess.run([sys.executable, "-c", MAKE_BUSINESS, json.dumps(settings(tmp_path))],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr[-2000:]
    business_id = made.stdout.strip().splitlines()[-1]
    # As if this process had looked at the journal a moment ago: the next request skips it.
    app.extensions["embedded_store"]._checked_at = time.monotonic()
    started = client.post(f"/api/businesses/{business_id}/start-dialog",
                          headers={"Authorization": f"Bearer {reader['accessToken']}"})
    assert started.status_code == 200, started.get_json()
    assert client.get("/api/businesses/slug/new-coffee").status_code == 200
