"""Text folded for search: case-insensitive and Cyrillic-aware (ё matches е), by word prefix.

A business stores the distinct folded words of its name and description (`searchWords`), and
a query matches when each of its words begins one of them: "коф" finds "Кофейня на Арбате",
as a person typing expects. Prefixes are what both stores index: on MongoDB `^prefix` over a
multikey index of the words is a range scan of that index, and the embedded store narrows by
the same prefix in its sorted keys (app/embedded_indexes.py). MongoDB's `$text` was not used:
its Russian stemming matches whole stemmed words only, so a half-typed word finds nothing, and
it has no embedded equivalent that would answer the same.
"""

import re
import unicodedata

_WORD = re.compile(r"\w+")
MAX_WORDS = 300  # a 2,000-character description has fewer; a bound on what a document keeps


def fold(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold().replace("ё", "е")


def words(query: str | None, limit: int = 8) -> list[str]:
    """The distinct folded words of a query (at most `limit`, so a query stays cheap)."""
    return list(dict.fromkeys(_WORD.findall(fold(query))))[:limit]


def index_words(*texts: str | None) -> list[str]:
    """The distinct folded words of a document's texts, in order of appearance."""
    return words(" ".join(text or "" for text in texts), limit=MAX_WORDS)


def conditions(query: str | None, field: str = "searchWords") -> list[dict]:
    """MongoDB conditions: every word of the query begins a word in `field`."""
    return [{field: {"$regex": "^" + re.escape(word)}} for word in words(query)]
