"""`flask export` and `flask import`: a whole database out to a directory and back into
another store, document for document and index for index; what an import refuses, --replace,
and that a failed import leaves nothing behind."""

import json
import tracemalloc
import uuid
from datetime import datetime

import bson
import mongoengine
import pytest
from bson import Decimal128, Int64, ObjectId
from bson.binary import UuidRepresentation
from bson.codec_options import CodecOptions
from pymongo.errors import DuplicateKeyError

from app import create_app, db
from app.backoffice import data_transfer
from app.models import Category, User
from tests import factories
from tests.conftest import settings

CODEC = CodecOptions(uuid_representation=UuidRepresentation.STANDARD)
AN_UUID = uuid.UUID("12345678-1234-5678-1234-567812345678")


@pytest.fixture
def empty_app(make_app, tmp_path):
    """An app on a store of its own with nothing in it, not even the migrations: what a new
    MongoDB is."""
    built = []

    def factory(name="target", **extra):
        extra.setdefault("EMBEDDED_STORE_PATH", str(tmp_path / f"{name}.sqlite3"))
        app = create_app(settings(tmp_path, **extra))
        built.append(app)
        return app

    yield factory
    for app in built:  # before make_app's teardown disconnects
        if app.config["MONGODB_URI"]:
            mongoengine.get_connection().drop_database(app.config["MONGODB_DB"])


