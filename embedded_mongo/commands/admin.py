"""Database, collection and index management commands."""

from __future__ import annotations

from typing import Any

from mongomock_ng import OperationFailure
from mongomock_ng.filtering import filter_applies

from ..errors import CommandError, not_supported
from . import Context, collection_name, command, cursor_reply

# Collection options the backend cannot enforce; accepting them would hide wrong answers.
REFUSED_COLLECTION_OPTIONS = {
    "validator": "Collection validators ($jsonSchema and query validators)",
    "validationLevel": "Collection validators",
    "validationAction": "Collection validators",
    "viewOn": "Views",
    "pipeline": "Views",
    "collation": "Collation",
    "capped": "Capped collections",
    "timeseries": "Time-series collections",
    "clusteredIndex": "Clustered collections",
    "expireAfterSeconds": "TTL collections",
    "encryptedFields": "Queryable encryption",
}
ACCEPTED_COLLECTION_OPTIONS = {
    "changeStreamPreAndPostImages",
    "storageEngine",
    "indexOptionDefaults",
}
GENERIC_FIELDS = {
    "lsid",
    "$db",
    "$clusterTime",
    "$readPreference",
    "writeConcern",
    "readConcern",
    "comment",
    "txnNumber",
    "apiVersion",
    "apiStrict",
    "apiDeprecationErrors",
    "maxTimeMS",
    "autocommit",
    "startTransaction",
}


