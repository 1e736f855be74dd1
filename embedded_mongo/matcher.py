"""A direct matcher for the filters writes are guarded with, falling back to mongomock-ng's.

mongomock-ng's ``filter_applies`` walks every dotted path through generic candidate lists and
checks every operator generically; a guarded update's filter (``_id`` and version, the
writer's classes in an ``$or``, half a dozen ``{"...locked": {"$ne": true}}``) cost a third of
the statement. ``filter_applies`` here answers the common shapes directly and exactly as
mongomock-ng (with the comparison rules of ``semantics``) answers them:

* ``$and``, ``$or`` and ``$nor`` of such filters (non-empty lists of documents), ``$comment``;
* a dotted path that runs through embedded documents only (a missing field anywhere makes the
  value missing), whose value is not an array;
* compared by a plain value (equality), or by ``$eq``, ``$ne``, ``$in``, ``$nin`` with plain
  values, and ``$exists``; equality is ``semantics.bson_equal``, the matcher's own rule
  (numbers by value whatever their type, ``true`` is not ``1``, missing equals null).

Anything else met while evaluating (an array along the path or at its end, a path through a
value or a null, an embedded document, array or regular expression as the value compared
with, any other operator, a malformed filter) hands the whole filter to mongomock-ng, which
then evaluates it from the start: the answer, and any error, is always mongomock-ng's. Parts
are evaluated in mongomock-ng's order with its short-circuits, so a filter that mongomock-ng
would refuse past the point where it already knows the answer is answered the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import Decimal128, ObjectId
from mongomock_ng import filtering

from .semantics import bson_equal

_NOTHING = filtering.NOTHING
_OPERATORS = frozenset({"$eq", "$ne", "$in", "$nin", "$exists"})
_CONTAINERS = (dict, list, tuple)
_SCALARS = frozenset({str, int, float, bool, type(None), bytes, datetime, ObjectId, Decimal128})
_ARRAYS = (list, tuple)


class _Unsure(Exception):
    """The filter needs mongomock-ng's matcher."""


def filter_applies(spec: Any, doc: Any) -> bool:
    """``mongomock_ng.filtering.filter_applies(spec, doc)``, directly where it can be."""
    try:
        return _applies(spec, doc)
    except _Unsure:
        return bool(filtering.filter_applies(spec, doc))


def _applies(spec: Any, doc: Any) -> bool:
    if type(spec) is not dict or type(doc) is not dict:
        raise _Unsure
    for key, condition in spec.items():
        if type(key) is not str or not key:
            raise _Unsure
        if key[0] == "$":
            if key == "$comment":
                continue
            if key not in ("$and", "$or", "$nor"):
                raise _Unsure
            if type(condition) is not list or not condition:
                raise _Unsure
            if key == "$and":
                for clause in condition:
                    if not _applies(clause, doc):
                        return False
            elif key == "$or":
                for clause in condition:
                    if _applies(clause, doc):
                        break
                else:
                    return False
            else:
                for clause in condition:
                    if _applies(clause, doc):
                        return False
            continue
        if not _field_matches(_value(doc, key), condition):
            return False
    return True


def _value(doc: dict[str, Any], path: str) -> Any:
    """The value at a dotted path through embedded documents (``_NOTHING`` when missing)."""
    node: Any = doc
    for part in path.split("."):
        if not part or part[0] == "$":
            raise _Unsure
        if node is _NOTHING:
            continue  # mongomock-ng looks further into an empty document
        if type(node) is not dict:
            raise _Unsure  # an array, or a path through a value or null
        node = node.get(part, _NOTHING)
    if type(node) in _ARRAYS or isinstance(node, _ARRAYS):
        raise _Unsure  # an array matches by its elements too
    return node


def _plain(value: Any) -> bool:
    """A value that compares by ``bson_equal`` alone in a filter (no regex, no document, no
    array: those have rules of their own in mongomock-ng's matcher)."""
    if type(value) in _SCALARS:
        return True
    return not isinstance(value, _CONTAINERS) and not hasattr(value, "pattern")


def _field_matches(value: Any, condition: Any) -> bool:
    if type(condition) is dict:
        if not condition:
            raise _Unsure  # an embedded document compared whole
        for operator in condition:
            if operator not in _OPERATORS:
                raise _Unsure  # another operator, or an embedded document compared whole
        # mongomock-ng: all(...) over the operators in order; a field with no value matches
        # nothing then (a failed $ne/$nin, or a positive operator, rejects the document).
        for operator, operand in condition.items():
            if not _operator_matches(value, operator, operand):
                return False
        return True
    if not _plain(condition):
        raise _Unsure
    return bson_equal(value, condition) or (condition is None and value is _NOTHING)


def _operator_matches(value: Any, operator: str, operand: Any) -> bool:
    if operator == "$exists":
        if type(operand) not in (bool, int):
            raise _Unsure
        return bool(operand) == (value is not _NOTHING)
    if operator in ("$in", "$nin"):
        if type(operand) is not list or not all(_plain(item) for item in operand):
            raise _Unsure
        if value is _NOTHING and None in operand:
            found = True
        else:
            found = any(bson_equal(value, item) for item in operand)
        return found if operator == "$in" else not found
    if not _plain(operand):
        raise _Unsure
    equal = bson_equal(value, operand)
    return equal if operator == "$eq" else not equal
