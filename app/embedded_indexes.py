"""The declared indexes of an embedded collection, kept in memory and used as MongoDB uses them.

mongomock answers every query by testing every document. These indexes give a query its
candidates first: the documents whose indexed fields can match its equality, `$in`, range and
anchored-prefix `$regex` conditions (top level or inside `$and`). The full filter then runs on
the candidates only, so an index may only ever err on the side of too many, never too few.
The same lookups make unique checks (mongomock's `_ensure_uniques` is a query) and TTL expiry
cheap. A 2dsphere field gets a grid of cells for distance searches.

Keys compare as mongomock's matcher does (it decides in the end): numbers together, booleans
with them (1 == True there), strings, naive datetimes and ObjectIds each in a sorted list of
their own for ranges. A missing field is indexed as null (`{"f": None}` matches both). Values
of other kinds (a subdocument, a regex, an aware datetime) are not indexed, and a query on them
is not narrowed.
A field seen holding an array is "multikey": its elements are indexed, and only equality,
`$in` and prefix conditions narrow on it (a range or null over arrays is left to the filter).
"""

import math
import re
from datetime import datetime

from bson import ObjectId
from sortedcontainers import SortedList

NULL = ("null",)  # the key of None and of a missing field
_RANGES = ("$gt", "$gte", "$lt", "$lte")
_SORTED_KINDS = {int: "n", float: "n", str: "s", datetime: "d", ObjectId: "o"}
_PREFIX = re.compile(r"\^((?:[^\\.^$*+?()[\]{}|]|\\[^A-Za-z0-9])*)")
CELL_DEGREES = 0.01  # about 1.1 km of latitude: a 5 km search reads about 180 cells
_MAX_CELLS = 40000
_METERS_PER_DEGREE = 111_320.0


def _key(value):
    """The index key of one value, or None when such values are not indexed."""
    if value is None:
        return NULL
    kind = type(value)
    if kind is datetime:
        return value if value.tzinfo is None else None
    if kind is float and math.isnan(value):
        return None
    if kind in _SORTED_KINDS or isinstance(value, int | float | str):
        return value
    return None


def _sort_kind(key):
    kind = type(key)
    if kind in _SORTED_KINDS:
        return _SORTED_KINDS[kind]
    if isinstance(key, int | float):
        return "n"
    return "s" if isinstance(key, str) else None


def _values_at(document, path):
    """The values at a dotted path (looking into arrays of subdocuments), and whether an array
    was crossed or found there."""
    values, multikey = [document], False
    for part in path.split("."):
        found = []
        for value in values:
            if isinstance(value, dict):
                if part in value:
                    found.append(value[part])
            elif isinstance(value, list):
                multikey = True
                found.extend(item[part] for item in value
                             if isinstance(item, dict) and part in item)
        values = found
    keys = set()
    for value in values:
        if isinstance(value, list):
            multikey = True
            keys.update(_key(item) for item in value)
        else:
            keys.add(_key(value))
    if not values:
        keys.add(NULL)
    keys.discard(None)
    return keys, multikey


