"""The data the server holds: reads, and every write path, so that each change also lands in the
change history exactly once (the namespaces themselves are in ``namespaces.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bson.raw_bson import RawBSONDocument
from mongomock_ng import OperationFailure
from mongomock_ng import aggregate as mm_aggregate
from mongomock_ng.collection import Collection
from mongomock_ng.helpers import _clone_document

from . import aggregation, expressions, fastpaths, limits, outputs, queries, semantics
from .changes import describe_update
from .errors import CommandError, not_supported
from .namespaces import Namespaces
from .updates import apply_to_one, check_update, is_replacement, plain_update
from .updates import install as install_updates

fastpaths.install()
aggregation.install()  # stage fixes: nested $lookup, $group over nothing, dotted $project
expressions.install()  # $getField, $setField, $unsetField, $rand
limits.install()  # top-level '$' field names, as MongoDB 5.0+ stores them
install_updates()  # pipeline updates keep _id
semantics.install()  # MongoDB's comparison rules where mongomock-ng departs from them

# Query operators the backend cannot evaluate faithfully; refused rather than answered wrongly.
UNSUPPORTED_QUERY_OPERATORS = {"$text", "$where", "$jsonSchema", "$function", "$accumulator"}
UNSUPPORTED_STAGES = {
    "$search": "$search",
    "$searchMeta": "$searchMeta",
    "$vectorSearch": "$vectorSearch",
    "$currentOp": "$currentOp",
    "$collStats": "$collStats",
    "$indexStats": "$indexStats",
    "$planCacheStats": "$planCacheStats",
    "$listSessions": "$listSessions",
}


def refuse_unsupported_operators(value: Any, where: str) -> None:
    """Walk a filter, update or pipeline and refuse what the backend cannot evaluate."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in UNSUPPORTED_QUERY_OPERATORS:
                raise not_supported(f"The {key} operator (in {where})")
            if isinstance(item, (dict, list)):
                refuse_unsupported_operators(item, where)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                refuse_unsupported_operators(item, where)


