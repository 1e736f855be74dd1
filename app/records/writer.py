"""The single write path for pupil records.

Every change the app makes to a record goes through :func:`update_record` or
:func:`create_record`. They validate the input, recompute derived results, and write only the
paths that changed with one atomic ``find_one_and_update`` whose filter asserts the version that
was read and that the touched terms are not locked. Each write bumps ``version`` and stamps
``meta`` (actor, request id, reason, source), which is what the change log attributes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from beanie import PydanticObjectId
from beanie.odm.utils.dump import get_dict
from pydantic import ValidationError
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from app.context import SYSTEM_ACTOR, Actor
from app.errors import Conflict, Forbidden, InvalidInput, NotFound, TermLocked
from app.validation_vi import messages_by_field
from models.common import WriteMeta, WriteSource
from models.student import StudentRecord

from .compute import derive
from .diff import diff_paths
from .paths import LockScope, is_lock_path, lock_scopes, validate_value
from .stamp import resolve_actor, stamp_meta

UNSET: Any = object()  # pass as a value to remove the path
MAX_ATTEMPTS = 8
SYSTEM_PATHS = frozenset({"_id", "revision_id", "version", "meta"})


def _copied(node: Any) -> Any:
    if isinstance(node, dict):
        return dict(node)
    if isinstance(node, list):
        return list(node)
    return node


def _set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` in ``data``. Containers along the path are replaced by shallow copies
    first, so documents shared with ``data`` (the stored one, diffed afterwards) never change
    and nothing else needs copying."""
    parts = path.split(".")
    node: Any = data
    for part in parts[:-1]:
        if isinstance(node, list):
            index = int(part)
            child = node[index] = _copied(node[index])
        else:
            child = node.get(part, {})
            if child is None:
                raise InvalidInput(f"Chưa có dữ liệu cha cho «{path}»", field=path)
            child = node[part] = _copied(child)
        node = child
    last = parts[-1]
    if isinstance(node, list):
        index = int(last)
        if index > len(node):
            raise InvalidInput(f"Vị trí «{path}» vượt quá danh sách", field=path)
        if value is UNSET:
            if index < len(node):
                node.pop(index)
        elif index == len(node):
            node.append(value)
        else:
            node[index] = value
    elif value is UNSET:
        node.pop(last, None)
    else:
        node[last] = value


def _locked_scope(raw: dict[str, Any], scopes: set[LockScope]) -> LockScope | None:
    for scope in sorted(scopes, key=lambda s: (s.school_year, s.scope != "year")):
        lock = ((raw.get("years") or {}).get(scope.school_year) or {}).get("locks") or {}
        if (lock.get(scope.scope) or {}).get("locked"):
            return scope
    return None


def _parse(data: dict[str, Any]) -> StudentRecord:
    try:
        return StudentRecord.model_validate(data)
    except ValidationError as exc:
        path, message = next(iter(messages_by_field(exc).items()))
        raise InvalidInput(f"«{path}»: {message}", field=path) from exc


