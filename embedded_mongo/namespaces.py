"""The namespaces of the server: databases and collections, the options mongomock-ng does not
keep (UUIDs, pre-image settings), and the collection-level operations (create, modify, rename,
drop, index changes), each recorded in the change history as MongoDB's oplog would have it."""

from __future__ import annotations

import uuid
from typing import Any

import mongomock_ng
from bson.binary import Binary, UuidRepresentation
from mongomock_ng.collection import Collection

from . import fastpaths
from .changes import History
from .errors import CommandError, not_supported


def new_collection_uuid() -> Binary:
    # A Binary subtype 4, not a uuid.UUID: replies are encoded with UuidRepresentation.UNSPECIFIED
    # (so client UUIDs round-trip), which refuses native UUIDs.
    return Binary.from_uuid(uuid.uuid4(), UuidRepresentation.STANDARD)


class Namespaces:
    """Databases and collections of one server (the base of ``Store``)."""

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