class FieldIndex:
    """One field: key -> the ids holding it (one id, or a set), and sorted keys per kind."""

    def __init__(self, path):
        self.path = path
        self.ids = {}
        self.sorted = {}
        self.multikey = False
        self.unkeyed = set()  # documents whose value here is of a kind not indexed

    def keys_of(self, document):
        keys, multikey = _values_at(document, self.path)
        self.multikey = self.multikey or multikey
        if len(keys) == 1:
            return next(iter(keys))
        return frozenset(keys)

    def add(self, key, doc_id):
        if key == frozenset():
            self.unkeyed.add(doc_id)
        for one in (key if isinstance(key, frozenset) else (key,)):
            held = self.ids.get(one)
            if held is None:
                self.ids[one] = doc_id
                kind = _sort_kind(one)
                if kind is not None:
                    self.sorted.setdefault(kind, SortedList()).add(one)
            elif isinstance(held, set):
                held.add(doc_id)
            elif held != doc_id:
                self.ids[one] = {held, doc_id}

    def remove(self, key, doc_id):
        if key == frozenset():
            self.unkeyed.discard(doc_id)
        for one in (key if isinstance(key, frozenset) else (key,)):
            held = self.ids.get(one)
            if isinstance(held, set):
                held.discard(doc_id)
                if len(held) == 1:
                    self.ids[one] = next(iter(held))
            elif held == doc_id:
                del self.ids[one]
                kind = _sort_kind(one)
                if kind is not None:
                    self.sorted[kind].remove(one)

    def walk_numbers(self, descending=False):
        """The keys of numbers in order, and null (none or missing) where MongoDB sorts it:
        first going up, last going down."""
        numbers = self.sorted.get("n")
        walk = iter(()) if numbers is None else numbers.irange(reverse=descending)
        yield from (walk if descending else ())
        yield NULL
        yield from (() if descending else walk)

    def holding(self, key):
        """The ids holding `key`: a set or a tuple, not to be changed."""
        return self._ids(key)

    def _ids(self, key):
        held = self.ids.get(key)
        if held is None:
            return ()
        return held if isinstance(held, set) else (held,)

    # --- lookups: (estimated size, a function giving the ids) or None when not usable -------

    def equal(self, value):
        key = _key(value)
        if key is None or (key is NULL and self.multikey) or isinstance(value, list | dict):
            return None
        found = self._ids(key)
        return len(found), lambda: found

    def others(self, value):
        """The ids not holding `value`'s key, when no document holds an array here (each then
        holds one key or none): few when nearly every document holds it (isPublic=True)."""
        key = _key(value)
        found = set(self.unkeyed)
        for other, held in self.ids.items():
            if other != key:  # 1 and True share a key, as they match each other
                if isinstance(held, set):
                    found |= held
                else:
                    found.add(held)
        return found

    def any_of(self, values):
        if not isinstance(values, list | tuple):
            return None
        keys = [_key(value) for value in values]
        if any(key is None or (key is NULL and self.multikey) for key in keys) \
                or any(isinstance(value, list | dict) for value in values):
            return None
        return self._union(keys)

    def between(self, condition):
        bounds = {op: condition[op] for op in _RANGES if op in condition}
        keys = [_key(bound) for bound in bounds.values()]
        kinds = {_sort_kind(key) if key is not None else None for key in keys}
        if self.multikey or len(kinds) != 1 or None in kinds:
            return None
        lower = [v for op, v in bounds.items() if op in ("$gt", "$gte")]
        upper = [v for op, v in bounds.items() if op in ("$lt", "$lte")]
        lo, hi = (max(lower) if lower else None), (min(upper) if upper else None)
        inclusive = (bounds.get("$gt") != lo, bounds.get("$lt") != hi)
        return self._sorted_range(kinds.pop(), lo, hi, inclusive)

    def prefix(self, pattern):
        """Strings starting with a regex's literal prefix: `^abc`, `^a\\.b`, not `^a|b`."""
        match = _PREFIX.match(pattern) if isinstance(pattern, str) else None
        if match is None or "|" in pattern:
            return None
        text = re.sub(r"\\(.)", r"\1", match.group(1))
        if pattern[match.end():match.end() + 1] in ("*", "?", "{"):
            text = text[:-1]  # `^abc?`: the last letter may be absent
        if not text:
            return None
        end = text[:-1] + chr(ord(text[-1]) + 1)
        return self._sorted_range("s", text, end, (True, False))

    def _sorted_range(self, kind, lo, hi, inclusive):
        keys = self.sorted.get(kind)
        if keys is None:
            return 0, lambda: ()
        if lo is not None and hi is not None and lo > hi:
            return 0, lambda: ()
        start, stop = 0, len(keys)
        if lo is not None:
            start = keys.bisect_left(lo) if inclusive[0] else keys.bisect_right(lo)
        if hi is not None:
            stop = keys.bisect_right(hi) if inclusive[1] else keys.bisect_left(hi)
        if stop <= start:
            return 0, lambda: ()
        return self._union(keys.islice(start, stop), estimate=stop - start)

    def _union(self, keys, estimate=None):
        keys = list(keys)
        if estimate is None:
            estimate = sum(len(self._ids(key)) for key in keys)

        def ids():
            if len(keys) == 1:
                return self._ids(keys[0])
            found = set()
            for key in keys:
                held = self.ids.get(key)
                if isinstance(held, set):
                    found |= held
                elif held is not None:
                    found.add(held)
            return found
        return estimate, ids


