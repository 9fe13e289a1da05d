"""The contract's query syntax for the stand-in's list endpoints: `filter=(field,op,value)`
joined by `&`, and `sort=(field,asc|desc)` (MMS3_CONTRACT.md, "Filters and sorting")."""

import operator
import re

OPS = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "gte": operator.ge,
       "lt": operator.lt, "lte": operator.le}
CLAUSE = re.compile(r"\(([\w.]+),(\w+),([^)]*)\)")


class QueryError(ValueError):
    pass


def _value(raw):
    if raw.startswith("[") and raw.endswith("]"):
        return [_value(item.strip()) for item in raw[1:-1].split(",") if item.strip()]
    try:
        return float(raw)
    except ValueError:
        return {"true": True, "false": False, "null": None}.get(raw, raw)


def _field(entity, dotted):
    for part in dotted.split("."):
        entity = entity.get(part) if isinstance(entity, dict) else None
    return entity


def _holds(entity, field, op, value):
    found = _field(entity, field)
    if op in ("in", "nin"):
        return (found in value) == (op == "in")
    if op == "exists":
        return (found is not None) == bool(value)
    if op == "regex":
        return isinstance(found, str) and re.search(str(value), found) is not None
    if op == "eq" and isinstance(value, float) and isinstance(found, str):
        value = str(value)  # a digit-only string id compared as text
    try:
        return found is not None and OPS[op](found, value)
    except TypeError:
        return False


def matching(rows, filter_text):
    """The rows every clause of the filter holds for; raises QueryError on a bad filter."""
    if not filter_text:
        return list(rows)
    clauses = []
    for part in filter_text.split("&"):
        match = CLAUSE.fullmatch(part.strip())
        if not match or match.group(2) not in (*OPS, "in", "nin", "exists", "regex"):
            raise QueryError(f"bad filter clause {part!r}")
        clauses.append((match.group(1), match.group(2), _value(match.group(3))))
    return [row for row in rows if all(_holds(row, *clause) for clause in clauses)]


def sort_order(sort_text, default=("createdAt", False)):
    """(field, descending) from `(field,asc|desc)`."""
    if not sort_text:
        return default
    match = re.fullmatch(r"\(([\w.]+),(asc|desc)\)", sort_text)
    if not match:
        raise QueryError(f"bad sort {sort_text!r}")
    return match.group(1), match.group(2) == "desc"
