"""The embedded store's indexes: every write path keeps them exact, and every query they narrow
answers exactly what a scan of every document answers."""

import os
import random
from datetime import datetime, timedelta

import pytest
from mongomock.filtering import filter_applies
from pymongo import DeleteOne, InsertOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from app import embedded_reads
from app.embedded_indexes import CollectionIndexes
from app.embedded_store import EmbeddedServerStore, client_class

pytestmark = pytest.mark.skipif(bool(os.environ.get("MONGODB_URI")),
                                reason="tests of the embedded store itself; MONGODB_URI is set")

WORDS = ["кофе", "кофейня", "кофта", "пекарня", "барбер", "a.b", "a+b", "", "Кофе"]
DAY = datetime(2026, 1, 1)


def open_things(path):
    store = EmbeddedServerStore(path)
    things = client_class(store)()["bank"]["things"]
    return store, things


def declare(things):
    things.create_index("code", unique=True, sparse=True)
    things.create_index([("owner", 1), ("at", -1)])
    things.create_index("tags")  # arrays: multikey
    things.create_index("meta.kind")  # a dotted path, sometimes through an array
    things.create_index("n")
    things.create_index("word")
    things.create_index("kind")  # nearly every document holds the same value
    things.create_index([("point", "2dsphere")])


def a_value(rng):
    return rng.choice([None, 0, 1, 1.0, 2, 2.5, True, False, "1", "x", "y", DAY,
                       DAY + timedelta(days=rng.randint(-3, 3)), [], [1, "x"], {"k": 1}])


def a_document(rng, key):
    document = {"_id": key}
    for field in ("owner", "n", "flag"):
        if rng.random() < 0.85:
            document[field] = a_value(rng)
    document["at"] = DAY + timedelta(hours=rng.randint(0, 200))
    if rng.random() < 0.7:
        document["tags"] = rng.sample(["a", "b", "c", 1, None], rng.randint(0, 3))
    if rng.random() < 0.5:
        document["code"] = f"c{rng.randint(0, 10_000_000)}"
    if rng.random() < 0.5:
        document["meta"] = rng.choice([{"kind": rng.choice(["k1", "k2", None])},
                                       [{"kind": "k1"}, {"kind": "k3"}], {"other": 1}])
    document["word"] = rng.choice(WORDS + [1, None])
    if rng.random() < 0.97:
        document["kind"] = "common" if rng.random() < 0.97 else rng.choice(
            [None, "rare", {"x": 1}, 1, True])
    if rng.random() < 0.6:
        document["point"] = {"type": "Point",
                             "coordinates": [37.6 + rng.uniform(-0.2, 0.2),
                                             55.75 + rng.uniform(-0.1, 0.1)]}
    return document


def queries(rng):
    value = a_value(rng)
    at = DAY + timedelta(hours=rng.randint(0, 200))
    return [
        {"owner": value},
        {"owner": {"$in": [a_value(rng), a_value(rng)]}},
        {"owner": value, "at": {"$gte": at}},
        {"at": {"$gt": at, "$lte": at + timedelta(hours=30)}},
        {"at": {"$lt": at}, "n": {"$ne": 1}},
        {"n": {"$gte": rng.choice([0, 1, 1.5, "x", DAY])}},
        {"n": {"$gt": 0, "$lt": 2}},
        {"n": None},
        {"flag": True},
        {"tags": rng.choice(["a", "b", 1, None])},
        {"tags": {"$in": ["a", "c"]}},
        {"tags": {"$gt": "a"}},
        {"tags": {"$regex": "^" + rng.choice(["a", "b"])},
         "flag": {"$ne": rng.choice([True, None])}},
        {"n": {"$ne": a_value(rng)}, "owner": {"$in": [a_value(rng), "x"]}},
        {"flag": {"$ne": True}, "word": {"$regex": "^коф"}},
        {"meta.kind": rng.choice(["k1", "k3", None])},
        {"code": {"$in": [f"c{rng.randint(0, 10_000_000)}", None]}},
        {"word": {"$regex": "^" + rng.choice(["коф", "кофе", "a\\.b", "a\\+", "кофе?"])}},
        {"word": {"$regex": "^коф|пек"}},
        {"word": {"$regex": "^коф", "$options": "i"}},
        {"$and": [{"owner": value}, {"$or": [{"n": 1}, {"flag": True}]}]},
        {"$or": [{"owner": value}, {"n": 2}]},
        {"owner": value, "kind": "common"},
        {"tags": rng.choice(["a", "b"]), "kind": rng.choice(["common", None, 1, True])},
        {"word": {"$regex": "^коф"}, "kind": "common", "flag": {"$ne": True}},
        {"_id": {"$in": [rng.randint(0, 400) for _ in range(5)]}, "n": {"$ne": None}},
    ]


def scan(store, query):
    """The brute-force answer: every document tested, in insertion order."""
    return [doc for doc in store._documents.values() if filter_applies(query, doc)]