async def update_record(
    record_id: PydanticObjectId,
    changes: Mapping[str, Any],
    *,
    source: WriteSource,
    actor: Actor | None = None,
    reason: str | None = None,
    request_id: str | None = None,
    expected_version: int | None = None,
    allow_lock_paths: bool = False,
    in_scope: Callable[[dict[str, Any]], bool] | None = None,
    query_filter: dict[str, Any] | None = None,
) -> StudentRecord:
    """Apply ``changes`` (dotted path -> value, or UNSET) to one record atomically.

    ``query_filter`` (the writer's permission filter) is part of the atomic update, so the record
    must be in the writer's scope at the moment of writing; ``in_scope`` is asked about the
    record as it would be after the change, so nobody moves a pupil out of their own scope.
    """
    actor, request_id = resolve_actor(actor, request_id)
    validated = {p: v if v is UNSET else validate_value(p, v) for p, v in changes.items()}
    if not allow_lock_paths and any(is_lock_path(p) for p in validated):
        raise Forbidden("Khóa sổ chỉ được thay đổi qua quy trình phê duyệt")
    scopes = {s for path in validated for s in lock_scopes(path)}
    collection = StudentRecord.get_pymongo_collection()
    for _ in range(MAX_ATTEMPTS):
        raw = await collection.find_one({"_id": record_id})
        if raw is None:
            raise NotFound("Không tìm thấy hồ sơ học sinh")
        version = raw.get("version")
        if expected_version is not None and version != expected_version:
            raise Conflict("Hồ sơ vừa được người khác sửa; hãy tải lại trang rồi nhập lại")
        if not allow_lock_paths and (locked := _locked_scope(raw, scopes)) is not None:
            raise TermLocked(
                f"{locked.describe()} đã khóa sổ; muốn sửa cần có yêu cầu điều chỉnh được duyệt"
            )
        # The stored document with the changes applied, validated once (a full record holds
        # hundreds of scores: each validation costs milliseconds).
        data = dict(raw)
        for path, value in validated.items():
            _set_path(data, path, value)
        updated = _parse(data)
        derive(updated)
        new_raw = get_dict(updated, to_db=True)
        sets, unsets = diff_paths(raw, new_raw, ignore=SYSTEM_PATHS)
        # Fields the model does not know (written by other tools) are kept, not silently
        # dropped: only paths the caller asked to remove are unset.
        unsets = [
            u for u in unsets if any(_within(u, p) for p, v in validated.items() if v is UNSET)
        ]
        if not sets and not unsets:
            return updated  # what is stored: nothing to write
        if in_scope is not None and not in_scope(new_raw):
            raise Forbidden(
                "Thay đổi này sẽ đưa học sinh ra ngoài phạm vi bạn được quản lý nên không được lưu"
            )
        meta = stamp_meta(actor, reason, source, request_id)
        revision = uuid.uuid4()
        update: dict[str, Any] = {
            "$set": {**sets, "meta": _meta_dict(meta), "revision_id": revision},
            "$inc": {"version": 1},
        }
        if unsets:
            update["$unset"] = dict.fromkeys(unsets, "")
        query: dict[str, Any] = {"_id": record_id, "version": version}
        if query_filter:
            query = {"$and": [query, query_filter]}
        if not allow_lock_paths:
            guards = {
                f"years.{scope.school_year}.locks.{scope.scope}.locked": {"$ne": True}
                for scope in scopes
            }
            query = {"$and": [query, guards]} if guards else query
        try:
            result = await collection.find_one_and_update(
                query, update, return_document=ReturnDocument.AFTER
            )
        except DuplicateKeyError as exc:
            raise Conflict(_duplicate_message(exc)) from exc
        if result is not None:
            # Stored as computed here; only the bookkeeping the update added differs.
            updated.version = (version or 0) + 1
            updated.meta = meta
            updated.revision_id = revision
            return updated
        # Someone wrote in between (or locked the term): read again and re-check.
    raise Conflict("Hồ sơ đang được nhiều người sửa cùng lúc; vui lòng thử lại")


async def create_record(
    record: StudentRecord,
    *,
    source: WriteSource,
    actor: Actor | None = None,
    reason: str | None = None,
    request_id: str | None = None,
) -> StudentRecord:
    """Insert a new record as version 1 with its derived results computed."""
    actor, request_id = resolve_actor(actor, request_id)
    derive(record)
    record.version = 1
    record.meta = stamp_meta(actor, reason, source, request_id)
    try:
        await record.insert()
    except DuplicateKeyError as exc:
        raise Conflict(_duplicate_message(exc)) from exc
    return record


async def create_records(
    records: list[StudentRecord],
    *,
    source: WriteSource,
    actor: Actor | None = None,
    reason: str | None = None,
    request_id: str | None = None,
    derived: bool = False,
) -> None:
    """Insert many new records (imports, seeding) with the same stamping as ``create_record``.

    ``derived=True`` says the caller already recomputed each record's results.
    """
    if not records:
        return
    actor, request_id = resolve_actor(actor, request_id)
    for record in records:
        if not derived:
            derive(record)
        record.version = 1
        record.meta = stamp_meta(actor, reason, source, request_id)
        if record.id is None:
            record.id = PydanticObjectId()  # insert_many does not hand ids back to the objects
    try:
        await StudentRecord.insert_many(records)
    except DuplicateKeyError as exc:
        raise Conflict(_duplicate_message(exc)) from exc


async def delete_record(
    record_id: PydanticObjectId,
    *,
    source: WriteSource,
    actor: Actor | None = None,
    reason: str | None = None,
    request_id: str | None = None,
) -> None:
    """Delete a record, stamping who and why first so the change log can attribute the delete."""
    actor, request_id = resolve_actor(actor, request_id)
    collection = StudentRecord.get_pymongo_collection()
    meta = stamp_meta(actor, reason, source, request_id, intent="delete")
    stamped = await collection.find_one_and_update(
        {"_id": record_id},
        {"$set": {"meta": _meta_dict(meta), "revision_id": uuid.uuid4()}, "$inc": {"version": 1}},
    )
    if stamped is None:
        raise NotFound("Không tìm thấy hồ sơ học sinh")
    await collection.delete_one({"_id": record_id})


def _within(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + ".")


def _meta_dict(meta: WriteMeta) -> dict[str, Any]:
    return meta.model_dump(mode="python")


def _duplicate_message(exc: DuplicateKeyError) -> str:
    pattern = (exc.details or {}).get("keyPattern") or {}
    if "code" in pattern:
        return "Mã học sinh này đã có trong hệ thống"
    if "moet_id" in pattern:
        return "Mã định danh học sinh này đã có trong hệ thống"
    return "Dữ liệu bị trùng với một hồ sơ khác"


__all__ = ["SYSTEM_ACTOR", "UNSET", "create_record", "delete_record", "update_record"]
