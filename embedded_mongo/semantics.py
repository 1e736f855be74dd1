"""MongoDB comparison rules patched into mongomock-ng's query matcher.

mongomock-ng compares values with Python's ``==`` and ``<``, which departs from MongoDB's BSON
comparison in ways that matter to this project (pupil averages are stored as Decimal128):

* ``Decimal128`` against ``int``/``float`` crashes in ``$gt``/``$lt``/``$gte``/``$lte`` and in
  sorts, and never compares equal (``Decimal128("7") == 7`` is False in Python);
* ``True == 1`` in Python, so ``{flag: 1}`` matches a stored ``true``;
* ``{"a": 1, "b": 1} == {"b": 1, "a": 1}`` in Python, so embedded documents match whatever the
  field order;
* ``{x: {$lte: null}}`` / ``{x: {$gte: null}}`` do not match a missing field;
* ``{x: {$all: []}}`` matches every document;
* ``{x: {$not: {$regex: ..., $options: ...}}}`` is refused ("Unknown operator: $options");
* ``$type`` is refused for "null", "regex", "timestamp", "javascript", "minKey" and "maxKey".

This module replaces only the helpers that carry those rules (``operator_eq``, ``bson_compare``
and three ``_Filterer`` operators); parsing, dotted paths, array expansion and everything else stay
in mongomock's hands. ``install()`` is idempotent and is called by ``store.py``.

References: https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/ and the
server's ``src/mongo/base/compare_numbers.h`` (numbers of different types compare exactly by value;
NaN equals NaN and sorts below every other number).
"""

from __future__ import annotations

import math
import operator
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from bson.code import Code
from bson.decimal128 import Decimal128
from bson.max_key import MaxKey
from bson.min_key import MinKey
from bson.objectid import ObjectId
from bson.regex import Regex
from bson.timestamp import Timestamp
from mongomock_ng import filtering
from mongomock_ng.filtering import NOTHING, _Filterer, _get_compare_type

_original_operator_eq = filtering.operator_eq
_original_all_op = _Filterer._all_op
_original_not_op = _Filterer._not_op

# Values of these exact types compare like Python compares them when both sides have the same
# type (the fast path for the overwhelmingly common string / ObjectId / int / date filters).
# float is absent on purpose (NaN), bool is safe because type(True) is bool, never int.
_PLAIN_TYPES = frozenset({str, int, bool, ObjectId, datetime, type(None)})
_ORDERED_TYPES = _PLAIN_TYPES - {type(None)}  # None has no Python order
# Values of one of these exact types, all of the same type, sort as Python sorts them
# (bson_compare's fast path below); queries.py sorts such columns natively.
ORDERED_TYPES = _ORDERED_TYPES
_NUMBER_BRACKET = 10  # mongomock's canonical type number shared by int, long, double, decimal


# -- numbers -------------------------------------------------------------------------------------
def is_number(value: Any) -> bool:
    # MongoDB rule: int, long, double and decimal are one type for comparisons; booleans are a
    # type of their own (they sort after ObjectId and never equal 0 or 1).
    return isinstance(value, (int, float, Decimal128)) and not isinstance(value, bool)


def _is_nan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, Decimal):
        return value.is_nan()
    return False


def compare_numbers(a: Any, b: Any) -> int:
    """-1, 0 or 1 for two BSON numbers of any numeric type, by exact value.

    MongoDB (compare_numbers.h): int/long/double/decimal compare by their exact numeric value
    (``Decimal128("0.1")`` is *not* equal to the double 0.1, whose exact value is
    0.1000000000000000055…); NaN equals NaN (double or decimal) and is less than every other
    number, -Infinity included.
    """
    if isinstance(a, Decimal128):
        a = a.to_decimal()
    if isinstance(b, Decimal128):
        b = b.to_decimal()
    a_nan, b_nan = _is_nan(a), _is_nan(b)
    if a_nan or b_nan:
        return 0 if a_nan and b_nan else (-1 if a_nan else 1)
    # Python's int/float and Decimal/int comparisons are exact already; a float is converted
    # exactly (Decimal(float) keeps every binary digit) so Decimal/float is exact too.
    if isinstance(a, Decimal) and isinstance(b, float):
        b = Decimal(b)
    elif isinstance(b, Decimal) and isinstance(a, float):
        a = Decimal(a)
    return (a > b) - (a < b)