def assert_exact(things, rng, rounds=3):
    store = things._store
    rebuilt = CollectionIndexes(store.indexes)
    for key, document in store._documents.items():
        rebuilt.put(key, document)
    kept = store.index
    assert set(kept.entries) == set(rebuilt.entries)
    for path, index in kept.fields.items():
        fresh = rebuilt.fields[path]
        if hasattr(index, "ids"):
            assert _flat(index.ids) == _flat(fresh.ids), path
            assert {k: list(v) for k, v in index.sorted.items() if v} == \
                {k: list(v) for k, v in fresh.sorted.items() if v}, path
        else:
            assert index.cells == fresh.cells, path
    for _ in range(rounds):
        for query in queries(rng):
            assert list(things.find(query)) == scan(things._store, query), query
            assert things.count_documents(query) == len(scan(store, query)), query


def _flat(ids):
    return {key: ({held} if not isinstance(held, set) else set(held)) for key, held in ids.items()}


def test_every_write_path_keeps_the_indexes_exact(tmp_path):
    rng = random.Random(7)
    store, things = open_things(tmp_path / "s.sqlite3")
    declare(things)
    things.insert_many([a_document(rng, key) for key in range(300)])
    assert_exact(things, rng)

    things.insert_one(a_document(rng, 300))
    things.update_one({"_id": 1}, {"$set": {"owner": "x", "tags": ["c"], "at": DAY}})
    things.update_many({"owner": 1}, {"$set": {"n": 2}, "$unset": {"meta": ""}})
    things.update_many({"flag": True}, {"$inc": {"hits": 1}})
    things.update_many({"tags": "a"}, {"$push": {"tags": "b"}})
    things.update_many({"owner": "x"}, {"$set": {"meta": {"kind": "k2"}}})
    things.replace_one({"_id": 2}, {"owner": "y", "word": "кофта", "at": DAY})
    things.update_one({"_id": 999}, {"$set": {"owner": "new", "at": DAY}}, upsert=True)
    things.find_one_and_update({"_id": 3}, {"$set": {"point": None}})
    things.delete_one({"_id": 4})
    things.delete_many({"n": 2})
    assert_exact(things, rng)

    # Bulk writes (mongomock 4.3 takes inserts and deletes in bulk from this pymongo).
    things.bulk_write([InsertOne(a_document(rng, 1000)), InsertOne(a_document(rng, 1001)),
                       DeleteOne({"_id": 7})])
    assert_exact(things, rng)


def test_unique_keys_are_checked_through_the_index_and_failures_roll_back(tmp_path):
    rng = random.Random(11)
    store, things = open_things(tmp_path / "s.sqlite3")
    declare(things)
    things.insert_many([a_document(rng, key) | {"code": f"code{key}"} for key in range(50)])

    with pytest.raises(DuplicateKeyError):
        things.insert_one({"_id": "dup", "code": "code3", "at": DAY})
    with pytest.raises(DuplicateKeyError):
        things.update_one({"_id": 1}, {"$set": {"code": "code2", "owner": "moved"}})
    assert things.find_one({"_id": 1})["code"] == "code1"
    assert things.find_one({"owner": "moved"}) is None  # rolled back, and not found by index
    with pytest.raises(BulkWriteError):
        things.bulk_write([InsertOne({"_id": "b1", "code": "fresh", "at": DAY}),
                           InsertOne({"_id": "b2", "code": "fresh", "at": DAY})])
    # A unique key may move to another document once its holder lets it go.
    things.update_one({"_id": 5}, {"$set": {"code": "elsewhere"}})
    things.update_one({"_id": 6}, {"$set": {"code": "code5"}})
    # An update of many that would make two documents equal stops at the second one.
    things.insert_many([{"_id": "p", "code": "p", "at": DAY}, {"_id": "q", "code": "q", "at": DAY}])
    with pytest.raises(DuplicateKeyError):
        things.update_many({"_id": {"$in": ["p", "q"]}}, {"$set": {"code": "same"}})
    assert sorted(d["code"] for d in things.find({"_id": {"$in": ["p", "q"]}})) == ["q", "same"]
    assert_exact(things, rng)


def test_rows_from_another_process_and_a_restart_keep_the_indexes_exact(tmp_path):
    rng = random.Random(3)
    path = tmp_path / "s.sqlite3"
    store, things = open_things(path)
    declare(things)
    things.insert_many([a_document(rng, key) for key in range(200)])

    other_store, other = open_things(path)  # another process on the same file
    other.update_many({"owner": "x"}, {"$set": {"owner": "y", "tags": ["a", "b"]}})
    other.insert_many([a_document(rng, key) for key in range(200, 260)])
    other.delete_many({"n": 1})
    other.update_one({"_id": "fresh"}, {"$set": {"word": "кофейня", "at": DAY}}, upsert=True)
    store.refresh()
    assert_exact(things, rng)
    assert things.find_one({"word": "кофейня", "at": DAY})["_id"] == "fresh"

    _restarted, again = open_things(path)
    assert_exact(again, rng)


