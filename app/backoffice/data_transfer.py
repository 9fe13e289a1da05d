"""Moving the whole database out and in: `flask export` and `flask import`, so a deployment
on the embedded store can move to MongoDB (or back, or between machines).

An export is a directory:

    manifest.json       what it holds: the format and its version, the database it came from,
                        when, and for each collection its file, its number of documents and
                        its indexes (as MongoDB's listIndexes gives them, without `v`)
    <collection>.jsonl  the documents, one per line, in canonical Extended JSON
                        (`bson.json_util`): every BSON type comes back as it was (int32 and
                        int64, doubles, dates to the millisecond, ObjectIds, UUIDs, binary);
                        relaxed JSON would read an int64 that fits 32 bits back as an int32

The manifest is written last and the directory appears under its name only when complete,
so a directory with a manifest is a whole export. Documents are read and written a batch at
a time.

An import first reads every file through (a malformed line, a missing or unknown file, a file
shorter than its count: refused, nothing written), then refuses a target collection that
already holds documents unless asked to replace it, then writes each collection's indexes
and its documents in batches. If writing fails, the collections it had written are emptied
again before the error is reported.
"""

import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import mongomock
from bson import json_util
from bson.binary import UuidRepresentation
from bson.json_util import JSONMode, JSONOptions
from flask import current_app
from pymongo.collection import Collection
from pymongo.database import Database

from app import clock, db

FORMAT = "bank-export"
VERSION = 1
MANIFEST = "manifest.json"
BATCH_SIZE = 1000
# Written with the standard UUID representation (pymongo hands MongoDB's UUIDs over as
# uuid.UUID, as the app connects so); read back as binaries of their subtype, stored byte for
# byte on MongoDB and on the embedded store alike (which refuses a uuid.UUID).
JSON_OPTIONS = JSONOptions(json_mode=JSONMode.CANONICAL, document_class=dict, tz_aware=False,
                           uuid_representation=UuidRepresentation.STANDARD)
READ_JSON_OPTIONS = JSONOptions(json_mode=JSONMode.CANONICAL, document_class=dict,
                                tz_aware=False, uuid_representation=UuidRepresentation.UNSPECIFIED)
# The manifest is for people first: relaxed (plain numbers, ISO dates). What it holds besides
# counts (index keys and options) means the same whether a number is an int32 or an int64.
MANIFEST_JSON_OPTIONS = JSONOptions(json_mode=JSONMode.RELAXED, document_class=dict,
                                    tz_aware=False, uuid_representation=UuidRepresentation.STANDARD)
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_NOT_INDEX_OPTIONS = ("key", "v", "ns")

Echo = Callable[[str], object]
AnyDatabase = Database | mongomock.Database  # MongoDB's, or the embedded store's
AnyCollection = Collection | mongomock.Collection


class TransferError(Exception):
    """An export or import refused or failed; the message says where and what to do."""


@dataclass
class CollectionCount:
    name: str
    documents: int
    indexes: int


@dataclass
class Summary:
    collections: list[CollectionCount] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return sum(collection.documents for collection in self.collections)


@dataclass
class _Entry:
    """One collection of an export, as its manifest lists it."""

    name: str
    file: str
    documents: int
    indexes: list[dict[str, Any]]


# --- export -----------------------------------------------------------------------------------

def export_database(path: Path, echo: Echo = print, batch_size: int = BATCH_SIZE) -> Summary:
    """Write every collection of the app's database, with its indexes, to the directory
    `path` (which must not exist, or be empty)."""
    path = Path(path).resolve()
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise TransferError(f"{path} already exists: export into a new directory")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.parent / f".{path.name}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        summary, manifest = _export_into(partial, echo, batch_size)
        _write_json(partial / MANIFEST, manifest)
        partial.replace(path)  # onto an empty directory too (POSIX)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return summary


def _export_into(directory: Path, echo: Echo, batch_size: int) -> tuple[Summary, dict]:
    db.refresh(current_app)
    database = db.database()
    summary, entries = Summary(), []
    files = set()
    for name in collection_names(database):
        file = _file_name(name, files)
        collection = database[name]
        count = 0
        with open(directory / file, "w", encoding="utf-8", newline="\n") as out:
            for batch in _batches(_documents(collection, batch_size), batch_size):
                out.write("".join(
                    json_util.dumps(document, json_options=JSON_OPTIONS, ensure_ascii=False)
                    + "\n" for document in batch))
                count += len(batch)
        indexes = declared_indexes(collection)
        entries.append({"name": name, "file": file, "documents": count, "indexes": indexes})
        summary.collections.append(CollectionCount(name, count, len(indexes)))
        echo(f"{name}: {count} documents, {len(indexes)} indexes")
    manifest = {"format": FORMAT, "version": VERSION, "database": database.name,
                "exportedAt": clock.isoformat(clock.now()),
                "collections": entries}
    return summary, manifest


