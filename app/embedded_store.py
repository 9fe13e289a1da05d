"""The embedded database: mongomock in memory, journalled to an SQLite file.

Queries run on mongomock. Every write is also written through to SQLite (one row per
document, a tombstone for a delete), so data survives a restart, and every row carries a
sequence number so that other processes on the same file (the CLI, a Celery worker) pick up
each other's writes with `refresh()`.

mongomock updates documents in place inside `Collection._update`, which its store never sees;
we record the ids that an update touches by wrapping `_update` and `_iter_documents`. Those
are mongomock 4.3 internals, hence the pin in requirements.txt; tests/app/test_embedded_store.py
covers every write path.
"""

import collections
import contextlib
import gc
import os
import pickle
import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path

import mongomock
from mongomock import collection as mongomock_collection
from mongomock.store import CollectionStore, DatabaseStore, ServerStore

from app import embedded_reads, embedded_speedups
from app.embedded_indexes import CollectionIndexes, FieldIndex

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    db TEXT NOT NULL, coll TEXT NOT NULL, key BLOB NOT NULL,
    seq INTEGER NOT NULL, body BLOB,
    PRIMARY KEY (db, coll, key)
);
CREATE INDEX IF NOT EXISTS docs_seq ON docs (seq);
CREATE TABLE IF NOT EXISTS colls (
    db TEXT NOT NULL, coll TEXT NOT NULL, seq INTEGER NOT NULL, indexes BLOB NOT NULL,
    PRIMARY KEY (db, coll)
);
CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
INSERT OR IGNORE INTO counter (id, seq) VALUES (1, 0);
"""

_recording = threading.local()
FREEZE_FROM = 100_000  # documents; smaller stores (every test's) are left to the collector


class Journal:
    """The SQLite file behind a store; one connection per process, guarded by a lock."""

    def __init__(self, path):
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self.seen_seq = 0
        self._data_version = None
        self.depth = 0  # nesting of transaction()
        self.on_begin = None  # applies other processes' rows; set by the server store
        self._connect()
        os.register_at_fork(after_in_child=self._connect)

    def _connect(self):
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=10000")
        self.conn.executescript(_SCHEMA)
        self._data_version = None

    @contextlib.contextmanager
    def transaction(self):
        """One write of mongomock's, serialised with every other process's: SQLite's write
        lock is taken first, then what others wrote is applied, then mongomock changes the
        fresh documents and their rows are written. Without this, two processes could each
        change their own stale copy of a document and the later row would undo the other's
        change (the web app and `flask events consume` both update conversations)."""
        with self.lock:
            if self.depth == 0:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    if self.on_begin is not None:
                        self.on_begin()
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise
            self.depth += 1
            try:
                yield
            finally:
                self.depth -= 1
                if self.depth == 0:
                    # Also after an error: mongomock undid its change in memory, and the rows
                    # written meanwhile hold the unchanged documents.
                    self.conn.execute("COMMIT")

    def write(self, docs, colls):
        """Write document rows [(db, coll, key, body|None)] and collection rows atomically."""
        with self.lock:
            own = self.depth == 0  # inside transaction() the caller commits
            if own:
                self.conn.execute("BEGIN IMMEDIATE")
            try:
                seq = self.conn.execute(
                    "UPDATE counter SET seq = seq + 1 WHERE id = 1 RETURNING seq"
                ).fetchone()[0]
                self.conn.executemany(
                    "INSERT OR REPLACE INTO docs (db, coll, key, seq, body) VALUES (?, ?, ?, ?, ?)",
                    [(db, coll, key, seq, body) for db, coll, key, body in docs],
                )
                for db, coll, indexes, dropped in colls:
                    if dropped:
                        self.conn.execute(
                            "UPDATE docs SET body = NULL, seq = ? WHERE db = ? AND coll = ?",
                            (seq, db, coll),
                        )
                    self.conn.execute(
                        "INSERT OR REPLACE INTO colls (db, coll, seq, indexes) VALUES (?, ?, ?, ?)",
                        (db, coll, seq, indexes),
                    )
                if own:
                    self.conn.execute("COMMIT")
            except BaseException:
                if own:
                    self.conn.execute("ROLLBACK")
                raise
            # Our own commits are applied already; only skip ahead if nobody wrote in between.
            if seq == self.seen_seq + 1:
                self.seen_seq = seq

    def changed_elsewhere(self):
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        changed = version != self._data_version
        self._data_version = version
        return changed

    @contextlib.contextmanager
    def rows_since(self, seq):
        """(collection rows, document rows, the newest seq) newer than `seq`, read in one
        snapshot: read apart, a row committed between the reads would count in the newest seq
        without having been read, and would never be read later (a worker's write went missing
        so). The document rows are a cursor, read while they are applied: a whole store's
        rows at start would otherwise all be in memory at once, beside the documents."""
        with self._snapshot():
            yield self._rows_since(seq)

    @contextlib.contextmanager
    def _snapshot(self):
        if self.conn.in_transaction:  # inside transaction(): already one snapshot
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("COMMIT")

    def _rows_since(self, seq):
        colls = self.conn.execute(
            "SELECT db, coll, indexes, seq FROM colls WHERE seq > ? ORDER BY seq", (seq,)
        ).fetchall()
        top = self.conn.execute("SELECT seq FROM counter WHERE id = 1").fetchone()[0]
        docs = self.conn.execute(
            "SELECT db, coll, key, body, seq FROM docs WHERE seq > ? ORDER BY seq, rowid", (seq,))
        return colls, docs, top


class JournalledCollectionStore(CollectionStore):
    """A mongomock collection store that writes every change through to the journal."""

    def __init__(self, name, db_name, journal):
        super().__init__(name)
        self.db_name = db_name
        self.journal = journal
        self.index = CollectionIndexes({})

    def __setitem__(self, key, val):
        with self._rwlock.writer():
            self._documents[key] = val
            self.index.put(key, val)
        self.persist([key])

    def __delitem__(self, key):
        with self._rwlock.writer():
            del self._documents[key]
            self.index.drop(key)
        self.persist([key])

    def reindex(self, keys):
        """Index documents that mongomock changed in place."""
        with self._rwlock.writer():
            for key in keys:
                document = self._documents.get(key)
                if document is None:
                    self.index.drop(key)
                else:
                    self.index.put(key, document)

    def _index_declared(self):
        """Rebuild the in-memory indexes when the declared fields changed."""
        if CollectionIndexes.paths_of(self.indexes) == set(self.index.declared):
            return
        with self._rwlock.writer():
            index = CollectionIndexes(self.indexes)
            for key, document in self._documents.items():
                index.put(key, document)
            self.index = index

    def create_index(self, index_name, index_dict):
        super().create_index(index_name, index_dict)
        self._index_declared()
        self.persist([], collection_changed=True)

    def drop_index(self, index_name):
        super().drop_index(index_name)
        self._index_declared()
        self.persist([], collection_changed=True)

    def drop(self):
        super().drop()
        self.index = CollectionIndexes({})
        self.persist([], collection_changed=True, dropped=True)

    def _expire_documents(self, ttl):
        """mongomock tests every document on every read of a collection with a TTL index; the
        sorted index of its field gives the expired ones directly."""
        (field, _direction), *others = ttl["key"]
        index = self.index.fields.get(field)
        if others or not isinstance(index, FieldIndex) or index.multikey:
            return super()._expire_documents(ttl)
        try:
            expiry = int(ttl["expireAfterSeconds"])
        except ValueError:
            return None
        now = mongomock.utcnow()
        estimate, expired = index.between({"$lte": now - timedelta(seconds=expiry)})
        if not estimate:
            return None
        with self._rwlock.reader():
            expired = [key for key in expired()
                       if key in self._documents and self._value_meets_expiry(
                           self._documents[key].get(field), expiry, now)]
        for key in expired:
            del self[key]
        return None

    def persist(self, keys, collection_changed=False, dropped=False):
        with self._rwlock.reader():
            docs = [
                (self.db_name, self.name, pickle.dumps(key), _dump(self._documents.get(key)))
                for key in keys
            ]
        colls = []
        if collection_changed:
            colls.append((self.db_name, self.name, pickle.dumps(self.indexes), dropped))
        if docs or colls:
            self.journal.write(docs, colls)

    def load(self, key, body):
        """Apply a row written by another process (or found at start)."""
        with self._rwlock.writer():
            if body is None:
                self._documents.pop(key, None)
                self.index.drop(key)
            else:
                document = self._documents[key] = pickle.loads(body)  # noqa: S301 - our own file
                self.index.put(key, document)

    def load_indexes(self, indexes):
        self.indexes = indexes
        self._ttl_indexes = {
            name: index for name, index in indexes.items()
            if index.get("expireAfterSeconds") is not None
        }
        self._index_declared()


def _dump(document):
    return None if document is None else pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL)


class JournalledDatabaseStore(DatabaseStore):
    def __init__(self, name, journal):
        super().__init__()
        self.name = name
        self.journal = journal

    def __getitem__(self, col_name):
        try:
            return self._collections[col_name]
        except KeyError:
            col = JournalledCollectionStore(col_name, self.name, self.journal)
            self._collections[col_name] = col
            return col

    def rename(self, name, new_name):
        raise NotImplementedError("renaming collections is not supported by the embedded store")


class EmbeddedServerStore(ServerStore):
    """All databases of one journal file, loaded into memory."""

    def __init__(self, path):
        super().__init__()
        install_update_recording()
        self._checked_at = 0.0
        self.journal = Journal(path)
        self.journal.on_begin = self._apply_new_rows
        # Loading makes millions of objects and no garbage: the collector, which would walk
        # them all again and again meanwhile, waits. A large store is then frozen out of it:
        # a full collection over millions of documents held a request for seconds.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.refresh()
        finally:
            if collecting:
                gc.enable()
        if self.document_count() >= FREEZE_FROM:
            gc.freeze()

    def __getitem__(self, db_name):
        try:
            return self._databases[db_name]
        except KeyError:
            db = self._databases[db_name] = JournalledDatabaseStore(db_name, self.journal)
            return db

    def document_count(self):
        return sum(len(collection._documents) for db in self._databases.values()
                   for collection in db._collections.values())

    def refresh(self, max_age=0.0):
        """Apply what other processes wrote since we last looked. Cheap when nothing changed.

        With `max_age`, skip the check if the last one is more recent than that many seconds:
        the check is an SQLite call, which releases the GIL and so, under a lock, makes
        threads queue behind each other on every request."""
        now = time.monotonic()
        if max_age and now - self._checked_at < max_age:
            return
        self._checked_at = now
        with self.journal.lock:
            self._apply_new_rows()

    def _apply_new_rows(self):
        journal = self.journal
        if not journal.changed_elsewhere():
            return
        with journal.rows_since(journal.seen_seq) as (colls, docs, top):
            for db, coll, indexes, _seq in colls:
                self[db][coll].load_indexes(pickle.loads(indexes))  # noqa: S301
            for db, coll, key, body, _seq in docs:
                self[db][coll].load(pickle.loads(key), body)  # noqa: S301
        journal.seen_seq = top


def client_class(store):
    """A mongomock client class whose instances all share `store` (mongoengine builds them)."""

    class EmbeddedMongoClient(mongomock.MongoClient):
        def __init__(self, *args, **kwargs):
            kwargs["_store"] = store
            super().__init__(*args, **kwargs)

    return EmbeddedMongoClient


# --- recording in-place updates -------------------------------------------------------------

_original_update = mongomock_collection.Collection._update
_original_insert = mongomock_collection.Collection._insert
_original_iter_documents = mongomock_collection.Collection._iter_documents
# mongomock checks unique indexes and then writes, without a lock: two threads could both
# pass the check. One process-wide lock makes check-and-write atomic, as a real unique index
# is (start-dialog races rely on it).
_write_lock = threading.RLock()


def install_update_recording():
    """Wrap mongomock's update path once per process; harmless for plain mongomock stores."""
    mongomock_collection.Collection._update = _recording_update
    mongomock_collection.Collection._insert = _locked_insert
    mongomock_collection.Collection._iter_documents = _recording_iter_documents
    embedded_speedups.install()