def test_expired_documents_leave_through_the_index(tmp_path):
    store, things = open_things(tmp_path / "s.sqlite3")
    things.create_index("expiresAt", expireAfterSeconds=0)
    now = datetime.utcnow()
    things.insert_many([{"_id": n, "expiresAt": now + timedelta(minutes=n - 5)} for n in range(10)]
                       + [{"_id": "never"}, {"_id": "text", "expiresAt": "soon"}])
    assert sorted(str(d["_id"]) for d in things.find()) == ["6", "7", "8", "9", "never", "text"]
    assert_exact(things, random.Random(1), rounds=0)


def test_a_distance_search_reads_only_the_cells_around_it(tmp_path):
    rng = random.Random(5)
    store, things = open_things(tmp_path / "s.sqlite3")
    declare(things)
    things.insert_many([a_document(rng, key) for key in range(500)])
    geo = store["bank"]["things"].index.fields["point"]
    near = geo.near(55.75, 37.6, 2000)
    located = [d for d in things.find() if d.get("point")]
    assert 0 < len(near) < len(located)
    from app.lib.geo import distance_meters
    within = {d["_id"] for d in located
              if distance_meters(55.75, 37.6, d["point"]["coordinates"][1],
                                 d["point"]["coordinates"][0]) <= 2000}
    assert within <= near
    assert geo.near(89.9, 0, 5000) is None and geo.near(55.75, 179.99, 5000) is None


def test_a_partial_unique_index_counts_only_the_documents_inside_its_filter(tmp_path):
    store, guests = open_things(tmp_path / "s.sqlite3")
    guests.create_index([("businessId", 1), ("externalId", 1)], unique=True,
                        partialFilterExpression={"externalId": {"$exists": True}})
    guests.insert_many([{"_id": n, "businessId": "b1"} for n in range(50)])  # anonymous
    guests.insert_one({"_id": "known", "businessId": "b1", "externalId": "e1"})
    guests.insert_one({"_id": "other", "businessId": "b2", "externalId": "e1"})
    with pytest.raises(DuplicateKeyError):
        guests.insert_one({"_id": "again", "businessId": "b1", "externalId": "e1"})
    with pytest.raises(DuplicateKeyError):
        guests.update_one({"_id": 3}, {"$set": {"externalId": "e1"}})
    assert guests.count_documents({"externalId": "e1"}) == 2
    assert guests.count_documents({"businessId": "b1"}) == 51


def test_a_limited_cursor_gives_the_same_page_as_slicing_every_match(tmp_path):
    rng = random.Random(9)
    store, things = open_things(tmp_path / "s.sqlite3")
    declare(things)
    things.insert_many([a_document(rng, key) for key in range(200)])
    everything = list(things.find({"at": {"$gte": DAY}}).sort([("at", -1), ("_id", 1)]))
    for skip, limit in [(0, 10), (15, 20), (190, 30), (500, 5)]:
        page = things.find({"at": {"$gte": DAY}}).sort([("at", -1), ("_id", 1)]) \
            .skip(skip).limit(limit)
        assert list(page) == everything[skip:skip + limit]
    first = next(things.find({}).limit(1))
    first["owner"] = "changed in the copy"
    assert things.find_one({"_id": first["_id"]})["owner"] != "changed in the copy"


@pytest.mark.parametrize("sort_up_to", [0, 10_000])  # walking the index, and sorting all
def test_ranking_by_an_indexed_number_gives_the_first_of_a_full_sort(tmp_path, monkeypatch,
                                                                      sort_up_to):
    monkeypatch.setattr(embedded_reads, "SORT_UP_TO", sort_up_to)
    rng = random.Random(13)
    store, things = open_things(tmp_path / "s.sqlite3")
    things.create_index([("kind", 1), ("score", -1)])
    things.insert_many([{"_id": n, "kind": rng.choice("abc"), "score": rng.randint(0, 30),
                         "name": rng.choice(["Б", "А", "В"])} for n in range(600)])

    def order(document):
        return -document["score"], document["name"], document["_id"]

    for kind, count in [("a", 1), ("b", 25), ("c", 400), ("z", 10)]:
        every = sorted(things.find({"kind": kind}), key=order)
        total, first = embedded_reads.ranked(things, {"kind": kind}, "score", order, count)
        assert (total, first) == (len(every), every[:count])


def test_a_value_held_by_nearly_every_document_narrows_by_the_few_others(tmp_path):
    store, things = open_things(tmp_path / "s.sqlite3")
    things.create_index("owner")
    things.create_index("flag")
    things.insert_many([{"_id": n, "owner": "o" if n < 98 else "p",
                         "flag": 1 if n < 2 else ({"odd": 1} if n == 50 else (n != 60))}
                        for n in range(100)])
    for query in ({"owner": "o", "flag": True}, {"owner": "o", "flag": 1},
                  {"owner": "o", "flag": {"$ne": True}}, {"owner": "o", "flag": False}):
        assert list(things.find(query)) == scan(things._store, query), query