def collection_names(database: AnyDatabase) -> list[str]:
    """The database's collections, without MongoDB's own (system.*)."""
    return sorted(name for name in database.list_collection_names()
                  if not name.startswith("system."))


def declared_indexes(collection: AnyCollection) -> list[dict[str, Any]]:
    """The collection's indexes as listIndexes gives them (key, name, options), but the
    implicit one on _id and the version number that the server chooses."""
    return [{key: value for key, value in dict(index).items() if key not in ("v", "ns")}
            | {"key": dict(index["key"])}
            for index in collection.list_indexes() if index["name"] != "_id_"]


def _documents(collection: AnyCollection, batch_size: int) -> Iterator[dict]:
    """Every document of the collection, read a batch at a time.

    On MongoDB a cursor in _id order (the _id index; no document seen twice if one moves).
    On the embedded store `find()` would first copy every document of the collection into a
    list (mongomock's cursor does), so its dataset generator is read instead: it copies one
    document at a time, over a list of references to the stored ones."""
    if current_app.extensions.get("embedded_store") is None:
        return iter(collection.find({}, sort=[("_id", 1)], batch_size=batch_size))
    # A mongomock 4.3 internal (the version requirements.txt pins for embedded_store.py).
    return collection._get_dataset({}, None, None, dict)


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _file_name(collection: str, taken: set[str]) -> str:
    """`<collection>.jsonl`, or for a name that is no plain file name, a numbered stand-in
    (the manifest says which collection it holds)."""
    name = f"{collection}.jsonl" if _PLAIN_NAME.match(collection) else \
        f"collection-{len(taken) + 1}.jsonl"
    while name in taken:
        name = f"_{name}"
    taken.add(name)
    return name


def _write_json(path: Path, value) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(json_util.dumps(value, json_options=MANIFEST_JSON_OPTIONS, ensure_ascii=False,
                                  indent=2))
        out.write("\n")


# --- import -----------------------------------------------------------------------------------

def import_database(path: Path, replace: bool = False, echo: Echo = print,
                    batch_size: int = BATCH_SIZE) -> Summary:
    """Read the export at `path` into the app's database. Refused, with nothing written,
    when the export is malformed or a target collection holds documents (unless `replace`:
    then those collections are dropped first)."""
    path = Path(path)
    entries = read_manifest(path)
    for entry in entries:
        _check_file(path, entry)
    db.refresh(current_app)
    database = db.database()
    existing = set(collection_names(database))
    occupied = [entry.name for entry in entries if entry.name in existing
                and database[entry.name].find_one({}, {"_id": 1}) is not None]
    if occupied and not replace:
        raise TransferError(
            "nothing imported: the target database already holds documents in "
            f"{', '.join(occupied)}. Import into an empty database, or pass --replace to "
            "drop the collections of the export there first")
    summary = Summary(replaced=[entry.name for entry in entries if entry.name in existing]
                      if replace else [])
    written: list[str] = []
    current = None
    try:
        for name in summary.replaced:
            written.append(name)
            database[name].drop()
        for entry in entries:
            current = entry
            if entry.name not in written:
                written.append(entry.name)
            summary.collections.append(_import_collection(database[entry.name], path, entry,
                                                          batch_size))
            counted = summary.collections[-1]
            echo(f"{entry.name}: {counted.documents} documents, {counted.indexes} indexes")
    except BaseException as exc:
        undone = _undo(database, written, existing, summary.replaced)
        where = f" while writing {current.name} ({current.file})" if current else ""
        if isinstance(exc, Exception):
            raise TransferError(f"import failed{where}: {_describe(exc)}. {undone}") from exc
        echo(f"import interrupted{where}. {undone}")
        raise
    return summary