@pytest.fixture
def source(app, runner):
    """The demo's data made through the services, a person and a business made by the
    factories, and a collection of every BSON type the format must carry exactly."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    owner = factories.person(app, "+79160000101", "Экспорт Тестов")
    factories.business(app, owner, name="Перевозка данных", slug="moving-data")
    with app.app_context():
        odd = db.database()["odd_types"]
        odd.create_index([("code", 1)], unique=True, name="one_code",
                         partialFilterExpression={"code": {"$exists": True}})
        odd.insert_many([
            {"_id": ObjectId(), "code": "a", "int32": 7, "int64": Int64(7), "big": 2 ** 40,
             "double": 7.0, "negativeZero": -0.0, "infinite": float("inf"),
             "decimal": Decimal128("1.10"), "uuid": bson.Binary.from_uuid(AN_UUID),
             "bytes": bson.Binary(b"\x00\xff\n", 0), "before1970": datetime(1960, 1, 2, 3, 4, 5),
             "millis": datetime(2025, 6, 7, 8, 9, 10, 123000), "none": None, "flag": True,
             "text": "строка\nс переводом\u2028и\r\"кавычками\"",
             "nested": {"list": [1, {"deep": [Int64(2), "x", {"deeper": None}]}], "empty": {}}},
            # no code, twice: the partial unique index allows it
            {"_id": 42, "nested": {"n": 1}},
            {"_id": "str-id", "list": []},
        ])
    return app


def snapshot(app):
    """Every collection: its documents as BSON (exact types, field order) by _id, and its
    indexes."""
    with app.app_context():
        db.refresh(app)
        database = db.database()
        return {name: ({repr(document["_id"]): bson.encode(document, codec_options=CODEC)
                        for document in database[name].find()},
                       {index_name: {k: v for k, v in info.items() if k != "v"}
                        for index_name, info in database[name].index_information().items()})
                for name in data_transfer.collection_names(database)}


def export(runner, path):
    result = runner.invoke(args=["export", str(path)])
    assert result.exit_code == 0, result.output
    return result


def import_into(app, path, *options):
    return app.test_cli_runner().invoke(args=["import", str(path), *options])


def test_an_export_imported_into_a_new_store_gives_the_same_documents_and_indexes(
        source, runner, empty_app, tmp_path):
    before = snapshot(source)
    path = tmp_path / "export"
    path.mkdir()  # an empty directory is a fine place too

    result = export(runner, path)

    total = sum(len(documents) for documents, _indexes in before.values())
    lines = result.output.splitlines()
    assert lines[-1] == f"exported {len(before)} collections, {total} documents to {path}"
    assert f"users: {len(before['users'][0])} documents, {len(before['users'][1]) - 1} indexes" \
        in lines
    assert len(lines) == len(before) + 1  # one line per collection and the summary
    assert sorted(p.name for p in path.iterdir()) == sorted(
        ["manifest.json", *(f"{name}.jsonl" for name in before)])

    target = empty_app()
    result = import_into(target, path)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == \
        f"imported {len(before)} collections, {total} documents from {path}"
    after = snapshot(target)
    assert set(after) == set(before)
    for name in before:
        assert after[name] == before[name], name
    with target.app_context():
        odd = db.database()["odd_types"].find_one({"code": "a"})
        assert type(odd["int64"]) is Int64 and type(odd["int32"]) is int
        assert type(odd["double"]) is float and odd["before1970"] == datetime(1960, 1, 2, 3, 4, 5)
        assert User.objects.get(phone="+79160000101").name == "Экспорт Тестов"
    # The migrations came along: nothing to apply; and the new store's file holds it all.
    assert "nothing to migrate" in target.test_cli_runner().invoke(args=["migrate"]).output
    same_database = {"MONGODB_DB": target.config["MONGODB_DB"]} if target.config["MONGODB_DB"] \
        else {}
    reopened = empty_app(**same_database)
    assert snapshot(reopened) == before


def test_the_unique_indexes_hold_on_the_imported_data(source, runner, empty_app, tmp_path):
    export(runner, tmp_path / "export")
    target = empty_app()
    assert import_into(target, tmp_path / "export").exit_code == 0
    with target.app_context():
        odd = db.database()["odd_types"]
        with pytest.raises(DuplicateKeyError):
            odd.insert_one({"code": "a"})
        odd.insert_one({"nested": {}})  # no code: the partial index lets it in
        with pytest.raises(mongoengine.NotUniqueError):
            User(phone="+79160000101").save()


def test_import_refuses_a_database_that_holds_documents(source, runner, make_app, tmp_path):
    export(runner, tmp_path / "export")
    target = make_app(EMBEDDED_STORE_PATH=str(tmp_path / "migrated.sqlite3"))  # migrated
    with target.app_context():
        categories = Category.objects.count()

    result = import_into(target, tmp_path / "export")

    assert result.exit_code == 1
    assert "nothing imported: the target database already holds documents in" in result.output
    assert "categories" in result.output and "migrations" in result.output
    assert "--replace" in result.output
    with target.app_context():
        assert Category.objects.count() == categories
        assert User.objects.count() == 0


def test_replace_drops_the_collections_first(source, runner, make_app, tmp_path):
    before = snapshot(source)
    export(runner, tmp_path / "export")
    target = make_app(EMBEDDED_STORE_PATH=str(tmp_path / "migrated.sqlite3"))
    factories.person(target, "+79160000999", "Был до импорта")

    result = import_into(target, tmp_path / "export", "--replace")

    assert result.exit_code == 0, result.output
    assert "collections (replaced " in result.output.splitlines()[-1]
    after = snapshot(target)
    for name in before:
        assert after[name] == before[name], name
    with target.app_context():
        assert User.objects(phone="+79160000999").first() is None


@pytest.mark.parametrize(("line", "error"), [
    ('{"_id": "usr_broken", "name": ', "users.jsonl, line 3: not a valid Extended JSON document"),
    ('{"_id": {"$oid": "not-an-id"}}', "users.jsonl, line 3: not a valid Extended JSON document"),
    ('{"createdAt": {"$date": {"$numberLong": "1"}}}', "users.jsonl, line 3: not a document "
                                                       "with an _id"),
    ("[1, 2]", "users.jsonl, line 3: not a document with an _id"),
])
def test_a_malformed_line_is_refused_by_file_and_line_with_nothing_written(
        source, runner, empty_app, tmp_path, line, error):
    path = tmp_path / "export"
    export(runner, path)
    users = (path / "users.jsonl").read_text(encoding="utf-8").splitlines()
    users[2] = line
    (path / "users.jsonl").write_text("\n".join(users) + "\n", encoding="utf-8")
    target = empty_app()

    result = import_into(target, path)

    assert result.exit_code == 1
    assert error in result.output
    assert str(path / "users.jsonl") in result.output
    with target.app_context():
        assert data_transfer.collection_names(db.database()) == []


def _extra_file(path):
    (path / "notes.txt").write_text("mine")
    return path, "notes.txt: unknown file, not listed in manifest.json"


def _no_manifest(path):
    (path / "manifest.json").unlink()
    return path, "manifest.json: missing"


def _missing_file(path):
    (path / "messages.jsonl").unlink()
    return path, "messages.jsonl: missing (listed in manifest.json for messages)"


def _cut_short(path):
    lines = (path / "users.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (path / "users.jsonl").write_text("".join(lines[:-1]), encoding="utf-8")
    return path, f"users.jsonl: {len(lines) - 1} documents where manifest.json lists {len(lines)}"


def _other_manifest(path):
    (path / "manifest.json").write_text(json.dumps({"collections": []}))
    return path, "manifest.json: not the manifest of a `flask export`"


def _wrong_path(path):
    return path.parent / "nowhere", "nowhere: no such directory"


@pytest.mark.parametrize("damage", [_extra_file, _no_manifest, _missing_file, _cut_short,
                                    _other_manifest, _wrong_path])
def test_an_incomplete_or_unknown_export_is_refused_with_nothing_written(
        source, runner, empty_app, tmp_path, damage):
    export(runner, tmp_path / "export")
    path, error = damage(tmp_path / "export")
    target = empty_app()

    result = import_into(target, path)

    assert result.exit_code == 1
    assert error in result.output
    with target.app_context():
        assert data_transfer.collection_names(db.database()) == []


def test_a_failed_write_takes_out_what_it_wrote_and_a_rerun_succeeds(
        source, runner, empty_app, tmp_path):
    before = snapshot(source)
    path = tmp_path / "export"
    export(runner, path)
    users_file = path / "users.jsonl"
    good = users_file.read_text(encoding="utf-8")
    lines = good.splitlines(keepends=True)
    # Valid line by line and as many as listed, but two users with one _id: the store refuses
    # the batch after the collections before users were written.
    users_file.write_text(lines[0] + lines[0] + "".join(lines[2:]), encoding="utf-8")
    target = empty_app()

    result = import_into(target, path)

    assert result.exit_code == 1
    assert "import failed while writing users (users.jsonl)" in result.output
    assert "uplicate" in result.output
    assert "taken out again" in result.output
    with target.app_context():
        database = db.database()
        assert all(database[name].find_one() is None
                   for name in data_transfer.collection_names(database))

    users_file.write_text(good, encoding="utf-8")
    again = import_into(target, path)
    assert again.exit_code == 0, again.output
    assert snapshot(target) == before


def test_export_refuses_a_path_that_holds_something(source, runner, tmp_path):
    path = tmp_path / "taken"
    path.mkdir()
    (path / "keep.txt").write_text("mine")

    result = runner.invoke(args=["export", str(path)])

    assert result.exit_code == 1
    assert "already exists: export into a new directory" in result.output
    assert [p.name for p in path.iterdir()] == ["keep.txt"]


def test_an_export_that_fails_leaves_nothing_behind(source, runner, tmp_path, monkeypatch):
    exports = tmp_path / "exports"
    exports.mkdir()
    calls = []

    def failing(collection):
        calls.append(collection.name)
        if len(calls) == 3:
            raise OSError("No space left on device")
        return []

    monkeypatch.setattr(data_transfer, "declared_indexes", failing)

    result = runner.invoke(args=["export", str(exports / "export")])

    assert result.exit_code != 0 and isinstance(result.exception, OSError)
    assert list(exports.iterdir()) == []


def test_export_reads_a_batch_at_a_time(app, tmp_path):
    """Exporting a collection holds about a batch of copies, not the whole collection (which
    a plain find() on the embedded store would copy first)."""
    with app.app_context():
        bulk = db.database()["bulk"]
        bulk.insert_many([{"_id": f"doc{n:05}", "items": [{"n": i, "k": "v"} for i in range(20)]}
                          for n in range(3000)])
        tracemalloc.start()
        all_at_once = list(bulk.find())
        _size, whole = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del all_at_once

        tracemalloc.start()
        data_transfer.export_database(tmp_path / "export", echo=lambda _line: None,
                                      batch_size=100)
        _size, streamed = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    assert streamed < whole / 4, (streamed, whole)
    assert sum(1 for _ in open(tmp_path / "export" / "bulk.jsonl", encoding="utf-8")) == 3000
