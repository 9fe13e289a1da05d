"""Connects mongoengine to MongoDB (MONGODB_URI) or to the embedded store."""

import contextlib
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import mongoengine
from flask import current_app, has_app_context
from pymongo.uri_parser import parse_uri

from app.embedded_reads import ranked as embedded_ranked
from app.embedded_reads import unordered_matches
from app.embedded_store import EmbeddedServerStore, client_class

T = TypeVar("T")


def init_db(app):
    # Tests build many apps in one process: each one replaces the previous connection.
    mongoengine.disconnect()
    uri = app.config["MONGODB_URI"]
    if uri:
        db_name = app.config["MONGODB_DB"] or parse_uri(uri).get("database") or "bank"
        mongoengine.connect(db=db_name, host=uri, uuidRepresentation="standard", tz_aware=False)
        app.extensions["embedded_store"] = None
        return
    store = EmbeddedServerStore(app.config["EMBEDDED_STORE_PATH"])
    mongoengine.connect(
        db=app.config["MONGODB_DB"] or "bank",
        host="mongodb://embedded",
        mongo_client_class=client_class(store),
        uuidRepresentation="standard",
        tz_aware=False,
    )
    app.extensions["embedded_store"] = store
    # Pick up writes made by other processes on the same file (the CLI, a worker), looking at
    # most every 200 ms: a request sees them that much later at worst.
    app.before_request(partial(store.refresh, max_age=0.2))


def refresh(app):
    """Bring the embedded store up to date before work that did not come through a request."""
    store = app.extensions.get("embedded_store")
    if store is not None:
        store.refresh()


def reread_on_miss(lookup: Callable[[], T | None]) -> T | None:
    """`lookup()`; when it finds nothing on the embedded store, once more after applying what
    other processes wrote since this one last looked (at most 200 ms ago): a business made
    through another worker a moment ago is found, not answered 404."""
    found = lookup()
    store = current_app.extensions.get("embedded_store") if has_app_context() else None
    if found is None and store is not None:
        store.refresh()
        found = lookup()
    return found


@contextlib.contextmanager
def batched_writes():
    """On the embedded store, the writes inside go to its file in one SQLite transaction (one
    commit instead of one per write), for bulk loads; other processes' writes wait meanwhile,
    so keep a batch short. On MongoDB nothing changes."""
    store = current_app.extensions.get("embedded_store")
    if store is None:
        yield
        return
    with store.journal.transaction():
        yield


def ranked(collection, filter, path, order, count):
    """On the embedded store, (the number of matches, the first `count` by `order`), `order`
    sorting by the number at `path` first, highest first (embedded_reads.ranked); without an
    index of `path`, from every match."""
    found = embedded_ranked(collection, filter, path, order, count)
    if found is None:
        rows = list(stored_matches(collection, filter))
        found = len(rows), sorted(rows, key=order)[:count]
    return found


def stored_matches(collection, filter):
    """On the embedded store, the stored documents matching `filter` themselves (not copies, as
    `find()` gives) in no particular order: for reading many documents' few fields only, never
    for changing them."""
    return unordered_matches(collection, filter)


def near_ids(collection, path, lat, lng, radius_meters):
    """On the embedded store, the ids of the documents whose 2dsphere `path` may lie within the
    radius (a superset, from its grid of cells); None on MongoDB or when the grid cannot say."""
    store = getattr(collection, "_store", None)
    field = store.index.fields.get(path) if hasattr(store, "index") else None
    if not hasattr(field, "near"):
        return None
    with store._rwlock.reader():
        return field.near(lat, lng, radius_meters)


def database():
    return mongoengine.get_db()


def ping():
    database().command("ping")