class GeoIndex:
    """A 2dsphere field's GeoJSON points on a grid of CELL_DEGREES cells."""

    def __init__(self, path):
        self.path = path
        self.cells = {}

    def keys_of(self, document):
        values, _multikey = [document], False
        for part in self.path.split("."):
            values = [value[part] for value in values if isinstance(value, dict) and part in value]
        for point in values:
            coordinates = point.get("coordinates") if isinstance(point, dict) else None
            if isinstance(coordinates, list | tuple) and len(coordinates) == 2 \
                    and all(isinstance(c, int | float) for c in coordinates):
                lng, lat = coordinates
                return (math.floor(lat / CELL_DEGREES), math.floor(lng / CELL_DEGREES))
        return None

    def add(self, key, doc_id):
        if key is not None:
            self.cells.setdefault(key, set()).add(doc_id)

    def remove(self, key, doc_id):
        held = self.cells.get(key)
        if held is not None:
            held.discard(doc_id)
            if not held:
                del self.cells[key]

    def near(self, lat, lng, radius_meters):
        """The ids in the cells that a circle can touch; None when the circle is too large, at
        a pole or across the antimeridian (then the caller reads everything)."""
        dlat = radius_meters / _METERS_PER_DEGREE
        cos = math.cos(math.radians(lat))
        if cos < 0.05 or abs(lat) + dlat >= 90:
            return None
        dlng = dlat / cos
        if lng - dlng < -180 or lng + dlng > 180:
            return None
        rows, columns = _cells(lat, dlat), _cells(lng, dlng)
        if len(rows) * len(columns) > _MAX_CELLS:
            return None
        found = set()
        for row in rows:
            for column in columns:
                held = self.cells.get((row, column))
                if held:
                    found |= held
        return found


def _cells(center, half):
    return range(math.floor((center - half) / CELL_DEGREES),
                 math.floor((center + half) / CELL_DEGREES) + 1)


