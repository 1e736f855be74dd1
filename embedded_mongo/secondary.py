"""Secondary index maps: string value → ids for every field that appears in an index.

Narrows the documents a filter must be tested against when the filter pins an indexed field to
string values (``{"current.class_name": {"$in": ["7A1", "7A2"]}}``, also inside ``$and``/``$or``)
or to a regular expression (tested once per distinct indexed value, as an index scan would).
The full filter is still applied to every candidate, so the maps only ever skip documents that
cannot match: in MongoDB a string equals only a string, either the field itself or an element of
an array there. Anything else (other types, operators, paths through arrays) is not narrowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Set
from typing import Any

from bson.regex import Regex
from mongomock_ng import filtering

MISSING = object()


def as_regex(condition: Any) -> re.Pattern[str] | None:
    """The compiled pattern of a regular-expression condition (``/x/``, ``{"$regex": "x",
    "$options": "i"}``), compiled as mongomock compiles it; None for any other condition or
    one that does not compile (the full filter then reports it).

    A plain string is an exact match, never a pattern: compiling a stored or typed value such
    as ``(a+)+$`` or ``a$b`` would match the wrong values and can take exponential time.
    """
    try:
        if isinstance(condition, dict):
            if "$regex" not in condition or not set(condition) <= {"$regex", "$options"}:
                return None
            if "$options" in condition:
                condition = filtering._combine_regex_options(condition)
            condition = condition["$regex"]
            if isinstance(condition, str):
                return re.compile(condition)
        if isinstance(condition, re.Pattern):
            return condition
        if isinstance(condition, Regex):
            compiled: re.Pattern[str] = condition.try_compile()
            return compiled
    except Exception:  # noqa: BLE001 - anything odd is left to the full filter
        return None
    return None


def _values(doc: dict[str, Any], path: str) -> tuple[list[str], bool]:
    """(string values at ``path``, whether the path is too complex to index for this doc)."""
    node: Any = doc
    for part in path.split("."):
        if isinstance(node, list):
            return [], True  # a path through an array: always a candidate
        if not isinstance(node, dict) or part not in node:
            return [], False
        node = node[part]
    if isinstance(node, str):
        return [node], False
    if isinstance(node, list):
        return [v for v in node if isinstance(v, str)], any(isinstance(v, list) for v in node)
    return [], False


class SecondaryMaps:
    def __init__(self, key: Any) -> None:
        self.key = key  # the store's key for a document id (dict ids are hashed)
        self.paths: set[str] = set()
        self.root: dict[str, str] = {}  # path -> its top-level field
        self.roots: set[str] = set()  # the top-level fields of the paths
        self.by_value: dict[str, dict[str, set[Any]]] = {}
        self.always: dict[str, set[Any]] = {}  # ids whose value at a path cannot be indexed
        self.by_id: dict[Any, list[tuple[str, str | None]]] = {}
        # Natural order: each stored key's insertion rank (an update keeps its place, as
        # mongomock's dict of documents does), so a few candidates need no walk of them all.
        self.order: dict[Any, int] = {}
        self._next_rank = 0

    def rebuild(self, indexes: dict[str, dict[str, Any]], documents: Iterable[dict]) -> None:
        self.paths = {
            path
            for spec in indexes.values()
            for path, kind in spec["key"]
            if kind in (1, -1) and path != "_id"
        }
        self.root = {path: path.split(".", 1)[0] for path in self.paths}
        self.roots = set(self.root.values())
        self.by_value = {p: {} for p in self.paths}
        self.always = {p: set() for p in self.paths}
        self.by_id = {}
        self.order = {}
        self._next_rank = 0
        for doc in documents:
            self.refresh(doc["_id"], doc)

    def refresh(
        self, doc_id: Any, doc: dict[str, Any] | None, changed: Set[str] | None = None
    ) -> None:
        """Record the new state of one document (None when it was deleted). ``changed``: the
        only top-level fields whose values are not the very objects they were (None: any);
        the paths under the others keep their entries."""
        key = self.key(doc_id)
        if doc is None:
            self.order.pop(key, None)
        elif key not in self.order:
            self.order[key] = self._next_rank
            self._next_rank += 1
        paths = self.paths
        if changed is not None and doc is not None and key in self.by_id:
            paths = {p for p in self.paths if self.root[p] in changed}
            if not paths:
                return
        entries: list[tuple[str, str | None]] = []
        for path, value in self.by_id.pop(key, []):
            if path not in paths:
                entries.append((path, value))
            elif value is None:
                self.always[path].discard(key)
            else:
                ids = self.by_value[path].get(value)
                if ids is not None:
                    ids.discard(key)
                    if not ids:
                        del self.by_value[path][value]
        if doc is None or not self.paths:
            return
        for path in paths:
            values, wild = _values(doc, path)
            if wild:
                self.always[path].add(key)
                entries.append((path, None))
            for value in values:
                self.by_value[path].setdefault(value, set()).add(key)
                entries.append((path, value))
        self.by_id[key] = entries

    def candidates(self, query: Any) -> set[Any] | None:
        """Ids that may match ``query``, or None when the query cannot be narrowed."""
        if not isinstance(query, dict) or not self.paths:
            return None
        best: set[Any] | None = None
        for field, condition in query.items():
            found: set[Any] | None = None
            if field == "$and" and isinstance(condition, list):
                for part in condition:
                    narrowed = self.candidates(part)
                    if narrowed is not None:
                        found = narrowed if found is None else found & narrowed
            elif field == "$or" and isinstance(condition, list) and condition:
                parts = [self.candidates(part) for part in condition]
                if all(p is not None for p in parts):
                    found = set().union(*parts)  # type: ignore[arg-type]
            elif field in self.paths:
                found = self._for_condition(field, condition)
            if found is not None:
                best = found if best is None else best & found
        return best

    def _for_condition(self, path: str, condition: Any) -> set[Any] | None:
        regex = as_regex(condition)
        if regex is not None:
            # A regular expression matches strings only (mongomock's rule, which the full
            # filter applies next): test it once per distinct indexed value, not per document.
            ids = set(self.always[path])
            for value, holders in self.by_value[path].items():
                if regex.search(value):
                    ids |= holders
            return ids
        if isinstance(condition, str):
            strings = [condition]
        elif isinstance(condition, dict) and len(condition) == 1:
            ((operator, value),) = condition.items()
            if operator == "$eq" and isinstance(value, str):
                strings = [value]
            elif (
                operator == "$in"
                and isinstance(value, list)
                and all(isinstance(v, str) for v in value)
            ):
                strings = value
            else:
                return None
        else:
            return None
        ids = set(self.always[path])
        for value in strings:
            ids |= self.by_value[path].get(value, set())
        return ids

    def in_natural_order(
        self, narrowed: set[Any], documents: dict[Any, dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """The stored documents whose keys are in ``narrowed``, in the collection's order."""
        if len(narrowed) * 8 < len(documents) and all(k in self.order for k in narrowed):
            ranked = sorted(narrowed, key=self.order.__getitem__)
            return [documents[k] for k in ranked if k in documents]
        return [doc for key, doc in list(documents.items()) if key in narrowed]