# -- equality ------------------------------------------------------------------------------------
def bson_equal(a: Any, b: Any) -> bool:
    """MongoDB equality of a stored value ``a`` and a query value ``b`` (replaces operator_eq)."""
    kind = type(a)
    if kind is type(b) and kind in _PLAIN_TYPES:
        return a == b
    if a is NOTHING:
        # A missing field equals null (``{x: null}`` matches documents without x).
        return b is None or b is NOTHING
    a_num, b_num = is_number(a), is_number(b)
    if a_num or b_num:
        # Numbers equal numbers of any numeric type by value, and nothing else: in particular
        # ``true`` is not ``1`` and ``false`` is not ``0``.
        return a_num and b_num and compare_numbers(a, b) == 0
    if isinstance(a, Mapping) or isinstance(b, Mapping):
        # Embedded documents are equal only with the same fields, in the same order, with equal
        # values: {b: 1, a: 1} does not match a stored {a: 1, b: 1}.
        if not (isinstance(a, Mapping) and isinstance(b, Mapping)) or len(a) != len(b):
            return False
        return all(
            ka == kb and bson_equal(va, vb)
            for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True)
        )
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        # Arrays are equal element by element, in order, with the same length.
        if not (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))) or len(a) != len(b):
            return False
        return all(bson_equal(x, y) for x, y in zip(a, b, strict=True))
    # Everything else (strings, ObjectIds, dates, binary, regexes...): mongomock's own rule, i.e.
    # Python's == plus its handling of pandas' NaT.
    return bool(_original_operator_eq(a, b))


# -- ordering ------------------------------------------------------------------------------------
def _cmp(a: Any, b: Any) -> int:
    return (a > b) - (a < b)


def _binary_key(value: Any) -> tuple[int, int, bytes]:
    # BinData sorts by length, then subtype, then bytes; a uuid.UUID is BinData subtype 4.
    if isinstance(value, uuid.UUID):
        return 16, 4, value.bytes
    return len(value), getattr(value, "subtype", 0), bytes(value)


def bson_cmp(a: Any, b: Any) -> int:
    """-1, 0 or 1 following MongoDB's BSON comparison order (full order across types)."""
    kind = type(a)
    if kind is type(b) and kind in _ORDERED_TYPES:
        return _cmp(a, b)
    a_type, b_type = _get_compare_type(a), _get_compare_type(b)
    if a_type != b_type:
        # Different canonical types: null < numbers < strings < objects < arrays < binary <
        # ObjectId < booleans < dates < regexes (mongomock's canonical type numbers).
        return _cmp(a_type, b_type)
    if a_type == _NUMBER_BRACKET:
        return compare_numbers(a, b)
    if hasattr(a, "as_doc") and type(a).__name__ == "DBRef":
        a = a.as_doc()
    if hasattr(b, "as_doc") and type(b).__name__ == "DBRef":
        b = b.as_doc()
    if isinstance(a, Mapping):
        # Embedded documents compare field by field in order: first the canonical type of the
        # two values, then the field names, then the values; a prefix sorts first.
        for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=False):
            order = _cmp(_get_compare_type(va), _get_compare_type(vb)) or _cmp(ka, kb)
            order = order or bson_cmp(va, vb)
            if order:
                return order
        return _cmp(len(a), len(b))
    if isinstance(a, (list, tuple)):
        # Arrays compare element by element, then by length.
        for x, y in zip(a, b, strict=False):
            order = bson_cmp(x, y)
            if order:
                return order
        return _cmp(len(a), len(b))
    if a is None or a is NOTHING:
        return 0  # null and missing are one value for ordering
    if isinstance(a, (bytes, uuid.UUID)):
        return _cmp(_binary_key(a), _binary_key(b))
    if hasattr(a, "pattern") and hasattr(b, "pattern"):
        # Regular expressions: by pattern, then by flags.
        return _cmp(a.pattern, b.pattern) or _cmp(int(a.flags), int(b.flags))
    return _cmp(a, b)


