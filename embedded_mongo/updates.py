"""Update statements: what the backend can apply, and applying one document atomically.

A pipeline update whose result has no ``_id`` (``$replaceRoot`` to a sub-document) keeps the
document's ``_id``, as MongoDB does; mongomock-ng took it for an attempt to change it.

mongomock-ng applies update operators one after the other on the stored document itself and
does not roll back when a later operator fails (``$inc`` on a string, ``$push`` on a non-array),
so a failed update would leave a half-updated document. MongoDB updates one document atomically;
the server therefore restores the document's previous version on any failure.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from bson.timestamp import Timestamp
from mongomock_ng import WriteError, helpers
from mongomock_ng import aggregate as mm_aggregate
from mongomock_ng.collection import Collection
from mongomock_ng.helpers import _clone_document

from .errors import CommandError, not_supported
from .fastpaths import store_key

# The update operators mongomock-ng implements (collection._updaters plus its special cases).
SUPPORTED_OPERATORS = {
    "$set",
    "$unset",
    "$inc",
    "$min",
    "$max",
    "$bit",
    "$pop",
    "$rename",
    "$setOnInsert",
    "$currentDate",
    "$addToSet",
    "$pull",
    "$pullAll",
    "$push",
}
# Valid in MongoDB, missing in mongomock-ng: refused rather than failing obscurely.
UNSUPPORTED_OPERATORS = {"$mul"}


def is_replacement(update: Any) -> bool:
    return isinstance(update, dict) and not any(k.startswith("$") for k in update)


def check_update(update: Any, *, multi: bool) -> None:
    """Refuse, before anything is applied, an update the backend would get wrong."""
    if isinstance(update, list):
        return  # a pipeline: its stages are checked by the aggregation code
    if not isinstance(update, dict):
        raise CommandError(14, "Update argument must be either an object or an array")
    if is_replacement(update):
        if multi:
            raise CommandError(9, "multi update is not supported for replacement-style update")
        return
    for operator in update:
        if operator in UNSUPPORTED_OPERATORS:
            raise not_supported(f"The {operator} update operator")
        if operator not in SUPPORTED_OPERATORS:
            raise CommandError(
                9,
                f"Unknown modifier: {operator}. Expected a valid update modifier or "
                "pipeline-style update specified as an array",
            )
    if has_nested_array_filter(update):
        raise not_supported("An update path with more than one $[identifier] array filter")


def has_nested_array_filter(update: Any) -> bool:
    """True when an update path uses two or more ``$[identifier]`` filters (a.$[x].b.$[y])."""
    if not isinstance(update, dict):
        return False
    for operator, fields in update.items():
        if operator.startswith("$") and isinstance(fields, dict):
            for path in fields:
                if path.count("$[") - path.count("$[]") >= 2:
                    return True
    return False


def apply_to_one(
    coll: Collection,
    doc_id: Any,
    before: dict[str, Any],
    query: dict[str, Any],
    update: Any,
    array_filters: list[dict[str, Any]] | None,
) -> None:
    """Apply ``update`` to the document ``doc_id`` (whose current copy is ``before``), all or
    nothing."""
    try:
        if is_replacement(update):
            if "_id" in update and update["_id"] != doc_id:
                raise WriteError(
                    "After applying the update, the (immutable) field '_id' was found to have "
                    "been altered",
                    66,
                )
            coll.replace_one({"_id": doc_id}, update)
        else:
            coll.update_one({**query, "_id": doc_id}, update, array_filters=array_filters)
    except Exception as exc:
        coll._store._documents[store_key(doc_id)] = before
        if isinstance(exc, (TypeError, AttributeError)):
            # A Python error inside mongomock means an operator met a value of the wrong type.
            raise CommandError(14, f"Cannot apply the update to _id {doc_id!r}: {exc}") from exc
        raise


def _apply_update_pipeline(
    self: Collection, existing_document: dict[str, Any], pipeline: list[Any], session: Any
) -> None:
    """mongomock-ng's pipeline update, keeping ``_id`` when the pipeline's result lacks it."""
    (new_document,) = mm_aggregate.process_pipeline(
        [existing_document], self.database, pipeline, session
    )
    if "_id" not in new_document and "_id" in existing_document:
        new_document = {"_id": existing_document["_id"], **new_document}
    existing_document.clear()
    existing_document.update(new_document)


def install() -> None:
    Collection._apply_update_pipeline = _apply_update_pipeline  # type: ignore[method-assign]


# -- plain field updates -------------------------------------------------------------------------
# The operators a plain update by field path uses ($set, $unset, $inc) are applied here without
# mongomock-ng's machinery: it copies the whole document twice (the server once more), matches
# the filter again and walks every operator generically. For a large document (a pupil's record
# of several school years) that cost milliseconds per update. Anything less plain (positional
# paths, array filters, conflicting paths, padding an array, a type mongomock-ng would refuse,
# '$'-prefixed names in values, validators) goes the general way, unchanged.
_PLAIN_OPERATORS = frozenset({"$set", "$unset", "$inc"})


class _NotPlain(Exception):
    """The update needs the general path."""


def plain_update(live: dict[str, Any], update: Any) -> dict[str, Any] | None:
    """The document ``live`` would become under a plain ``update``, built as a new document
    that copies only the containers along the changed paths (``live`` is left untouched and
    shares everything else); None when the update is not plain."""
    if not isinstance(update, dict) or not update or not set(update) <= _PLAIN_OPERATORS:
        return None
    steps: list[tuple[str, list[str], Any]] = []
    for operator, fields in update.items():
        if not isinstance(fields, dict) or not fields:
            return None
        for path, value in fields.items():
            parts = path.split(".") if isinstance(path, str) else []
            if not parts or any(not p or p.startswith("$") for p in parts) or parts[0] == "_id":
                return None
            steps.append((operator, parts, value))
    paths = sorted(".".join(parts) for _, parts, _ in steps)
    if any(b == a or b.startswith(a + ".") for a, b in itertools.pairwise(paths)):
        return None  # MongoDB refuses conflicting paths; mongomock-ng's error is kept
    new = dict(live)
    try:
        for operator, parts, value in steps:
            _apply_plain(new, operator, parts, value)
    except _NotPlain:
        return None
    return new


def _apply_plain(doc: dict[str, Any], operator: str, parts: list[str], value: Any) -> None:
    node: Any = doc
    for part in parts[:-1]:
        if isinstance(node, dict):
            child = node.get(part)
            if child is None and part not in node:
                if operator == "$unset":
                    return  # nothing to remove
                child = {}
            elif isinstance(child, dict):
                child = dict(child)
            elif isinstance(child, list):
                child = list(child)
            else:
                raise _NotPlain  # a path through a value: mongomock-ng answers the error
            node[part] = child
        else:  # a list
            index = _index(node, part)
            child = node[index]
            if isinstance(child, dict):
                child = dict(child)
            elif isinstance(child, list):
                child = list(child)
            else:
                raise _NotPlain
            node[index] = child
        node = child
    last = parts[-1]
    if isinstance(node, list):
        index = _index(node, last)
        if operator == "$set":
            node[index] = _stored_value(value)
        elif operator == "$unset":
            raise _NotPlain  # an array element: the general path's own rule
        else:
            node[index] = _incremented(node[index], value)
        return
    if operator == "$set":
        node[last] = _stored_value(value)
    elif operator == "$unset":
        node.pop(last, None)
    else:
        node[last] = _incremented(node.get(last, _MISSING), value)


_MISSING: Any = object()


def _index(node: list[Any], part: str) -> int:
    if not part.isdigit() or int(part) >= len(node):
        raise _NotPlain  # padding an array, or a field name on an array
    return int(part)


def _incremented(current: Any, by: Any) -> Any:
    if type(by) is not int or (current is not _MISSING and type(current) is not int):
        raise _NotPlain  # other numeric types keep mongomock-ng's rules
    return by if current is _MISSING else current + by


def _stored_value(value: Any) -> Any:
    """``value`` as mongomock-ng stores it: a private copy, dates at millisecond precision in
    UTC (``patch_datetime_awareness_in_document``)."""
    if isinstance(value, dict):
        copied = {}
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("$") or "\x00" in key:
                raise _NotPlain
            copied[key] = _stored_value(item)
        return copied
    if isinstance(value, list | tuple):
        return [_stored_value(item) for item in value]
    if isinstance(value, Timestamp):
        raise _NotPlain  # an empty timestamp is filled in by the general path
    if isinstance(value, datetime):
        return helpers.patch_datetime_awareness_in_document(value)
    return _clone_document(value)