class CollectionIndexes:
    """Every indexed field of one collection, and each document's keys and insertion order
    (queries without a sort answer in insertion order, as mongomock does)."""

    def __init__(self, declared):
        self.declared = CollectionIndexes.paths_of(declared)
        self.fields = {}
        for index in declared.values():
            for path, kind in index.get("key", ()):
                if path == "_id" or path in self.fields:
                    continue
                if kind == "2dsphere":
                    self.fields[path] = GeoIndex(path)
                elif kind in (1, -1):
                    self.fields[path] = FieldIndex(path)
        self._indexes = list(self.fields.values())
        self.entries = {}  # id -> (position, key of each index)
        self._next = 0

    @staticmethod
    def paths_of(declared):
        return {path for index in declared.values() for path, _kind in index.get("key", ())}

    def put(self, doc_id, document):
        old = self.entries.get(doc_id)
        if old is None:
            position = self._next
            self._next += 1
        else:
            position = old[0]
        keys = tuple(index.keys_of(document) for index in self._indexes)
        if old is not None:
            if old[1:] == keys:
                return
            for index, key in zip(self._indexes, old[1:], strict=True):
                index.remove(key, doc_id)
        for index, key in zip(self._indexes, keys, strict=True):
            index.add(key, doc_id)
        self.entries[doc_id] = (position, *keys)

    def drop(self, doc_id):
        old = self.entries.pop(doc_id, None)
        if old is not None:
            for index, key in zip(self._indexes, old[1:], strict=True):
                index.remove(key, doc_id)

    def in_order(self, ids):
        entries = self.entries
        return sorted((doc_id for doc_id in ids if doc_id in entries),
                      key=lambda doc_id: entries[doc_id][0])

    def candidates(self, filter):
        """(A superset of the ids that match `filter`, the part of `filter` those ids may still
        fail), or None when no index narrows it. The conditions an index answered exactly
        are left out of that part, so a query wholly answered by indexes tests nothing."""
        lookups, exclusions = [], []
        total = len(self.entries)
        for place, path, condition in _conditions(filter):
            lookup = self._lookup(path, condition)
            excluded = None if lookup is not None else self._excluding(path, condition)
            if lookup is not None:
                lookups.append((place, *lookup))
            elif excluded is not None:
                exclusions.append((place, excluded))
        if not lookups:
            return None
        lookups.sort(key=lambda lookup: lookup[1])
        found, answered = None, set()
        for place, estimate, ids, exact, stored, equal in lookups:
            if found is not None and equal is not None and total - estimate < len(found):
                # Held by nearly all: taking out the few others beats intersecting.
                found.difference_update(equal[0].others(equal[1]))
            elif found is not None and not stored and estimate > 8 * len(found):
                continue  # the filter checks it faster than a bigger set is built
            else:
                found = set(ids()) if found is None else found.intersection(ids())
            if exact:
                answered.add(place)
        for place, ids in exclusions:
            found.difference_update(ids())
            answered.add(place)
        return found, _residual(filter, answered)

    def _lookup(self, path, condition):
        """(estimated size, the ids, whether exact, whether already held) or None."""
        if path == "_id":
            return _primary(condition)
        index = self.fields.get(path)
        if not isinstance(index, FieldIndex):
            return None
        top = "." not in path
        if not (isinstance(condition, dict) and any(k.startswith("$") for k in condition)):
            found = index.equal(condition)
            plain = (index, condition) if top and not index.multikey else None
            return found and (*found, top, True, plain)
        options = []
        if "$eq" in condition:
            options.append(_option(index.equal(condition["$eq"]), top, True))
        if "$in" in condition:
            options.append(_option(index.any_of(condition["$in"]), top, False))
        if any(op in condition for op in _RANGES):
            options.append(_option(index.between(condition), False, False))
        if "$regex" in condition and not condition.get("$options"):
            whole = top and _LITERAL.fullmatch(condition["$regex"] or "") is not None
            options.append(_option(index.prefix(condition["$regex"]), whole, False))
        options = [option for option in options if option is not None]
        if not options:
            return None
        estimate, ids, exact, stored = min(options, key=lambda option: option[0])
        return estimate, ids, exact and len(condition) == 1, stored, None

    def _excluding(self, path, condition):
        """`{"f": {"$ne": v}}` on a top-level field never holding arrays: the ids to take out."""
        index = self.fields.get(path)
        if not (isinstance(index, FieldIndex) and "." not in path and not index.multikey
                and isinstance(condition, dict) and list(condition) == ["$ne"]):
            return None
        found = index.equal(condition["$ne"])
        return found and found[1]


def _option(found, exact, stored):
    return None if found is None else (*found, exact, stored)


_LITERAL = re.compile(r"\^(?:[^\\.^$*+?()[\]{}|]|\\[^A-Za-z0-9])+")


def _residual(filter, answered):
    """`filter` without the conditions at `answered` places (None if nothing is left)."""
    left = {}
    for path, condition in filter.items():
        if (id(filter), path) in answered:
            continue
        if path == "$and" and isinstance(condition, list):
            parts = [_residual(part, answered) if isinstance(part, dict) else part
                     for part in condition]
            parts = [part for part in parts if part is not None]
            if parts:
                left["$and"] = parts
        else:
            left[path] = condition
    return left or None


def _primary(condition):
    if _hashable_id(condition):
        return 1, lambda: (condition,), True, False, None
    if isinstance(condition, dict) and set(condition) == {"$in"} \
            and isinstance(condition["$in"], list | tuple):
        values = [value for value in condition["$in"] if _hashable_id(value)]
        if len(values) == len(condition["$in"]):
            return len(values), lambda: values, True, False, None
    return None


def _hashable_id(value):
    return isinstance(value, str | int | ObjectId) and not isinstance(value, bool)


def _conditions(filter):
    """(place, path, condition) for each condition every match must meet: top-level fields
    and those of `$and`, never of `$or`, `$nor` or `$not`."""
    if not isinstance(filter, dict):
        return
    for path, condition in filter.items():
        if path == "$and" and isinstance(condition, list):
            for part in condition:
                yield from _conditions(part)
        elif not path.startswith("$"):
            yield (id(filter), path), path, condition
