"""What the rest of an aggregation pipeline reads of each document, so that only that is copied.

``queries.aggregate`` hands mongomock-ng copies of the documents that reach the first stage it
cannot run on the stored documents themselves. A whole copy of a large document costs
milliseconds, while a pipeline that lists each class's subjects or counts pupils per class reads
two fields of it. When the stages that follow read only some field paths and bound their output
by one of those paths-only stages (``$project`` that is not an exclusion, ``$group``,
``$replaceRoot``/``$replaceWith``, ``$count``), each document is copied with those paths only
(the whole value at each path, the document's own key order kept), and the output is the same.

The analysis is conservative: anything it does not recognise (another stage, an exclusion
``$project`` with nothing bounding it after, ``$$ROOT``/``$$CURRENT``, ``$getField`` and its
kin, a query operator it does not know, a ``$sort`` by text score) answers None, and the whole
documents are copied as before. Reading more than needed is always safe; a path that runs
through an array keeps the whole array.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Expression operators that read the current document by a name given as data, not as a path.
_WHOLE_DOCUMENT_OPERATORS = frozenset({"$getField", "$setField", "$unsetField"})
_DOCUMENT_VARIABLES = frozenset({"ROOT", "CURRENT"})
_LOGICAL = frozenset({"$and", "$or", "$nor"})

# Spec of a pruned document: field -> the spec of its sub-document, or True for the whole value.
Spec = dict[str, Any]


def tail_paths(tail: list[dict[str, Any]]) -> set[str] | None:
    """The field paths the stages of ``tail`` read of each input document, when a stage of it
    bounds what comes out to what was read; None when whole documents are needed."""
    paths: set[str] = {"_id"}
    for stage in tail:
        if not isinstance(stage, Mapping) or len(stage) != 1:
            return None
        ((name, options),) = stage.items()
        if name == "$match":
            if not isinstance(options, Mapping) or not _add_filter_paths(options, paths, True):
                return None
        elif name == "$sort":
            if not isinstance(options, Mapping) or not _sort_paths(options, paths):
                return None
        elif name in ("$skip", "$limit", "$unset"):
            continue
        elif name == "$unwind":
            path = options.get("path") if isinstance(options, Mapping) else options
            if not isinstance(path, str) or not _expression_paths(path, paths):
                return None
        elif name in ("$addFields", "$set"):
            if not isinstance(options, Mapping) or not _expression_paths(options, paths):
                return None
        elif name == "$project":
            bounded = _project_paths(options, paths)
            if bounded is None:
                return None
            if bounded:
                return paths
        elif name == "$group":
            if not isinstance(options, Mapping) or not _expression_paths(options, paths):
                return None
            return paths
        elif name == "$replaceRoot":
            root = options.get("newRoot") if isinstance(options, Mapping) else None
            return paths if root is not None and _expression_paths(root, paths) else None
        elif name == "$replaceWith":
            return paths if _expression_paths(options, paths) else None
        elif name == "$count":
            return paths
        else:
            return None
    return None  # nothing bounds the output: whole documents come out


def pruned(doc: dict[str, Any], paths: set[str]) -> dict[str, Any]:
    """``doc`` with only the values at ``paths`` (shared with ``doc``, not copied)."""
    spec: Spec = {}
    for path in paths:
        node = spec
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if child is True:
                break
            if child is None:
                child = node[part] = {}
            node = child
        else:
            node[parts[-1]] = True
    return _pruned(doc, spec)


def _pruned(doc: Mapping[str, Any], spec: Spec) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in doc.items():  # the document's own order
        wanted = spec.get(key)
        if wanted is None:
            continue
        kept[key] = value if wanted is True or type(value) is not dict else _pruned(value, wanted)
    return kept


def _expression_paths(expression: Any, paths: set[str]) -> bool:
    """Add the field paths ``expression`` reads; False when it may read the whole document."""
    if isinstance(expression, str):
        if expression.startswith("$$"):
            return expression[2:].split(".", 1)[0] not in _DOCUMENT_VARIABLES
        if expression.startswith("$"):
            paths.add(expression[1:])
        return True
    if isinstance(expression, Mapping):
        for key, value in expression.items():
            if key in _WHOLE_DOCUMENT_OPERATORS:
                return False
            if key == "$literal":
                continue
            if key == "sortBy" and isinstance(value, Mapping):
                # $top, $bottom and kin name the fields they sort by without a "$".
                paths.update(k for k in value if isinstance(k, str))
                continue
            if not _expression_paths(value, paths):
                return False
        return True
    if isinstance(expression, (list, tuple)):
        return all(_expression_paths(item, paths) for item in expression)
    return True


def filter_paths(spec: Any, *, expressions: bool = True) -> set[str] | None:
    """The field paths a query filter reads (the whole value at each); None when it may read
    more than its field names say (an operator other than ``$and``/``$or``/``$nor``/``$expr``
    at its top, an empty ``$and``/``$or``/``$nor``, or an expression reading the whole
    document; with ``expressions`` False, any ``$expr``)."""
    paths: set[str] = set()
    if not isinstance(spec, Mapping) or not _add_filter_paths(spec, paths, expressions):
        return None
    return paths


def _add_filter_paths(spec: Mapping[str, Any], paths: set[str], expressions: bool) -> bool:
    for key, condition in spec.items():
        if not isinstance(key, str):
            return False
        if key in _LOGICAL:
            if not isinstance(condition, list) or not condition:
                return False
            for clause in condition:
                if not isinstance(clause, Mapping):
                    return False
                if not _add_filter_paths(clause, paths, expressions):
                    return False
        elif key == "$expr":
            if not expressions or not _expression_paths(condition, paths):
                return False
        elif key == "$comment":
            continue
        elif key.startswith("$"):
            return False
        else:
            paths.add(key)  # the whole value there: every operator on it reads no further
    return True


def _sort_paths(spec: Mapping[str, Any], paths: set[str]) -> bool:
    for key, direction in spec.items():
        if not isinstance(key, str) or isinstance(direction, Mapping):
            return False  # {$meta: ...}: not a field
        paths.add(key)
    return True


def _project_paths(spec: Any, paths: set[str]) -> bool | None:
    """True when the ``$project`` bounds its output to the paths it adds; False for an
    exclusion (which passes every other field through); None when not understood."""
    if not isinstance(spec, Mapping) or not spec:
        return None
    excluded = [k for k, v in spec.items() if type(v) in (bool, int, float) and not v]
    if len(excluded) == len(spec):
        return False  # {_id: 0}, {a: 0, ...}: every other field passes through
    if any(k != "_id" for k in excluded):
        return None  # exclusion mixed with inclusion: mongomock-ng answers it
    for key, value in spec.items():
        if not isinstance(key, str) or key.startswith("$"):
            return None
        if type(value) in (bool, int, float):
            if value:
                paths.add(key)
        elif (
            isinstance(value, Mapping)
            and value
            and not any(isinstance(k, str) and k.startswith("$") for k in value)
        ):
            # A nested projection ({"a": {"b": 1, "c": "$x"}}): all of "a", to be safe, and
            # whatever its computed fields read.
            paths.add(key)
            if not _expression_paths(value, paths):
                return None
        else:
            if "." in key:
                paths.add(key)  # a computed "a.b" follows what "a" holds (arrays included)
            if not _expression_paths(value, paths):
                return None
    return True
