"""The data the server holds: mongomock-ng databases plus the options mongomock does not model,
and every write path, so that each change also lands in the change history exactly once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import mongomock_ng
from bson.binary import Binary, UuidRepresentation
from mongomock_ng import OperationFailure
from mongomock_ng import aggregate as mm_aggregate
from mongomock_ng.collection import Collection
from mongomock_ng.helpers import _clone_document

from . import aggregation, expressions, fastpaths, limits, outputs, queries, semantics
from .changes import History, describe_update
from .errors import CommandError, not_supported
from .updates import apply_to_one, check_update, is_replacement
from .updates import install as install_updates

fastpaths.install()
aggregation.install()  # stage fixes: nested $lookup, $group over nothing, dotted $project
expressions.install()  # $getField, $setField, $unsetField
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
            refuse_unsupported_operators(item, where)
    elif isinstance(value, list):
        for item in value:
            refuse_unsupported_operators(item, where)


def new_collection_uuid() -> Binary:
    # A Binary subtype 4, not a uuid.UUID: replies are encoded with UuidRepresentation.UNSPECIFIED
    # (so client UUIDs round-trip), which refuses native UUIDs.
    return Binary.from_uuid(uuid.uuid4(), UuidRepresentation.STANDARD)


class Store:
    """All databases of one server. Single-threaded: only the server's event loop calls it."""

    def __init__(self, history: History) -> None:
        # Typed Any: mongomock-ng's stubs claim pymongo's classes, which it only imitates.
        self.client: Any = mongomock_ng.MongoClient()
        self.history = history
        # (db, collection) -> options mongomock does not keep (pre-images, uuid).
        self.meta: dict[tuple[str, str], dict[str, Any]] = {}
        self.write_count = 0
        # mongomock builds a new Collection object on every client[db][name]; that showed up in
        # profiles. Its data lives in stores that are never replaced, so the objects can be kept.
        self._colls: dict[tuple[str, str], Collection] = {}

    # -- namespaces -------------------------------------------------------------------------
    def coll(self, db: str, name: str) -> Collection:
        coll = self._colls.get((db, name))
        if coll is None:
            coll = self._colls[(db, name)] = self.client[db][name]
        return coll

    def exists(self, db: str, name: str) -> bool:
        return name in self.client[db].list_collection_names()

    def database_names(self) -> list[str]:
        return [n for n in self.client.list_database_names() if self.collection_names(n)]

    def collection_names(self, db: str) -> list[str]:
        return sorted(self.client[db].list_collection_names())

    def collection_meta(self, db: str, name: str) -> dict[str, Any]:
        meta = self.meta.get((db, name))
        if meta is None:
            meta = self.meta[(db, name)] = {"uuid": new_collection_uuid(), "options": {}}
        return meta

    def materialise(self, db: str, name: str) -> None:
        """Make an implicitly created collection (insert, upsert, createIndexes) permanent.

        mongomock only counts a collection as existing while it holds documents or indexes, so
        deleting every document would make it vanish; MongoDB keeps it until it is dropped.
        """
        self.coll(db, name)._store._is_force_created = True
        self.collection_meta(db, name)

    def preimages_enabled(self, db: str, name: str) -> bool:
        opts = self.meta.get((db, name), {}).get("options", {})
        return bool(opts.get("changeStreamPreAndPostImages", {}).get("enabled"))

    def _event(self, op: str, db: str, name: str, **data: Any) -> None:
        """Append a change event for one collection, tagged with the collection's UUID."""
        meta = self.meta.get((db, name))
        self.history.append(op, db, name, uuid=meta["uuid"] if meta else None, **data)

    def _created(self, db: str, name: str, description: dict[str, Any] | None = None) -> None:
        """The expanded ``create`` event of a new collection (explicit or implicit)."""
        self.collection_meta(db, name)
        id_index = {"v": 2, "key": {"_id": 1}, "name": "_id_"}
        self._event("create", db, name, description=description or {"idIndex": id_index})

    def _touch(self, db: str, name: str) -> None:
        self.materialise(db, name)
        self.write_count += 1

    def _unique(self, coll: Collection) -> fastpaths.UniqueIndexes:
        cstore = coll._store
        maps = getattr(cstore, "unique_maps", None)
        if maps is None:
            maps = cstore.unique_maps = fastpaths.UniqueIndexes()
            maps.rebuild(cstore.indexes, cstore.documents)
        return maps

    def reindex(self, db: str, name: str) -> None:
        coll = self.coll(db, name)
        self._unique(coll).rebuild(coll._store.indexes, coll._store.documents)

    # -- collection management ------------------------------------------------------------
    def create_collection(self, db: str, name: str, options: dict[str, Any]) -> None:
        if self.exists(db, name):
            raise CommandError(48, f"Collection {db}.{name} already exists.")
        self.client[db].create_collection(name)
        self.meta[(db, name)] = {"uuid": new_collection_uuid(), "options": options}
        self._created(db, name)
        self.write_count += 1

    def set_options(self, db: str, name: str, options: dict[str, Any]) -> None:
        self.collection_meta(db, name)["options"].update(options)
        self._event("modify", db, name, description=dict(options))
        self.write_count += 1

    def indexes_changed(self, db: str, name: str, op: str, indexes: list[dict[str, Any]]) -> None:
        """Record a ``createIndexes`` or ``dropIndexes`` (expanded events)."""
        if indexes:
            self._event(op, db, name, description={"indexes": indexes})

    def note_implicit_creation(self, db: str, name: str) -> None:
        """A write or createIndexes is about to create the collection."""
        if not self.coll(db, name)._store.is_created:
            self._created(db, name)

    def rename_collection(
        self, db: str, name: str, to_db: str, to_name: str, *, drop_target: bool
    ) -> None:
        if to_db != db:
            raise not_supported("Renaming a collection to another database")
        if not self.exists(db, name):
            raise CommandError(26, f"Source collection {db}.{name} does not exist")
        if to_name == name:
            raise CommandError(20, "Can't rename a collection to itself")
        description: dict[str, Any] = {"to": {"db": db, "coll": to_name}}
        if self.exists(db, to_name):
            if not drop_target:
                raise CommandError(48, "target namespace exists")
            description["dropTarget"] = self.collection_meta(db, to_name)["uuid"]
            self.drop_collection(db, to_name)
        self.client[db].rename_collection(name, to_name)
        for key in ((db, name), (db, to_name)):
            self._colls.pop(key, None)
        meta = self.collection_meta(db, name)
        self._event("rename", db, name, to=description["to"], description=description)
        self.meta[(db, to_name)] = self.meta.pop((db, name), meta)
        self.materialise(db, to_name)
        self.write_count += 1

    def drop_collection(self, db: str, name: str) -> bool:
        if not self.exists(db, name):
            return False
        self._event("drop", db, name)
        self.client[db].drop_collection(name)
        self.meta.pop((db, name), None)
        self.reindex(db, name)
        self.write_count += 1
        return True

    def drop_database(self, db: str) -> None:
        for name in self.collection_names(db):
            self.drop_collection(db, name)
        self.client.drop_database(db)
        self.history.append("dropDatabase", db, None)
        self.write_count += 1

    # -- reads ------------------------------------------------------------------------------
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
        refuse_unsupported_operators(filter_, "a query filter")
        if sort and any(isinstance(v, dict) for v in sort.values()):
            raise not_supported("Sorting by $meta")
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
        for doc_id in targets:
            before = _snapshot(coll, doc_id)
            if before is None:
                continue  # cannot happen single-threaded; keeps the types honest
            apply_to_one(coll, doc_id, before, query, update, array_filters)
            after = _snapshot(coll, doc_id)
            if after is not None and after != before:
                try:
                    limits.check_updated(after)
                except CommandError:
                    coll._store._documents[fastpaths.store_key(doc_id)] = before
                    raise
            if after is not None and (after != before or _type_changed(before, after)):
                modified += 1
                maps.refresh(doc_id, after)
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
            self._touch(db, name)
            pre = doc if self.preimages_enabled(db, name) else None
            self._event("delete", db, name, key=doc["_id"], pre=pre)
        return victims

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
        else:
            self._event("update", db, name, update=describe_update(before, after), **data)


def _snapshot(coll: Collection, doc_id: Any) -> dict[str, Any] | None:
    """A private copy of one stored document, read straight from the collection's dict.

    mongomock updates stored documents in place, so the history needs copies; this is one copy
    instead of a find_one (filter, projection and copy machinery) per read.
    """
    live = coll._store._documents.get(fastpaths.store_key(doc_id))
    return None if live is None else _clone_document(live)


def _pins_null_id(query: Any) -> bool:
    spec = query.get("_id", 0) if isinstance(query, dict) else 0
    return spec is None or (isinstance(spec, dict) and set(spec) == {"$eq"} and spec["$eq"] is None)


def _type_changed(before: dict | None, after: dict | None) -> bool:
    # Python's == says 1 == 1.0; a real server would still record the type change.
    return describe_update(before or {}, after or {})["updatedFields"] != {}


__all__ = ["OperationFailure", "Store"]