def read_manifest(path: Path) -> list[_Entry]:
    """The collections an export at `path` lists, checked; no other file may be there."""
    manifest_path = path / MANIFEST
    if not path.is_dir():
        raise TransferError(f"{path}: no such directory (an export made by `flask export`)")
    if not manifest_path.is_file():
        raise TransferError(f"{manifest_path}: missing: {path} is not a complete export "
                            "made by `flask export`")
    try:
        manifest = json_util.loads(manifest_path.read_text(encoding="utf-8"),
                                   json_options=MANIFEST_JSON_OPTIONS)
    except (ValueError, TypeError) as exc:  # malformed JSON, a bad $-type
        raise TransferError(f"{manifest_path}: not valid Extended JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise TransferError(f"{manifest_path}: not the manifest of a `flask export`")
    if manifest.get("version") != VERSION:
        raise TransferError(f"{manifest_path}: export format version "
                            f"{manifest.get('version')!r}; this version reads {VERSION}")
    entries = [_entry(manifest_path, number, item)
               for number, item in enumerate(manifest.get("collections") or [], 1)]
    for attribute in ("name", "file"):
        values = [getattr(entry, attribute) for entry in entries]
        if len(set(values)) != len(values):
            raise TransferError(f"{manifest_path}: a collection {attribute} is listed twice")
    listed = {entry.file for entry in entries} | {MANIFEST}
    unknown = sorted(child.name for child in path.iterdir() if child.name not in listed)
    if unknown:
        raise TransferError(f"{path / unknown[0]}: unknown file, not listed in {MANIFEST} "
                            "(remove it, or export again)")
    return entries


def _entry(manifest_path: Path, number: int, item) -> _Entry:
    def wrong(what):
        return TransferError(f"{manifest_path}: collection #{number}: {what}")

    if not isinstance(item, dict):
        raise wrong("not an object")
    name, file, documents, indexes = (item.get(key) for key in
                                      ("name", "file", "documents", "indexes"))
    if not isinstance(name, str) or not name or "$" in name or "\0" in name \
            or name.startswith("system."):
        raise wrong(f"not a collection name: {name!r}")
    if not isinstance(file, str) or not _PLAIN_NAME.match(file) or not file.endswith(".jsonl"):
        raise wrong(f"not a file of the export: {file!r}")
    if type(documents) is not int or documents < 0:
        raise wrong(f"not a number of documents: {documents!r}")
    if not isinstance(indexes, list) or not all(
            isinstance(index, dict) and isinstance(index.get("name"), str)
            and isinstance(index.get("key"), dict) and index["key"] for index in indexes):
        raise wrong("indexes must be a list of objects with a name and a key")
    return _Entry(name, file, documents, indexes)


def _check_file(path: Path, entry: _Entry) -> None:
    """Read the whole file once: every line a document with an _id, as many as listed."""
    count = sum(1 for _document in _read_documents(path, entry))
    if count != entry.documents:
        raise TransferError(f"{path / entry.file}: {count} documents where {MANIFEST} lists "
                            f"{entry.documents} (cut short or edited?)")


def _read_documents(path: Path, entry: _Entry) -> Iterator[dict]:
    file = path / entry.file
    if not file.is_file():
        raise TransferError(f"{file}: missing (listed in {MANIFEST} for {entry.name})")
    with open(file, "rb") as lines:  # split on \n only, decoded line by line: exact numbers
        for number, line in enumerate(lines, 1):
            try:
                document = json_util.loads(line.decode("utf-8"),
                                           json_options=READ_JSON_OPTIONS)
            except Exception as exc:  # noqa: BLE001 - json, bson and codec errors alike
                raise TransferError(f"{file}, line {number}: not a valid Extended JSON "
                                    f"document: {_describe(exc)}") from None
            if not isinstance(document, dict) or "_id" not in document:
                raise TransferError(f"{file}, line {number}: not a document with an _id")
            yield document


def _import_collection(collection: AnyCollection, path: Path, entry: _Entry,
                       batch_size: int) -> CollectionCount:
    """The indexes first, so that inserting checks them (mongomock's index build would not
    honour a partial unique index), then the documents in batches."""
    for index in entry.indexes:
        collection.create_index(list(index["key"].items()), **{
            key: value for key, value in index.items() if key not in _NOT_INDEX_OPTIONS})
    count = 0
    for batch in _batches(_read_documents(path, entry), batch_size):
        collection.insert_many(batch, ordered=False)
        count += len(batch)
    return CollectionCount(entry.name, count, len(entry.indexes))


def _undo(database: AnyDatabase, written: list[str], existed: set[str], replaced: list[str]) -> str:
    """Take the documents written back out: a collection that existed (empty) before is
    emptied, one that did not, or that --replace dropped, is dropped. Says what was done."""
    try:
        for name in written:
            if name in existed and name not in replaced:
                database[name].delete_many({})
            else:
                database[name].drop()
    except Exception as exc:  # noqa: BLE001 - reported: the operator must act
        return (f"Undoing it failed too ({_describe(exc)}): the target holds part of the "
                "import; run the import again with --replace")
    if not written:
        return "Nothing was written."
    dropped = " (--replace had dropped them: their former documents are gone)" \
        if replaced else ""
    return (f"What it had written was taken out again: the {len(written)} collection(s) "
            f"hold no documents{dropped}. Fix the cause and run it again")


def _describe(exc: BaseException) -> str:
    details = getattr(exc, "details", None)  # pymongo's BulkWriteError: the first error
    errors = details.get("writeErrors") if isinstance(details, dict) else None
    if errors:
        return f"{type(exc).__name__}: {errors[0].get('errmsg', errors[0])}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
