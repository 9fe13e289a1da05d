"""Speed-ups of the embedded store (mongomock 4.3) that keep its answers the same.

- Cursor iteration: mongomock's `Cursor.__next__` slices the whole result list on every
  call, so reading n documents cost O(n²); this reads by index, and a limited cursor copies
  only the documents it returns (mongomock copied every match before slicing).
- `aggregate()`: mongomock copies every document before the first stage; a leading `$match`
  (and a plain inclusion `$project` after it) is what `find()` does, so `find()` does it.
- A range on one top-level field with date or string bounds is compared directly instead of
  through mongomock's general matcher (tens of µs a document); values of other types still
  go through the matcher.
- Unique checks after an update: mongomock re-checks every unique index of each updated
  document by scanning the whole collection, O(n²) for an update of many documents (a
  channel post's unread counters for 10,000 members took minutes). An update whose
  operators touch no field of a unique index cannot break one, so the check is skipped.
The dashboard bench (bench/dashboard.py) went from about 25 s to about 2 s with these.
"""

import itertools
import operator
import threading
from datetime import datetime

from mongomock import DuplicateKeyError, helpers
from mongomock import aggregate as mongomock_aggregate
from mongomock import collection as mongomock_collection
from mongomock.filtering import filter_applies

_RANGE = {"$gt": operator.gt, "$gte": operator.ge, "$lt": operator.lt, "$lte": operator.le}
_MISSING = object()
_skipping = threading.local()
_original_ensure_uniques = mongomock_collection.Collection._ensure_uniques
_wrapped_update = mongomock_collection.Collection._update


def _cursor_next(self):
    if self._limit and self._emitted >= abs(self._limit):
        raise StopIteration
    if self._limit:
        results, index = _first_results(self), self._emitted
    else:
        results = self._compute_results(with_limit_and_skip=False)
        index = self._skip + self._emitted
    if index >= len(results):
        raise StopIteration
    self._emitted += 1
    return results[index]


def _first_results(cursor):
    """A limited cursor's results: only the first skip + limit matches are copied (mongomock
    copied every match, e.g. all of a business's dialogs for one page of its inbox)."""
    if cursor._results and cursor._factory_last_generated_results == cursor._factory:
        return cursor._results[cursor._skip:cursor._skip + abs(cursor._limit)]
    made_by, page = getattr(cursor, "_first", (None, None))
    if made_by is not cursor._factory:
        first = list(itertools.islice(cursor._factory(), cursor._skip + abs(cursor._limit)))
        if cursor.collection.codec_options.tz_aware:
            first = [helpers.make_datetime_timezone_aware_in_document(x) for x in first]
        page = first[cursor._skip:]
        cursor._first = (cursor._factory, page)
    return page


def _aggregate(self, pipeline, session=None, **_unused):
    pipeline = list(pipeline)
    spec, projection = {}, None
    if pipeline and isinstance(pipeline[0], dict) and list(pipeline[0]) == ["$match"]:
        spec, pipeline = pipeline[0]["$match"], pipeline[1:]
    if pipeline and isinstance(pipeline[0], dict) and list(pipeline[0]) == ["$project"] \
            and _plain_inclusion(pipeline[0]["$project"]):
        projection, pipeline = pipeline[0]["$project"], pipeline[1:]
    documents = list(self.find(spec, projection))
    return mongomock_aggregate.process_pipeline(documents, self.database, pipeline, session)


def _plain_inclusion(projection):
    """{"a": 1, "b": 1, "_id": 0}: top-level fields kept, nothing computed."""
    return isinstance(projection, dict) and bool(projection) and all(
        isinstance(key, str) and not key.startswith("$") and "." not in key
        and type(value) in (int, bool) and (bool(value) or key == "_id")
        for key, value in projection.items())


def by_range(store, filter):
    """The documents matching {field: {$gt/$gte/$lt/$lte: bound}} on one top-level field with
    bounds of one type (str, or naive datetime); None for any other filter."""
    if not isinstance(filter, dict) or len(filter) != 1:
        return None
    ((field, condition),) = filter.items()
    if (field.startswith("$") or "." in field or not isinstance(condition, dict)
            or not condition or set(condition) - _RANGE.keys()):
        return None
    kinds = {type(bound) for bound in condition.values()}
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    if kind is not str and not (kind is datetime and all(
            bound.tzinfo is None for bound in condition.values())):
        return None
    tests = [(_RANGE[op], bound) for op, bound in condition.items()]
    store._remove_expired_documents()

    def matching():
        for document in list(store._documents.values()):
            value = document.get(field, _MISSING)
            if type(value) is kind:
                if all(test(value, bound) for test, bound in tests):
                    yield document
            elif value is not _MISSING and filter_applies(filter, document):
                yield document

    return matching()


def install():
    global _wrapped_update
    if mongomock_collection.Collection._update is not _update_checking_uniques_when_needed:
        _wrapped_update = mongomock_collection.Collection._update  # the journal's recorder
    mongomock_collection.Collection._update = _update_checking_uniques_when_needed
    mongomock_collection.Collection._ensure_uniques = _ensure_uniques
    mongomock_collection.Cursor.__next__ = _cursor_next
    mongomock_collection.Cursor.next = _cursor_next
    mongomock_collection.Collection.aggregate = _aggregate


# --- unique checks only when an update can break them ----------------------------------------

def _changed_fields(update):
    """The top-level fields an update's operators set, or None when that is unclear (a
    replacement document, $rename)."""
    if not isinstance(update, dict) or not update or not all(k.startswith("$") for k in update):
        return None
    fields = set()
    for name, spec in update.items():
        if name == "$rename" or not isinstance(spec, dict):
            return None
        fields.update(key.split(".")[0] for key in spec)
    return fields


def _unique_fields(collection):
    return {key.split(".")[0] for index in collection._store.indexes.values()
            if index.get("unique") for key, _direction in index["key"]}


def _update_checking_uniques_when_needed(self, spec, document, upsert=False, *args, **kwargs):
    changed = _changed_fields(document)
    skip = not upsert and changed is not None and not changed & _unique_fields(self)
    outer = getattr(_skipping, "on", False)
    _skipping.on = skip
    try:
        return _wrapped_update(self, spec, document, upsert, *args, **kwargs)
    finally:
        _skipping.on = outer


def _ensure_uniques(self, new_data):
    if getattr(_skipping, "on", False):
        return None
    reindex = getattr(self._store, "reindex", None)
    if reindex is None or isinstance(new_data["_id"], dict):
        return _original_ensure_uniques(self, new_data)
    reindex([new_data["_id"]])  # an update changed it in place: the check reads its new keys
    # mongomock's check, except that a document outside a partial index's filter is not in
    # that index (as on MongoDB), so nothing is counted for it: mongomock counted every
    # document outside the filter that shares the key (all the guests without an external id).
    for index in self._store.indexes.values():
        if not index.get("unique"):
            continue
        keys = {key: _value_or_none(new_data, key) for key, _direction in index["key"]}
        if index.get("sparse") and set(keys.values()) == {None}:
            continue
        partial = index.get("partialFilterExpression")
        if partial is not None:
            if not filter_applies(partial, new_data):
                continue
            keys = {"$and": [partial, keys]}
        if len(list(self._iter_documents(keys))) > 1:
            raise DuplicateKeyError("E11000 Duplicate Key Error", 11000)
    return None


def _value_or_none(document, key):
    try:
        return helpers.get_value_by_dot(document, key)
    except KeyError:
        return None
