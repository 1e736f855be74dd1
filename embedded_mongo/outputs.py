"""The aggregation stages that write their results, ``$out`` and ``$merge``, and the source
stage ``$documents`` that often feeds them.

Both run last, on the documents the rest of the pipeline produced, through the store's own
write path (so unique indexes, the 16 MiB limit and change events apply as to any write), and
the aggregation then returns no documents. ``$out`` replaces the target collection's documents
(its indexes stay); ``$merge`` matches each result to a target document ``on`` one or more
fields and merges, replaces, keeps or fails, or inserts, discards or fails when none matches.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bson import ObjectId
from mongomock_ng.aggregate import _parse_expression

from .errors import CommandError, not_supported

if TYPE_CHECKING:
    from .store import Store

OUTPUT_STAGES = ("$out", "$merge")
WHEN_MATCHED = {"merge", "replace", "keepExisting", "fail"}
WHEN_NOT_MATCHED = {"insert", "discard", "fail"}


def documents_stage(spec: Any) -> list[dict[str, Any]]:
    """``$documents``: an expression (usually a literal array) that gives the documents."""
    docs = _parse_expression(spec, {}, user_vars={})
    if not isinstance(docs, list) or not all(isinstance(d, Mapping) for d in docs):
        raise CommandError(5858203, "an array of documents must be specified to '$documents'")
    return [dict(d) for d in docs]


def check_position(pipeline: list[dict[str, Any]]) -> None:
    for position, stage in enumerate(pipeline):
        name = next(iter(stage))
        if name in OUTPUT_STAGES and position != len(pipeline) - 1:
            raise CommandError(40601, f"{name} can only be the final stage in the pipeline")


def _target(db: str, spec: Any, stage: str) -> tuple[str, str]:
    if isinstance(spec, str) and spec:
        return db, spec
    if isinstance(spec, Mapping) and isinstance(spec.get("coll"), str):
        return str(spec.get("db", db)), spec["coll"]
    raise CommandError(16990, f"{stage} requires a collection name or a document with 'coll'")


def run_out(store: Store, db: str, spec: Any, docs: list[dict[str, Any]]) -> None:
    if isinstance(spec, Mapping) and "timeseries" in spec:
        raise not_supported("$out to a time-series collection")
    target_db, target = _target(db, spec, "$out")
    seen: set[Any] = set()
    for doc in docs:
        doc.setdefault("_id", ObjectId())
        key = repr(doc["_id"])
        if key in seen:
            raise CommandError(
                11000, f"E11000 duplicate key error dup key: {{_id: {doc['_id']!r}}}"
            )
        seen.add(key)
    store.delete(target_db, target, {}, limit=0)
    for doc in docs:
        store.insert(target_db, target, doc)
    store.materialise(target_db, target)


def run_merge(store: Store, db: str, spec: Any, docs: list[dict[str, Any]]) -> None:
    if not isinstance(spec, Mapping):
        spec = {"into": spec}
    target_db, target = _target(db, spec.get("into"), "$merge")
    on = spec.get("on", "_id")
    fields = [on] if isinstance(on, str) else list(on)
    matched_mode = spec.get("whenMatched", "merge")
    unmatched_mode = spec.get("whenNotMatched", "insert")
    if not isinstance(matched_mode, str):
        raise not_supported("$merge with a pipeline in whenMatched")
    if matched_mode not in WHEN_MATCHED or unmatched_mode not in WHEN_NOT_MATCHED:
        raise CommandError(9, f"Invalid $merge modes: {matched_mode}, {unmatched_mode}")
    if "let" in spec:
        raise not_supported("$merge with let")
    for doc in docs:
        if "_id" not in doc and fields == ["_id"]:
            doc["_id"] = ObjectId()
        query = {f: doc.get(f) for f in fields}
        existing = next(store.find(target_db, target, query, limit=1), None)
        if existing is None:
            if unmatched_mode == "fail":
                raise CommandError(13113, "$merge could not find a matching document in the target")
            if unmatched_mode == "insert":
                doc.setdefault("_id", ObjectId())
                store.insert(target_db, target, doc)
            continue
        if matched_mode == "fail":
            raise CommandError(
                11000,
                f"E11000 duplicate key error dup key: {query!r}",
                keyPattern={f: 1 for f in fields},
                keyValue=query,
            )
        if matched_mode == "keepExisting":
            continue
        if matched_mode == "replace":
            replacement = {k: v for k, v in doc.items() if k != "_id"}
            store.update(target_db, target, {"_id": existing["_id"]}, replacement)
        else:
            fields_to_set = {k: v for k, v in doc.items() if k != "_id"}
            if fields_to_set:
                store.update(target_db, target, {"_id": existing["_id"]}, {"$set": fields_to_set})
    store.materialise(target_db, target)
