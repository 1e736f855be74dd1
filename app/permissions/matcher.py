"""Evaluate an allow-listed MongoDB query against an in-memory document, like the server.

Used to decide which grants apply to a record already loaded (row-aware field rules) and
to explain which clause failed. Follows MongoDB's rules for dotted paths through lists and
embedded documents, implicit array matching, null matching missing fields, and type
bracketing in comparisons (numbers with numbers, strings with strings, dates with dates).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from bson import ObjectId
from bson.decimal128 import Decimal128

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


def matches(query: dict[str, Any], doc: dict[str, Any]) -> bool:
    """Whether ``doc`` matches ``query`` (allow-listed operators only).

    Argument order as in mongomock's ``filter_applies(filter, document)``.
    """
    for key, value in query.items():
        if key == "$and":
            if not all(matches(q, doc) for q in value):
                return False
        elif key == "$or":
            if not any(matches(q, doc) for q in value):
                return False
        elif key == "$nor":
            if any(matches(q, doc) for q in value):
                return False
        elif key.startswith("$"):
            raise ValueError(f"unsupported operator {key}")
        elif not field_matches(candidates(doc, key.split(".")), value):
            return False
    return True


def query_paths(query: dict[str, Any]) -> set[str]:
    """The fields ``query`` reads (through ``$and``, ``$or`` and ``$nor``): whether a document
    matches depends on what it holds at these paths alone."""
    paths: set[str] = set()
    for key, value in query.items():
        if key in ("$and", "$or", "$nor"):
            for clause in value:
                paths |= query_paths(clause)
        elif not key.startswith("$"):
            paths.add(key)
    return paths


def values_key(doc: dict[str, Any], paths: Iterable[list[str]]) -> tuple[Any, ...] | None:
    """What ``doc`` holds at ``paths`` (split), exactly (types included), as a key to remember a
    match by; None when a value is large or of a kind not worth comparing so."""
    key: list[Any] = []
    for parts in paths:
        for value in candidates(doc, parts):
            frozen = _frozen(value, KEY_ITEMS)
            if frozen is None:
                return None
            key.append(frozen)
        key.append(_END)
    return tuple(key)


KEY_ITEMS = 32  # the most values a list or document at a path may hold for values_key
_END: Any = object()  # closes one path's values in a key
_PLAIN = frozenset({str, int, float, bool, type(None), ObjectId, datetime, type(MISSING)})


def _frozen(value: Any, room: int) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return kind, value
    if kind is Decimal128:
        return kind, value.bid
    if kind is list and len(value) <= room:
        items = [_frozen(v, room - len(value)) for v in value]
        return None if any(i is None for i in items) else (list, tuple(items))
    if kind is dict and len(value) <= room:
        pairs = [(k, _frozen(v, room - len(value))) for k, v in value.items()]
        return None if any(v is None for _, v in pairs) else (dict, tuple(pairs))
    return None


def candidates(value: Any, parts: list[str]) -> list[Any]:
    """Values reached by a dotted path; MISSING marks a branch where the path ends early."""
    if not parts:
        return [value]
    head, rest = parts[0], parts[1:]
    if isinstance(value, dict):
        return candidates(value[head], rest) if head in value else [MISSING]
    if isinstance(value, list):
        found: list[Any] = []
        if head.isdigit() and int(head) < len(value):
            found.extend(candidates(value[int(head)], rest))
        for item in value:
            if isinstance(item, dict):
                found.extend(candidates(item, parts))
        return found or [MISSING]
    return [MISSING]


def resolve(doc: dict[str, Any], path: str) -> list[Any]:
    """The values present at ``path`` (none when the record has no such field)."""
    return [v for v in candidates(doc, path.split(".")) if v is not MISSING]


def field_matches(found: list[Any], condition: Any) -> bool:
    if isinstance(condition, dict) and condition and all(k.startswith("$") for k in condition):
        return all(_operator(found, op, arg, condition) for op, arg in condition.items())
    return _eq(found, condition)


def _flat(found: list[Any]) -> list[Any]:
    """Each value, and the elements of each list value (implicit array matching)."""
    out: list[Any] = []
    for value in found:
        out.append(value)
        if isinstance(value, list):
            out.extend(value)
    return out


def _eq(found: list[Any], target: Any) -> bool:
    for value in _flat(found):
        if value is MISSING:
            if target is None:
                return True
        elif equal(value, target):
            return True
    return False


def _operator(found: list[Any], op: str, arg: Any, siblings: dict[str, Any]) -> bool:
    if op == "$eq":
        return _eq(found, arg)
    if op == "$ne":
        return not _eq(found, arg)
    if op == "$in":
        return any(_eq(found, item) for item in arg)
    if op == "$nin":
        return not any(_eq(found, item) for item in arg)
    if op in ("$gt", "$gte", "$lt", "$lte"):
        return _range(found, op, arg)
    if op == "$exists":
        present = any(v is not MISSING for v in found)
        return present if arg else not present
    if op == "$size":
        return any(isinstance(v, list) and len(v) == arg for v in found)
    if op == "$all":
        return bool(arg) and all(_eq(found, item) for item in arg)
    if op == "$regex":
        pattern = _compiled(arg, siblings.get("$options", ""))
        return any(isinstance(v, str) and pattern.search(v) for v in _flat(found))
    if op == "$options":
        return True  # read together with $regex
    if op == "$not":
        return not field_matches(found, arg)
    if op == "$elemMatch":
        return any(isinstance(v, list) and any(_element(e, arg) for e in v) for v in found)
    raise ValueError(f"unsupported operator {op}")


def _element(element: Any, condition: dict[str, Any]) -> bool:
    if all(k.startswith("$") and k not in ("$and", "$or", "$nor") for k in condition):
        return all(_operator([element], op, arg, condition) for op, arg in condition.items())
    return isinstance(element, dict) and matches(condition, element)


@lru_cache(maxsize=256)
def _compiled(pattern: str, options: str) -> re.Pattern[str]:
    flags = 0
    for letter in options:
        flags |= REGEX_FLAGS.get(letter, 0)
    return re.compile(pattern, flags)


def _range(found: list[Any], op: str, arg: Any) -> bool:
    if arg is None:  # only $gte/$lte null match, and only null or missing values
        return op in ("$gte", "$lte") and any(v is None or v is MISSING for v in _flat(found))
    for value in _flat(found):
        order = compare(value, arg)
        if order is None:
            continue
        if (
            (op == "$gt" and order > 0)
            or (op == "$gte" and order >= 0)
            or (op == "$lt" and order < 0)
            or (op == "$lte" and order <= 0)
        ):
            return True
    return False


def _normal(value: Any) -> tuple[str, Any]:
    """(type bracket, comparable value)."""
    if isinstance(value, bool):
        return "bool", value
    if isinstance(value, Decimal128):
        return "number", value.to_decimal()
    if isinstance(value, (int, float, Decimal)):
        return "number", value
    if isinstance(value, str):
        return "string", value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return "date", value
    if isinstance(value, date):
        return "date", datetime(value.year, value.month, value.day)
    if isinstance(value, ObjectId):
        return "objectid", value
    if value is None:
        return "null", None
    return type(value).__name__, value


def compare(a: Any, b: Any) -> int | None:
    """-1, 0, 1, or None when MongoDB would not compare these types in a query."""
    kind_a, a = _normal(a)
    kind_b, b = _normal(b)
    if kind_a != kind_b or kind_a in ("list", "dict"):
        return None
    if kind_a == "null":
        return 0
    try:
        order: int = (a > b) - (a < b)
    except TypeError:
        return None
    return order


def equal(a: Any, b: Any) -> bool:
    """MongoDB equality: numbers by value across int/float/decimal, no bool/number mixing,
    documents field by field in order, arrays element by element."""
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)) or list(a) != list(b):
            return False
        return all(equal(a[k], b[k]) for k in a)
    if isinstance(a, list) or isinstance(b, list):
        if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
            return False
        return all(equal(x, y) for x, y in zip(a, b, strict=True))
    if a is None or b is None:
        return a is None and b is None
    return compare(a, b) == 0