def _collection_options(cmd: dict[str, Any], skip: set[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for key, value in cmd.items():
        if key in skip or key in GENERIC_FIELDS:
            continue
        if key in REFUSED_COLLECTION_OPTIONS:
            if key == "capped" and not value:
                continue
            raise not_supported(REFUSED_COLLECTION_OPTIONS[key])
        if key not in ACCEPTED_COLLECTION_OPTIONS:
            raise CommandError(40415, f"BSON field '{key}' is an unknown field.")
        options[key] = value
    return options


@command("listDatabases")
def list_databases(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    names = ctx.state.store.database_names()
    databases = [{"name": n, "sizeOnDisk": 0, "empty": False} for n in names]
    if cmd.get("filter"):
        databases = [d for d in databases if filter_applies(cmd["filter"], d)]
    if cmd.get("nameOnly"):
        return {"databases": [{"name": d["name"]} for d in databases]}
    return {"databases": databases, "totalSize": 0}


@command("listCollections")
def list_collections(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    store = ctx.state.store
    infos = []
    for name in store.collection_names(db):
        meta = store.collection_meta(db, name)
        infos.append(
            {
                "name": name,
                "type": "collection",
                "options": dict(meta["options"]),
                "info": {"readOnly": False, "uuid": meta["uuid"]},
                "idIndex": {"v": 2, "key": {"_id": 1}, "name": "_id_"},
            }
        )
    if cmd.get("filter"):
        infos = [i for i in infos if filter_applies(cmd["filter"], i)]
    if cmd.get("nameOnly"):
        infos = [{"name": i["name"], "type": i["type"]} for i in infos]
    batch = (cmd.get("cursor") or {}).get("batchSize")
    return cursor_reply(ctx, f"{db}.$cmd.listCollections", infos, batch_size=batch)


@command("create")
def create(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    name = cmd["create"]
    if not isinstance(name, str) or not name:
        raise CommandError(73, "Invalid collection name")
    options = _collection_options(cmd, {"create"})
    ctx.state.store.create_collection(db, name, options)
    return {}


@command("collMod")
def coll_mod(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    name = cmd["collMod"]
    store = ctx.state.store
    if not store.exists(db, name):
        raise CommandError(26, f"ns does not exist: {db}.{name}")
    if "index" in cmd:
        raise not_supported("Modifying an index with collMod")
    options = _collection_options(cmd, {"collMod"})
    store.set_options(db, name, options)
    return {}


@command("drop")
def drop(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    name = cmd["drop"]
    if not ctx.state.store.drop_collection(db, name):
        raise CommandError(26, "ns not found")
    return {"ns": f"{db}.{name}", "nIndexesWas": 1}


@command("dropDatabase")
def drop_database(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    ctx.state.store.drop_database(db)
    return {"dropped": db}


@command("createIndexes")
def create_indexes(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    name = cmd["createIndexes"]
    store = ctx.state.store
    coll = store.coll(db, name)
    created_collection = not store.exists(db, name)
    existing = {i["name"] for i in coll.list_indexes()} if not created_collection else {"_id_"}
    specs = cmd.get("indexes", [])
    for spec in specs:
        _create_one_index(coll, spec)
    if created_collection:
        store.note_implicit_creation(db, name)
    store.materialise(db, name)
    store.reindex(db, name)
    store.write_count += 1
    now = {i["name"]: i for i in coll.list_indexes()}
    store.indexes_changed(
        db, name, "createIndexes", [_index_info(now[n]) for n in now if n not in existing]
    )
    before, after = len(existing), len(now)
    return {
        "createdCollectionAutomatically": created_collection,
        "numIndexesBefore": before,
        "numIndexesAfter": after,
    }


def _create_one_index(coll: Any, spec: dict[str, Any]) -> None:
    key = spec.get("key")
    if not isinstance(key, dict) or not key:
        raise CommandError(67, "Index key pattern must be a non-empty document")
    for field, kind in key.items():
        if kind in ("text", "2d", "geoHaystack", "hashed") or field == "$**":
            raise not_supported(f"A '{kind}' index")
    for option, label in (
        ("partialFilterExpression", "Partial indexes"),
        ("expireAfterSeconds", "TTL indexes"),
        ("collation", "Collation"),
        ("weights", "Text indexes"),
        ("wildcardProjection", "Wildcard indexes"),
    ):
        if option in spec:
            raise not_supported(label)
    if dict(key) == {"_id": 1}:
        return  # the _id index every collection has (MongoDB adds no second one)
    index_name = spec.get("name")
    existing = {i["name"]: i for i in coll.list_indexes()}
    if index_name in existing:
        same_key = dict(existing[index_name]["key"]) == dict(key)
        same_unique = bool(existing[index_name].get("unique")) == bool(spec.get("unique"))
        if same_key and same_unique:
            return
        raise CommandError(
            86 if not same_key else 85,
            f"An existing index has the same name as the requested index: {index_name}",
        )
    for other in existing.values():
        if dict(other["key"]) == dict(key) and other["name"] != "_id_":
            if bool(other.get("unique")) != bool(spec.get("unique")):
                raise CommandError(
                    85, f"Index already exists with a different name: {other['name']}"
                )
            return
    try:
        coll.create_index(
            list(key.items()),
            name=index_name,
            unique=bool(spec.get("unique")),
            sparse=bool(spec.get("sparse")),
        )
    except OperationFailure as exc:
        raise CommandError(exc.code or 11000, str(exc), **(exc.details or {})) from exc


def _index_info(info: dict[str, Any]) -> dict[str, Any]:
    """An index as listIndexes (and the expanded change events) describe it."""
    entry = {"v": 2, "key": dict(info["key"]), "name": info["name"]}
    for option in ("unique", "sparse"):
        if info.get(option):
            entry[option] = True
    return entry


@command("listIndexes")
def list_indexes(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    name = cmd["listIndexes"]
    store = ctx.state.store
    if not store.exists(db, name):
        raise CommandError(26, f"ns does not exist: {db}.{name}")
    indexes = [_index_info(info) for info in store.coll(db, name).list_indexes()]
    batch = (cmd.get("cursor") or {}).get("batchSize")
    return cursor_reply(ctx, f"{db}.$cmd.listIndexes.{name}", indexes, batch_size=batch)


@command("dropIndexes", "deleteIndexes")
def drop_indexes(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    name = collection_name(cmd)
    store = ctx.state.store
    if not store.exists(db, name):
        raise CommandError(26, f"ns not found {db}.{name}")
    coll = store.coll(db, name)
    target = cmd.get("index")
    existing = {i["name"]: i for i in coll.list_indexes()}
    count = len(existing)
    before = set(existing)
    if target == "*":
        coll.drop_indexes()
    else:
        names = target if isinstance(target, list) else [target]
        for index in names:
            if isinstance(index, dict):
                matches = [n for n, i in existing.items() if dict(i["key"]) == index]
                if not matches:
                    raise CommandError(27, f"can't find index with key: {index}")
                index = matches[0]
            if index == "_id_":
                raise CommandError(72, "cannot drop _id index")
            if index not in existing:
                raise CommandError(27, f"index not found with name [{index}]")
            coll.drop_index(index)
    store.reindex(db, name)
    store.write_count += 1
    remaining = {i["name"] for i in coll.list_indexes()}
    dropped = [_index_info(existing[n]) for n in before - remaining]
    store.indexes_changed(db, name, "dropIndexes", dropped)
    return {"nIndexesWas": count}


@command("renameCollection")
def rename_collection(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    if db != "admin":
        raise CommandError(13, "renameCollection may only be run against the admin database.")
    source, target = cmd.get("renameCollection"), cmd.get("to")
    if not isinstance(source, str) or not isinstance(target, str):
        raise CommandError(73, "renameCollection and to must be namespace strings")
    src_db, _, src_name = source.partition(".")
    dst_db, _, dst_name = target.partition(".")
    if not src_name or not dst_name:
        raise CommandError(73, f"Invalid namespace specified: {source!r} or {target!r}")
    ctx.state.store.rename_collection(
        src_db, src_name, dst_db, dst_name, drop_target=bool(cmd.get("dropTarget"))
    )
    return {}