class Store(Namespaces):
    """All databases of one server: reads and writes, each write also recorded in the change
    history exactly once. Single-threaded: only the server's event loop calls it.

    A stored document, once stored, is never changed in place: an update stores a new
    document (a plain update one that shares its unchanged parts with the old one, the general
    path a copy that mongomock-ng then changes). The old version can therefore be handed on
    (a reply, a change event's pre-image) and the new one too (its post-image), uncopied."""

    # -- reads ------------------------------------------------------------------------------
    @staticmethod
    def _check_find(filter_: dict[str, Any], sort: dict[str, Any] | None) -> None:
        refuse_unsupported_operators(filter_, "a query filter")
        if sort and any(isinstance(v, dict) for v in sort.values()):
            raise not_supported("Sorting by $meta")

    def find(
        self,
        db: str,
        name: str,
        filter_: dict[str, Any],
        *,
        projection: dict[str, Any] | None = None,
        sort: dict[str, Any] | None = None,
        skip: int = 0,
        limit: int = 0,
    ) -> Iterator[dict[str, Any]]:
        self._check_find(filter_, sort)
        # Copies (and projects) only the documents returned, not every match.
        docs = queries.find(
            self.coll(db, name),
            filter_,
            projection or None,
            sort=sort or None,
            skip=skip,
            limit=limit,
        )
        return iter(docs)

    def find_encoded(
        self,
        db: str,
        name: str,
        filter_: dict[str, Any],
        *,
        projection: dict[str, Any] | None = None,
        sort: dict[str, Any] | None = None,
        skip: int = 0,
        limit: int = 0,
    ) -> list[RawBSONDocument]:
        """``find``'s documents encoded as BSON at once (for a reply: no copies kept)."""
        self._check_find(filter_, sort)
        return queries.find_encoded(
            self.coll(db, name),
            filter_,
            projection or None,
            sort=sort or None,
            skip=skip,
            limit=limit,
        )

    def count(
        self, db: str, name: str, filter_: dict[str, Any], *, skip: int = 0, limit: int = 0
    ) -> int:
        refuse_unsupported_operators(filter_, "a query filter")
        return queries.count(self.coll(db, name), filter_, skip=skip, limit=limit)

    def distinct(self, db: str, name: str, key: str, filter_: dict[str, Any]) -> list[Any]:
        refuse_unsupported_operators(filter_, "a query filter")
        return queries.distinct(self.coll(db, name), key, filter_)

    def aggregate(self, db: str, name: str | None, pipeline: list[dict[str, Any]]) -> list[dict]:
        for stage in pipeline:
            if not isinstance(stage, dict) or len(stage) != 1:
                raise CommandError(
                    40323, "A pipeline stage specification object must contain exactly one field."
                )
            stage_name = next(iter(stage))
            if stage_name in UNSUPPORTED_STAGES:
                raise not_supported(f"The {stage_name} aggregation stage")
        refuse_unsupported_operators(pipeline, "an aggregation pipeline")
        outputs.check_position(pipeline)
        if name is None:
            raise not_supported("A database-level aggregation other than $changeStream")
        last = next(iter(pipeline[-1])) if pipeline else None
        if last not in outputs.OUTPUT_STAGES:
            return queries.aggregate(self.coll(db, name), pipeline)
        docs = queries.aggregate(self.coll(db, name), pipeline[:-1])
        if last == "$out":
            outputs.run_out(self, db, pipeline[-1]["$out"], docs)
        else:
            outputs.run_merge(self, db, pipeline[-1]["$merge"], docs)
        return []

    def aggregate_over(
        self, db: str, docs: list[dict[str, Any]], pipeline: list[dict[str, Any]]
    ) -> list[dict]:
        """Run ``pipeline`` over documents a database-level source stage made
        (``$documents``, ``$listLocalSessions``), its output stage included."""
        refuse_unsupported_operators(pipeline, "an aggregation pipeline")
        outputs.check_position(pipeline)
        for stage in pipeline:
            if next(iter(stage), None) in UNSUPPORTED_STAGES:
                raise not_supported(f"The {next(iter(stage))} aggregation stage")
        last = next(iter(pipeline[-1])) if pipeline else None
        body = pipeline[:-1] if last in outputs.OUTPUT_STAGES else pipeline
        results = list(mm_aggregate.process_pipeline(docs, self.client[db], body, None))
        if last == "$out":
            outputs.run_out(self, db, pipeline[-1]["$out"], results)
        elif last == "$merge":
            outputs.run_merge(self, db, pipeline[-1]["$merge"], results)
        else:
            return results
        return []

    # -- writes -----------------------------------------------------------------------------
    def insert(self, db: str, name: str, doc: dict[str, Any]) -> None:
        limits.check_insert(doc)
        coll = self.coll(db, name)
        maps = self._unique(coll)
        self.note_implicit_creation(db, name)
        coll.insert_one(doc)
        stored = _snapshot(coll, doc["_id"])
        maps.refresh(doc["_id"], stored)
        self._touch(db, name)
        self._event("insert", db, name, key=doc["_id"], doc=stored)

    def update(
        self,
        db: str,
        name: str,
        query: dict[str, Any],
        update: Any,
        *,
        multi: bool = False,
        upsert: bool = False,
        array_filters: list[dict[str, Any]] | None = None,
        sort: dict[str, Any] | None = None,
    ) -> tuple[int, int, Any, list[tuple[dict | None, dict | None]]]:
        """Apply one update statement. Returns (matched, modified, upserted id, changes)."""
        refuse_unsupported_operators(query, "an update filter")
        if isinstance(update, list):
            refuse_unsupported_operators(update, "an update pipeline")
        check_update(update, multi=multi)
        is_replace = is_replacement(update)
        coll = self.coll(db, name)
        maps = self._unique(coll)
        matches = queries.stored_matches(coll, query, sort=sort or None, limit=0 if multi else 1)
        if matches is None:
            matches = list(coll.find(query, {"_id": 1}, sort=sort or None))
        targets = [d["_id"] for d in matches]
        if not multi:
            targets = targets[:1]
        changes: list[tuple[dict | None, dict | None]] = []
        modified = 0
        plain = not array_filters and self._plain_updates(db, name, coll)
        for doc_id in targets:
            key = fastpaths.store_key(doc_id)
            live = coll._store._documents.get(key)
            if live is None:
                continue  # cannot happen single-threaded; keeps the types honest
            # A stored document is never changed in place (see ``Store``): the old version can
            # serve as the pre-image, the new one as the post-image, both without a copy.
            after = plain_update(live, update) if plain else None
            before = live
            roots: set[str] | None = None  # the top-level fields changed; None: any may be
            if after is not None:
                # A new document sharing the unchanged parts with the old one.
                changed = after != before or _type_changed(before, after)
                if changed:
                    roots = _changed_roots(before, after)
                    _check_size(coll, key, live, after, update)
                    fastpaths.ensure_uniques(coll, after, roots)
                    coll._store._documents[key] = after
            else:
                _sizes(coll).pop(key, None)
                # mongomock-ng changes the stored document in place: give it a copy of its own.
                coll._store._documents[key] = _clone_document(live)
                apply_to_one(coll, doc_id, before, query, update, array_filters)
                after = coll._store._documents.get(key)
                if after is not None and after != before:
                    try:
                        limits.check_updated(after)
                    except CommandError:
                        coll._store._documents[key] = before
                        raise
                changed = after is not None and (after != before or _type_changed(before, after))
            if changed:
                assert after is not None
                modified += 1
                maps.refresh(doc_id, after, roots)
                self._record_change(db, name, before, after, replace=is_replace)
                changes.append((before, after))
        if targets or not upsert:
            return len(targets), modified, None, changes
        self.note_implicit_creation(db, name)
        if is_replace and "_id" in update and update["_id"] is None and "_id" not in query:
            # A null _id is a value: mongomock-ng mistook it for none and made an ObjectId.
            coll.insert_one(dict(update))
            new_id = update["_id"]
        elif is_replace:
            new_id = coll.replace_one(query, update, upsert=True).upserted_id
        else:
            result = coll.update_one(query, update, upsert=True, array_filters=array_filters)
            new_id = result.upserted_id
            if _pins_null_id(query) and new_id is not None:
                # {_id: null} upserts a document whose _id is null; mongomock-ng made one up.
                doc = coll._store._documents.pop(fastpaths.store_key(new_id))
                coll.insert_one({**doc, "_id": None})
                new_id = None
        inserted = _snapshot(coll, new_id)
        try:
            limits.check_upserted(inserted or {})
        except CommandError:
            coll.delete_one({"_id": new_id})
            raise
        maps.refresh(new_id, inserted)
        self._touch(db, name)
        self._event("insert", db, name, key=new_id, doc=inserted)
        return 0, 0, new_id, [(None, inserted)]

    def delete(
        self,
        db: str,
        name: str,
        query: dict[str, Any],
        *,
        limit: int,
        sort: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        refuse_unsupported_operators(query, "a delete filter")
        coll = self.coll(db, name)
        maps = self._unique(coll)
        # The stored documents themselves: each is removed from the collection before anyone
        # else could see it, so the reply and the pre-image need no copy of their own.
        victims = queries.stored_matches(coll, query, sort=sort or None, limit=limit)
        if victims is None:
            victims = list(coll.find(query, sort=sort or None, limit=limit))
        for doc in victims:
            coll.delete_one({"_id": doc["_id"]})
            maps.refresh(doc["_id"], None)
            _sizes(coll).pop(fastpaths.store_key(doc["_id"]), None)
            self._touch(db, name)
            pre = doc if self.preimages_enabled(db, name) else None
            self._event("delete", db, name, key=doc["_id"], pre=pre)
        return victims

    def _plain_updates(self, db: str, name: str, coll: Collection) -> bool:
        """Whether plain updates may build new documents without copying the stored ones:
        not when a validator applies."""
        return not coll._store.options.get("validator")

    def _record_change(
        self, db: str, name: str, before: dict, after: dict, *, replace: bool
    ) -> None:
        self._touch(db, name)
        images = self.preimages_enabled(db, name)
        data: dict[str, Any] = {"key": after["_id"]}
        if images:
            data["pre"] = before
            data["post"] = after
        if replace:
            self._event("replace", db, name, doc=after, **data)
        elif images:
            self._event("update", db, name, **data)  # described from its images when read
        else:
            self._event("update", db, name, old=before, new=after, **data)  # described later


def _sizes(coll: Collection) -> dict[Any, tuple[dict[str, Any], int]]:
    """Per stored document (by store key): the document object and an upper bound of its
    encoded size, kept by plain updates so that they need not encode a large document whole
    to check it stays under the size limit."""
    sizes: dict[Any, tuple[dict[str, Any], int]] | None = getattr(coll._store, "doc_sizes", None)
    if sizes is None:
        sizes = coll._store.doc_sizes = {}
    return sizes


def _check_size(
    coll: Collection, key: Any, live: dict[str, Any], after: dict[str, Any], update: Any
) -> None:
    """MongoDB's size limit for a plain update's result: measured exactly when the document's
    known size (for this very document object) plus what the update can add comes anywhere
    near the limit, otherwise bounded without encoding it."""
    sizes = _sizes(coll)
    known = sizes.get(key)
    if known is not None and known[0] is live:
        bound = known[1] + limits.growth_bound(update)
        if bound < limits.MAX_DOCUMENT_SIZE // 2:
            sizes[key] = (after, bound)
            return
    sizes[key] = (after, limits.check_updated(after))


def _snapshot(coll: Collection, doc_id: Any) -> dict[str, Any] | None:
    """A private copy of one stored document, read straight from the collection's dict.

    mongomock updates stored documents in place, so the history needs copies; this is one copy
    instead of a find_one (filter, projection and copy machinery) per read.
    """
    live = coll._store._documents.get(fastpaths.store_key(doc_id))
    return None if live is None else _clone_document(live)


def _changed_roots(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """The top-level fields of a plain update's new document that are not the very objects
    of the old one (what is shared is unchanged: stored documents never change in place)."""
    missing = _MISSING
    return {
        k
        for k in before.keys() | after.keys()
        if before.get(k, missing) is not after.get(k, missing)
    }


_MISSING: Any = object()


def _pins_null_id(query: Any) -> bool:
    spec = query.get("_id", 0) if isinstance(query, dict) else 0
    return spec is None or (isinstance(spec, dict) and set(spec) == {"$eq"} and spec["$eq"] is None)


def _type_changed(before: dict | None, after: dict | None) -> bool:
    # Python's == says 1 == 1.0; a real server would still record the type change.
    return describe_update(before or {}, after or {})["updatedFields"] != {}


__all__ = ["OperationFailure", "Store"]