def _serialised(collection):
    """The lock a write holds: the journal's transaction (across processes), else ours."""
    store = collection._store
    return store.journal.transaction() if isinstance(store, JournalledCollectionStore) \
        else _write_lock


def _locked_insert(self, *args, **kwargs):
    with _serialised(self):
        return _original_insert(self, *args, **kwargs)


def _recording_update(self, *args, **kwargs):
    with _serialised(self):
        return _recorded_update(self, *args, **kwargs)


def _recorded_update(self, *args, **kwargs):
    if not isinstance(self._store, JournalledCollectionStore):
        return _original_update(self, *args, **kwargs)
    outer = getattr(_recording, "keys", None)
    _recording.keys = keys = collections.OrderedDict()
    try:
        return _original_update(self, *args, **kwargs)
    finally:
        _recording.keys = outer
        # Written even when the update raised: mongomock rolls back in place, and then the
        # rows we write are simply the unchanged documents.
        self._store.reindex(keys)
        self._store.persist(list(keys))


def _recording_iter_documents(self, filter):
    if not isinstance(self._store, JournalledCollectionStore):
        return _original_iter_documents(self, filter)
    documents = embedded_reads.by_id(self._store, filter)
    if documents is None:
        documents = embedded_reads.by_index(self._store, filter)
    if documents is None:
        documents = embedded_speedups.by_range(self._store, filter)
    if documents is None:
        documents = _original_iter_documents(self, filter)
    keys = getattr(_recording, "keys", None)
    if keys is None:
        return documents
    return _record_keys(documents, keys)


def _record_keys(documents, keys):
    for document in documents:
        keys[document["_id"]] = True
        yield document
