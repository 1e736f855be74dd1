"""Index fast paths grafted onto mongomock-ng.

mongomock-ng answers every query by scanning the whole collection, and checks unique indexes by
scanning it again on every write. That is correct but O(n) per operation; with 10,000 pupils or a
growing change log it dominates. Two shortcuts keep the semantics and drop the scans:

* a filter that pins ``_id`` to one value (or an ``$in`` list) looks the documents up in the
  collection's own dict, which is keyed by ``_id``, then still applies the full filter;
* unique indexes keep a hash map entry -> ids per index, maintained by the server's write path
  (``UniqueIndexes.refresh``) and consulted by ``_ensure_uniques``.

The copy every read makes of what it returns (``_copy_field``) hands immutable values on as they
are instead of calling ``copy.copy`` for each of them (a pupil's record holds thousands).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping, Set
from datetime import datetime
from typing import Any

from bson import Binary, Decimal128, Int64, ObjectId
from mongomock_ng import DuplicateKeyError, helpers
from mongomock_ng import collection as mm_collection
from mongomock_ng.collection import Collection

from .matcher import filter_applies
from .secondary import SecondaryMaps

_original_iter_documents = Collection._iter_documents
_original_ensure_uniques = Collection._ensure_uniques


def store_key(value: Any) -> Any:
    return helpers.hashdict(value) if isinstance(value, dict) else value


def _id_candidates(filter_: Any) -> list[Any] | None:
    """The ``_id`` values a filter is restricted to, or None when it is not restricted."""
    if not isinstance(filter_, dict) or "_id" not in filter_:
        return None
    spec = filter_["_id"]
    if isinstance(spec, dict):
        if not spec or not all(k.startswith("$") for k in spec):
            return [spec]  # an embedded-document _id compared exactly
        if "$eq" in spec:
            return [spec["$eq"]]
        if "$in" in spec and isinstance(spec["$in"], list):
            if any(isinstance(v, (dict, list)) or hasattr(v, "pattern") for v in spec["$in"]):
                return None  # regexes and documents need the general matcher
            return list(spec["$in"])
        return None
    if isinstance(spec, list) or hasattr(spec, "pattern"):
        return None  # arrays and regexes match in ways a dict lookup cannot express
    return [spec]


def indexed_candidates(coll: Collection, spec: Any) -> list[dict[str, Any]] | None:
    """The documents a filter narrowed by indexed fields can match, in natural order (the full
    filter is still to be applied to each); None when the filter cannot be narrowed."""
    maps: UniqueIndexes | None = getattr(coll._store, "unique_maps", None)
    narrowed = maps.secondary.candidates(spec) if maps is not None else None
    if maps is None or narrowed is None:
        return None
    return maps.secondary.in_natural_order(narrowed, coll._store._documents)


def _id_lookup(filter_: Any) -> tuple[list[Any] | None, Any]:
    """The ``_id`` values a filter is restricted to (at its top level, or in one clause of a
    top-level ``$and``), and what is left to check of the filter on a document found by an
    exact lookup of one of them: the rest of it when the restriction is a plain match of the
    ``_id`` alone, else the whole filter."""
    if not isinstance(filter_, dict):
        return None, filter_
    ids = _id_candidates(filter_)
    if ids is not None:
        if _plain_id_match(filter_["_id"]):
            return ids, {k: v for k, v in filter_.items() if k != "_id"}
        return ids, filter_
    clauses = filter_.get("$and")
    if not isinstance(clauses, list):
        return None, filter_
    for index, clause in enumerate(clauses):
        ids = _id_candidates(clause)
        if ids is None:
            continue
        if not _plain_id_match(clause["_id"]):
            return ids, filter_
        own = {k: v for k, v in clause.items() if k != "_id"}
        others = [*clauses[:index], *([own] if own else []), *clauses[index + 1 :]]
        rest = {k: v for k, v in filter_.items() if k != "$and"}
        return ids, {**rest, "$and": others} if others else rest
    return None, filter_


def _plain_id_match(spec: Any) -> bool:
    """An ``_id`` condition a lookup answers by itself: a value, ``$eq`` or ``$in`` alone."""
    return not isinstance(spec, dict) or set(spec) in ({"$eq"}, {"$in"})


def _iter_documents(self: Collection, filter_: Any) -> Iterator[dict[str, Any]]:
    ids, rest = _id_lookup(filter_)
    if ids is None:
        candidates = indexed_candidates(self, filter_)
        if candidates is None:
            return _original_iter_documents(self, filter_)
        if not candidates:
            filter_applies(filter_, {})  # still refuse a malformed filter, as a scan would
        # Only candidates meet the (Python) matcher.
        return iter([doc for doc in candidates if filter_applies(filter_, doc)])
    docs = self._store._documents
    found: list[dict[str, Any]] = []
    seen: set[Any] = set()
    for value in ids:
        if isinstance(value, float) and value != value:
            # NaN equals NaN in MongoDB but is never found as a dict key: scan. (Decimal128 is
            # unhashable, so it takes the TypeError fallback below and still matches int/float.)
            return _original_iter_documents(self, filter_)
        try:
            key = store_key(value)
            if key in seen:
                continue
            seen.add(key)
            doc = docs.get(key)
        except TypeError:
            return _original_iter_documents(self, filter_)
        if doc is None:
            continue
        # Found by its _id: when dict lookup and MongoDB agree on equality for the type (an
        # ObjectId, a string), only the rest of the filter is left to check; comparing the id
        # again against every value of a long $in list would cost most of the lookup.
        exact = type(value) in _EXACT_IDS and type(doc["_id"]) is type(value)
        if filter_applies(rest if exact else filter_, doc):
            found.append(doc)
    return iter(found)


def key_value(doc: dict[str, Any], keys: list[tuple[str, Any]]) -> dict[str, Any]:
    """The ``keyValue`` of a duplicate-key error; a missing field is indexed (and shown) as null."""
    values = {k: helpers.get_value_by_dot(doc, k) for k, _ in keys}
    return {k: None if v is helpers.NOTHING else v for k, v in values.items()}


class UniqueIndexes:
    """Hash maps for the unique indexes of one collection (attached to its mongomock store)."""

    def __init__(self) -> None:
        # index name -> (key spec, sparse, entry -> ids, id -> entries)
        self.maps: dict[str, tuple[list[tuple[str, Any]], bool, dict[Any, set[Any]], dict]] = {}
        self.usable = True
        # Every indexed field, unique or not: narrows filters on string values.
        self.secondary = SecondaryMaps(store_key)

    @staticmethod
    def _entries(doc: dict[str, Any], keys: list[tuple[str, Any]], sparse: bool) -> list | None:
        entries = Collection._compute_index_entries(doc, keys, sparse)
        if entries is None:
            return None
        # bool and int hash alike in Python but differ in MongoDB.
        return [tuple((type(v) is bool, v) for v in entry) for entry in entries]

    def rebuild(self, indexes: dict[str, dict[str, Any]], documents: Iterable[dict]) -> None:
        self.maps = {}
        self.usable = True
        docs = list(documents)
        self.secondary.rebuild(indexes, docs)
        for name, spec in indexes.items():
            if not spec.get("unique"):
                continue
            keys, sparse = list(spec["key"]), bool(spec.get("sparse"))
            by_entry: dict[Any, set[Any]] = {}
            by_id: dict[Any, list] = {}
            self.maps[name] = (keys, sparse, by_entry, by_id)
            for doc in docs:
                self._add(name, doc)

    def _add(self, name: str, doc: dict[str, Any]) -> None:
        keys, sparse, by_entry, by_id = self.maps[name]
        entries = self._entries(doc, keys, sparse) or []
        doc_id = store_key(doc["_id"])
        try:
            for entry in entries:
                by_entry.setdefault(entry, set()).add(doc_id)
        except TypeError:
            self.usable = False  # unhashable values: fall back to scanning
            return
        by_id[doc_id] = entries

    def _remove(self, name: str, doc_id: Any) -> None:
        _, _, by_entry, by_id = self.maps[name]
        for entry in by_id.pop(doc_id, []):
            ids = by_entry.get(entry)
            if ids is not None:
                ids.discard(doc_id)
                if not ids:
                    del by_entry[entry]

    def refresh(
        self, doc_id: Any, doc: dict[str, Any] | None, changed: Set[str] | None = None
    ) -> None:
        """Record the new state of one document (None when it was deleted). ``changed``: the
        only top-level fields whose values are not the very objects they were (None: any);
        an index that reads none of them keeps its entries."""
        key = store_key(doc_id)
        self.secondary.refresh(doc_id, doc, changed)
        for name, (keys, _, _, _) in self.maps.items():
            if changed is not None and not _roots(keys) & changed:
                continue
            self._remove(name, key)
            if doc is not None:
                self._add(name, doc)

    def check(self, new_doc: dict[str, Any], changed: Set[str] | None = None) -> None:
        """Refuse ``new_doc`` if it would break a unique index; ``changed`` as for
        ``refresh``: an index that reads none of those fields holds the document's entries
        already, and they were unique."""
        own_id = store_key(new_doc.get("_id"))
        for keys, sparse, by_entry, _ in self.maps.values():
            if changed is not None and not _roots(keys) & changed:
                continue
            for entry in self._entries(new_doc, keys, sparse) or []:
                if by_entry.get(entry, set()) - {own_id}:
                    raise DuplicateKeyError(
                        "E11000 duplicate key error",
                        11000,
                        {
                            "keyPattern": dict(keys),
                            "keyValue": key_value(new_doc, keys),
                        },
                    )


def _roots(keys: list[tuple[str, Any]]) -> set[str]:
    return {path.split(".", 1)[0] for path, _ in keys}


def ensure_uniques(coll: Collection, new_data: dict[str, Any], changed: Set[str] | None) -> None:
    """``coll._ensure_uniques(new_data)``, where only the top-level fields ``changed`` hold
    other objects than in the stored version of the document (None: any may)."""
    maps: UniqueIndexes | None = getattr(coll._store, "unique_maps", None)
    if maps is None or not maps.usable:
        _original_ensure_uniques(coll, new_data)
        return
    try:
        maps.check(new_data, changed)
    except TypeError:
        _original_ensure_uniques(coll, new_data)


def _ensure_uniques(self: Collection, new_data: dict[str, Any]) -> None:
    ensure_uniques(self, new_data, None)


# Types whose Python equality (and hash) is MongoDB's equality: True == 1 in Python, not in
# MongoDB; 1 == 1.0 in both, but a NaN is never found by a dict lookup.
_EXACT_IDS = frozenset({ObjectId, str})

# Values that cannot change: a copy of one is the value itself.
IMMUTABLE = frozenset(
    {str, int, float, bool, type(None), bytes, datetime, ObjectId, Decimal128, Binary, Int64}
)


def _copy_field(obj: Any, container: Any) -> Any:
    """mongomock-ng's ``_copy_field`` (lists and mappings rebuilt, other values
    ``copy.copy``-ed), without a copy of the values that cannot change."""
    if type(obj) in IMMUTABLE:
        return obj
    if isinstance(obj, list):
        return [_copy_field(item, container) for item in obj]
    if isinstance(obj, Mapping):
        new = container()
        for key, value in obj.items():
            new[key] = _copy_field(value, container)
        return new
    return copy.copy(obj)


def install() -> None:
    """Idempotently replace the two scanning methods and the per-value copy of reads."""
    Collection._iter_documents = _iter_documents  # type: ignore[method-assign]
    Collection._ensure_uniques = _ensure_uniques  # type: ignore[method-assign]
    mm_collection._copy_field = _copy_field
