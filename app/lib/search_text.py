"""Text folded for search: case-insensitive and Cyrillic-aware (ё matches е).

The same folding is stored on documents and applied to queries, so a plain substring
match means the same on MongoDB and on the embedded store (which has no $text).
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold().replace("ё", "е")
    return _SPACES.sub(" ", text).strip()


def words(query: str | None, limit: int = 8) -> list[str]:
    """The distinct folded words of a query (at most `limit`, so a query stays cheap)."""
    seen = []
    for word in fold(query).split(" "):
        if word and word not in seen:
            seen.append(word)
    return seen[:limit]


def conditions(query: str | None, field: str = "searchText") -> list[dict]:
    """MongoDB conditions: every word of the query appears in `field`."""
    return [{field: {"$regex": re.escape(word)}} for word in words(query)]