def bson_compare(
    op: Callable[[Any, Any], bool], a: Any, b: Any, can_compare_types: bool = True
) -> bool:
    """Drop-in replacement of ``filtering.bson_compare``: ``op(a, b)`` in BSON order.

    With ``can_compare_types=False`` (query operators $gt/$gte/$lt/$lte) values of different
    canonical types never match: MongoDB's type bracketing, e.g. ``{flag: {$gt: 0}}`` does not
    match ``flag: true`` and ``{score: {$gt: "5"}}`` does not match a number.
    """
    kind = type(a)
    if kind is type(b) and kind in _ORDERED_TYPES:
        return bool(op(a, b))
    if not can_compare_types:
        a_type = _get_compare_type(a)
        if a_type != _get_compare_type(b):
            return False
        if a_type == _NUMBER_BRACKET:
            a_nan = _is_nan(a.to_decimal() if isinstance(a, Decimal128) else a)
            b_nan = _is_nan(b.to_decimal() if isinstance(b, Decimal128) else b)
            if a_nan or b_nan:
                # MongoDB's matcher (ComparisonMatchExpression): NaN equals NaN but otherwise
                # compares false, so $gt/$lt never match NaN and $gte/$lte only NaN with NaN,
                # although NaN sorts below every number.
                return a_nan and b_nan and bool(op(0, 0))
    return bool(op(bson_cmp(a, b), 0))


# -- operators -----------------------------------------------------------------------------------
def _null_inclusive(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """$gte/$lte: like mongomock's, except that ``null`` as the bound also matches a missing
    field, exactly as ``{x: null}`` does (MongoDB: $gte/$lte null match null or missing;
    $gt/$lt null match nothing)."""
    compare = filtering._list_expand(filtering._compare_objects(op))

    def check(doc_val: Any, search_val: Any) -> bool:
        if doc_val is NOTHING:
            return search_val is None
        return bool(compare(doc_val, search_val))

    return check


def _all_op(self: _Filterer, doc_val: Any, search_val: Any) -> bool:
    # MongoDB: ``$all`` with an empty array matches no documents (Python's all([]) is True).
    if isinstance(search_val, (list, tuple)) and not search_val:
        return False
    return bool(_original_all_op(self, doc_val, search_val))


def _not_op(self: _Filterer, document: Any, key: str, spec: Any) -> bool:
    # MongoDB accepts ``{$not: {$regex: "...", $options: "i"}}``: $options belongs to $regex.
    # mongomock folds the options into the pattern at the top level but refuses them under $not,
    # so fold them here the same way before delegating.
    if isinstance(spec, Mapping) and "$regex" in spec and "$options" in spec:
        spec = filtering._combine_regex_options(spec)
    return bool(_original_not_op(self, document, key, spec))


# $type names mongomock-ng knows but refuses ("valid $type but not implemented").
_MISSING_TYPES: dict[str, Callable[[Any], bool]] = {
    "null": lambda v: v is None,
    "regex": lambda v: isinstance(v, (re.Pattern, Regex)),
    "timestamp": lambda v: isinstance(v, Timestamp),
    "javascript": lambda v: isinstance(v, Code) and v.scope is None,
    "javascriptWithScope": lambda v: isinstance(v, Code) and v.scope is not None,
    "minKey": lambda v: isinstance(v, MinKey),
    "maxKey": lambda v: isinstance(v, MaxKey),
}


def install() -> None:
    """Patch mongomock-ng's filtering module (idempotent)."""
    filtering.TYPE_MAP.update(_MISSING_TYPES)
    # Module globals: looked up at call time by the implicit-equality path, $ne, $in, $nin,
    # $all, sorting (BsonComparable / resolve_sort_key) and the aggregation code.
    filtering.operator_eq = bson_equal
    filtering.bson_compare = bson_compare
    _Filterer._all_op = _all_op  # type: ignore[method-assign]
    _Filterer._not_op = _not_op  # type: ignore[method-assign]
    # The operator map captured operator_eq ($eq) and the bound _all_op when the shared
    # instance was built at import; rebuild it so it picks up the replacements above.
    instance = filtering._filterer_inst
    _Filterer.__init__(instance)
    instance._operator_map["$gte"] = _null_inclusive(operator.ge)
    instance._operator_map["$lte"] = _null_inclusive(operator.le)
