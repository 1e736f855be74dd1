"""Reads, writes and cursors: find, getMore, killCursors, insert, update, delete,
findAndModify, count and distinct (aggregate is in ``aggregation.py``)."""

from __future__ import annotations

from typing import Any

from bson.int64 import Int64

from ..changestream import ChangeStreamCursor
from ..errors import CommandError, not_supported, to_command_error
from ..variables import bind_filter, bind_pipeline, evaluate_let
from . import Context, collection_name, command, cursor_reply, int_option, refuse_collation

REFUSED_FIND_OPTIONS = {
    "min": "min() index bounds",
    "max": "max() index bounds",
    "returnKey": "returnKey",
    "showRecordId": "showRecordId",
    "tailable": "Tailable cursors",
}


@command("find")
def find(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    name = cmd["find"]
    refuse_collation(cmd)
    for option, label in REFUSED_FIND_OPTIONS.items():
        if cmd.get(option):
            raise not_supported(label)
    limit = int_option(cmd, "limit", 0) or 0
    single = bool(cmd.get("singleBatch")) or limit < 0
    limit = abs(limit)
    batch_size = int_option(cmd, "batchSize")
    if batch_size is not None and batch_size < 0:
        raise CommandError(51024, "BSON field 'batchSize' value must be >= 0")
    variables = evaluate_let(cmd.get("let"))
    docs = ctx.state.store.find_encoded(
        db,
        name,
        bind_filter(cmd.get("filter") or {}, variables),
        projection=cmd.get("projection"),
        sort=cmd.get("sort"),
        skip=int_option(cmd, "skip", 0) or 0,
        limit=limit,
    )
    if limit and (batch_size is None or batch_size > limit):
        batch_size = limit
    return cursor_reply(ctx, f"{db}.{name}", docs, batch_size=batch_size, single_batch=single)


@command("getMore")
async def get_more(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    cursor_id = cmd["getMore"]
    ns = f"{db}.{cmd.get('collection')}"
    cursors = ctx.state.cursors
    cursor = cursors.get(cursor_id, ns)
    count = int_option(cmd, "batchSize", 0) or 0
    reply: dict[str, Any] = {"cursor": {"ns": cursor.ns}}
    if isinstance(cursor, ChangeStreamCursor):
        try:
            batch = await cursor.next_batch(count, int_option(cmd, "maxTimeMS"))
        except CommandError:
            cursors.kill(cursor_id)
            raise
        reply["cursor"]["postBatchResumeToken"] = cursor.resume_token
    else:
        batch = cursor.next_batch(count)
    if cursor.exhausted:
        cursors.kill(cursor_id)
    reply["cursor"]["nextBatch"] = batch
    reply["cursor"]["id"] = Int64(0) if cursor.exhausted else cursor.id
    return reply


@command("killCursors")
def kill_cursors(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    killed: list[int] = []
    missing: list[int] = []
    for cursor_id in cmd.get("cursors", []):
        (killed if ctx.state.cursors.kill(cursor_id) else missing).append(cursor_id)
    return {
        "cursorsKilled": killed,
        "cursorsNotFound": missing,
        "cursorsAlive": [],
        "cursorsUnknown": [],
    }


def _write_error(index: int, exc: BaseException) -> dict[str, Any]:
    err = to_command_error(exc)
    return {"index": index, "code": err.code, "errmsg": err.message, **err.extra}


@command("insert")
def insert(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    name = cmd["insert"]
    ordered = cmd.get("ordered", True)
    inserted, errors = 0, []
    for index, doc in enumerate(cmd.get("documents", [])):
        try:
            ctx.state.store.insert(db, name, doc)
            inserted += 1
        except Exception as exc:  # every failure becomes a write error, never a dropped reply
            errors.append(_write_error(index, exc))
            if ordered:
                break
    reply: dict[str, Any] = {"n": inserted}
    if errors:
        reply["writeErrors"] = errors
    return reply


# The fields of one statement, as MongoDB 7.0 parses them (an update's sort came with 8.0).
UPDATE_STATEMENT_FIELDS = {
    "q",
    "u",
    "c",
    "multi",
    "upsert",
    "upsertSupplied",
    "arrayFilters",
    "collation",
    "hint",
}
DELETE_STATEMENT_FIELDS = {"q", "limit", "collation", "hint"}


def _check_statements(cmd: dict[str, Any], command: str, field: str, allowed: set[str]) -> None:
    """An unknown field in any statement fails the whole command, before anything is written."""
    for stmt in cmd.get(field, []):
        if not isinstance(stmt, dict):
            raise CommandError(14, f"BSON field '{command}.{field}' must be an array of objects")
        for key in stmt:
            if key not in allowed:
                raise CommandError(
                    40415, f"BSON field '{command}.{field}.{key}' is an unknown field."
                )


@command("update")
def update(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    name = cmd["update"]
    _check_statements(cmd, "update", "updates", UPDATE_STATEMENT_FIELDS)
    ordered = cmd.get("ordered", True)
    matched = modified = 0
    upserted: list[dict[str, Any]] = []
    errors = []
    variables = evaluate_let(cmd.get("let"))
    for index, stmt in enumerate(cmd.get("updates", [])):
        try:
            refuse_collation(stmt)
            scope = {**variables, **evaluate_let(stmt.get("c"))}  # c: the statement's own let
            n, n_mod, new_id, changes = ctx.state.store.update(
                db,
                name,
                bind_filter(stmt.get("q") or {}, scope),
                bind_pipeline(stmt.get("u"), scope),
                multi=bool(stmt.get("multi")),
                upsert=bool(stmt.get("upsert")),
                array_filters=stmt.get("arrayFilters"),
            )
        except Exception as exc:
            errors.append(_write_error(index, exc))
            if ordered:
                break
            continue
        if _upserted(changes):
            upserted.append({"index": index, "_id": new_id})
            matched += 1
        else:
            matched += n
            modified += n_mod
    reply: dict[str, Any] = {"n": matched, "nModified": modified}
    if upserted:
        reply["upserted"] = upserted
    if errors:
        reply["writeErrors"] = errors
    return reply


@command("delete")
def delete(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    name = cmd["delete"]
    _check_statements(cmd, "delete", "deletes", DELETE_STATEMENT_FIELDS)
    ordered = cmd.get("ordered", True)
    removed, errors = 0, []
    variables = evaluate_let(cmd.get("let"))
    for index, stmt in enumerate(cmd.get("deletes", [])):
        try:
            refuse_collation(stmt)
            limit = int(stmt.get("limit", 0))
            if limit not in (0, 1):
                raise CommandError(9, "The limit field in delete objects must be 0 or 1")
            query = bind_filter(stmt.get("q") or {}, variables)
            removed += len(ctx.state.store.delete(db, name, query, limit=limit))
        except Exception as exc:
            errors.append(_write_error(index, exc))
            if ordered:
                break
    reply: dict[str, Any] = {"n": removed}
    if errors:
        reply["writeErrors"] = errors
    return reply


def _upserted(changes: list[tuple[dict | None, dict | None]]) -> bool:
    """Whether an update statement inserted (its _id may be null, so the id cannot tell)."""
    return bool(changes) and changes[0][0] is None


@command("findAndModify", "findandmodify")
def find_and_modify(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    name = collection_name(cmd)
    store = ctx.state.store
    refuse_collation(cmd)
    variables = evaluate_let(cmd.get("let"))
    query = bind_filter(cmd.get("query") or {}, variables)
    sort = cmd.get("sort")
    fields = cmd.get("fields")
    remove = bool(cmd.get("remove"))
    if remove == ("update" in cmd):
        raise CommandError(9, "Either an update or remove=true must be specified")
    coll = store.coll(db, name)
    try:
        if remove:
            victims = store.delete(db, name, query, limit=1, sort=sort)
            value = victims[0] if victims else None
            last = {"n": len(victims)}
        else:
            n, _, new_id, changes = store.update(
                db,
                name,
                query,
                bind_pipeline(cmd["update"], variables),
                upsert=bool(cmd.get("upsert")),
                array_filters=cmd.get("arrayFilters"),
                sort=sort,
            )
            if _upserted(changes):
                value = changes[0][1] if cmd.get("new") else None
                last = {"n": 1, "updatedExisting": False, "upserted": new_id}
            else:
                value = None
                if n:
                    before, after = changes[0] if changes else (None, None)
                    if not changes:  # matched but nothing changed: report the current document
                        current = next(store.find(db, name, query, sort=sort, limit=1), None)
                        before = after = current
                    value = after if cmd.get("new") else before
                last = {"n": n, "updatedExisting": bool(n)}
    except Exception as exc:
        raise to_command_error(exc) from exc
    if value is not None and fields:
        value = coll._copy_only_fields(value, fields, dict)
    return {"lastErrorObject": last, "value": value}


@command("count")
def count(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    refuse_collation(cmd)
    n = ctx.state.store.count(
        db,
        cmd["count"],
        bind_filter(cmd.get("query") or {}, {}),
        skip=int_option(cmd, "skip", 0) or 0,
        limit=abs(int_option(cmd, "limit", 0) or 0),
    )
    return {"n": n}


@command("distinct")
def distinct(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    refuse_collation(cmd)
    key = cmd.get("key")
    if not isinstance(key, str):
        raise CommandError(14, "distinct key must be a string")
    query = bind_filter(cmd.get("query") or {}, {})
    values = ctx.state.store.distinct(db, cmd["distinct"], key, query)
    return {"values": values}
