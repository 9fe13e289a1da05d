"""Reading the embedded store through its in-memory indexes (app/embedded_indexes.py).

A collection store here is a journalled one (app/embedded_store.py), holding `index`; for any
other these answer None and mongomock's own scan is used. The documents given are the stored
ones, not copies: they are read, never changed, by the callers of `ranked` and
`unordered_matches`.
"""

import heapq

from bson import ObjectId
from mongomock.filtering import filter_applies

SORT_UP_TO = 2000  # matches ranked by sorting them all; more walk the index


def by_id(store, filter):
    """A filter on one exact `_id` reads that document, not the whole collection (mongomock
    scans every document for every query). None when the filter is not of that kind."""
    key = filter.get("_id") if isinstance(filter, dict) else None
    if key is None or not isinstance(key, str | int | ObjectId) or isinstance(key, bool):
        return None
    store._remove_expired_documents()
    document = store._documents.get(key)
    if document is None or not filter_applies(filter, document):
        return iter(())
    return iter((document,))


def by_index(store, filter, ordered=True):
    """The documents matching `filter`: the candidates its indexes give, tested against what
    the indexes did not answer exactly; None when no index narrows it."""
    if not hasattr(store, "index"):
        return None
    store._remove_expired_documents()
    with store._rwlock.reader():
        narrowed = store.index.candidates(filter)
        if narrowed is None:
            return None
        ids, rest = narrowed
        documents = store._documents
        if not ordered:
            chosen = [documents[key] for key in ids if key in documents]
        elif len(ids) * 4 > len(documents):  # most of them: reading in order beats sorting
            chosen = [document for key, document in documents.items() if key in ids]
        else:
            chosen = [documents[key] for key in store.index.in_order(ids)]
    if not chosen:
        filter_applies(filter, {})  # a malformed filter still raises, as on a scan
    if rest is None:  # the indexes answered every condition exactly
        return iter(chosen)
    return (document for document in chosen if filter_applies(rest, document))


def unordered_matches(collection, filter):
    """The stored documents matching `filter`, in no particular order."""
    found = by_index(collection._store, filter, ordered=False)
    return found if found is not None else collection._iter_documents(filter)


def ranked(collection, filter, path, order, count):
    """(How many documents match `filter`, the first `count` of them by `order`), where
    `order(document)` sorts by the number at `path` (or none), highest first, before anything
    else. Many matches are not all sorted: the index of `path` is walked from its highest
    number down, and only the matches holding each number are ordered, until `count` are
    found (a catalog page of thousands of matches). None when `path` has no such index."""
    store = collection._store
    index = store.index.fields.get(path) if hasattr(store, "index") else None
    if not hasattr(index, "walk_numbers") or index.multikey:
        return None
    store._remove_expired_documents()
    with store._rwlock.reader():
        documents = store._documents
        ids = _matching_ids(store, filter)
        if len(ids) <= SORT_UP_TO:
            return len(ids), heapq.nsmallest(count, (documents[key] for key in ids), key=order)
        chosen = []
        for key in index.walk_numbers(descending=True):
            holding = index.holding(key)
            found = [documents[k] for k in holding if k in ids] if len(holding) < len(ids) \
                else [documents[k] for k in ids if k in holding]
            chosen.extend(sorted(found, key=order))
            if len(chosen) >= count:
                break
        return len(ids), chosen[:count]


def _matching_ids(store, filter):
    """The ids of the documents matching `filter` (under the store's reader lock)."""
    documents = store._documents
    narrowed = store.index.candidates(filter)
    if narrowed is None:
        return {key for key, document in documents.items() if filter_applies(filter, document)}
    ids, rest = narrowed
    if rest is None:
        return {key for key in ids if key in documents}
    return {key for key in ids if key in documents and filter_applies(rest, documents[key])}
