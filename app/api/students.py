"""/api/v1/students: list, read and change pupil records within the caller's scope.

Out-of-scope records answer 404 (their existence is not revealed); fields the caller may not read
are left out of every answer; a change to a field the caller may not write is refused with 403.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from beanie import PydanticObjectId
from bson.decimal128 import Decimal128
from bson.errors import InvalidId
from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from app.api.search import name_pattern
from app.auth.deps import CurrentUser
from app.errors import Forbidden, NotFound
from app.permissions.engine import Action, scope_for, scoped_record, still_in_scope
from app.permissions.matcher import matches
from app.records.writer import update_record
from models.common import WriteSource
from models.student import StudentRecord

router = APIRouter(prefix="/api/v1/students", tags=["students"])
NOT_FOUND = "Không tìm thấy hồ sơ học sinh"


class StudentPage(BaseModel):
    total: int = Field(description="Số hồ sơ khớp điều kiện trong phạm vi của người gọi")
    page: int
    per_page: int
    items: list[dict[str, Any]]


class StudentChange(BaseModel):
    changes: dict[str, Any] = Field(
        min_length=1,
        description='Đường dẫn → giá trị, ví dụ {"years.2025-2026.subjects.TOAN.hk1.gk": "8,5"}',
    )
    reason: str | None = Field(default=None, max_length=500, description="Lý do thay đổi")
    expected_version: int | None = Field(
        default=None, ge=0, description="Phiên bản đã đọc; khác phiên bản hiện tại thì báo 409"
    )


def _oid(value: str) -> PydanticObjectId:
    try:
        return PydanticObjectId(value)
    except (InvalidId, TypeError) as exc:
        raise NotFound(NOT_FOUND) from exc


def _visible(scope: Any, raw: dict[str, Any]) -> dict[str, Any]:
    doc = scope.fields_for(raw, "read").filter_document(raw)
    doc["id"] = str(raw["_id"])
    doc.pop("_id", None)
    doc.pop("revision_id", None)
    # Scores are stored as Decimal128, which FastAPI cannot encode (every record with a score
    # answered 500); they go out as decimal strings ("8.5"), as pydantic writes Decimals.
    return jsonable_encoder(
        doc, custom_encoder={PydanticObjectId: str, Decimal128: lambda d: str(d.to_decimal())}
    )


@router.get("", response_model=StudentPage, summary="Danh sách hồ sơ trong phạm vi")
async def list_students(
    user: CurrentUser,
    q: Annotated[
        str | None, Query(max_length=100, description="Tên (không cần dấu) hoặc mã")
    ] = None,
    school_year: Annotated[str | None, Query(pattern=r"^\d{4}-\d{4}$")] = None,
    grade: Annotated[int | None, Query(ge=6, le=9)] = None,
    class_name: Annotated[str | None, Query(max_length=20)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> StudentPage:
    scope = await scope_for(user, "students", Action.VIEW)
    if not scope.allowed:
        return StudentPage(total=0, page=page, per_page=per_page, items=[])
    # Every filter value is matched as a literal: query operators cannot be injected.
    clauses: list[dict[str, Any]] = [scope.filter] if scope.filter else []
    if q and q.strip():
        key, raw = name_pattern(q), re.escape(q.strip())
        clauses.append(
            {"$or": [{"search_name": {"$regex": key}}, {"code": {"$regex": raw, "$options": "i"}}]}
        )
    for path, value in (
        ("current.school_year", school_year),
        ("current.grade", grade),
        ("current.class_name", class_name),
        ("status", status),
    ):
        if value is not None:
            clauses.append({path: {"$eq": value}})
    query = {"$and": clauses} if clauses else {}
    collection = StudentRecord.get_pymongo_collection()
    total = await collection.count_documents(query)
    cursor = collection.find(query).sort([("current.class_name", 1), ("code", 1)])
    items = [
        _visible(scope, raw) async for raw in cursor.skip((page - 1) * per_page).limit(per_page)
    ]
    return StudentPage(total=total, page=page, per_page=per_page, items=items)


async def _in_scope(user: Any, action: Action, record_id: PydanticObjectId) -> tuple[Any, dict]:
    scope, raw = await scoped_record(user, "students", action, record_id)
    if raw is None:
        # 404, not 403: don't reveal pupils outside the caller's classes.
        raise NotFound(NOT_FOUND)
    return scope, raw


@router.get("/{student_id}", summary="Một hồ sơ (chỉ các trường được xem)")
async def get_student(student_id: str, user: CurrentUser) -> dict[str, Any]:
    scope, raw = await _in_scope(user, Action.VIEW, _oid(student_id))
    return _visible(scope, raw)


@router.patch("/{student_id}", summary="Sửa các trường được phép sửa")
async def change_student(student_id: str, body: StudentChange, user: CurrentUser) -> dict:
    record_id = _oid(student_id)
    scope, raw = await _in_scope(user, Action.EDIT, record_id)
    writable = scope.fields_for(raw, "write")
    denied = sorted(path for path in body.changes if not writable.allows(path))
    if denied:
        raise Forbidden(f"Bạn không có quyền sửa: {', '.join(denied)}")
    await update_record(
        record_id,
        body.changes,
        source=WriteSource.API,
        reason=body.reason,
        expected_version=body.expected_version,
        in_scope=lambda new: matches(scope.filter, new),
        query_filter=scope.filter,
    )
    if not await still_in_scope(user, "students", Action.EDIT, record_id):
        raise Forbidden("Thay đổi đưa hồ sơ ra ngoài phạm vi của bạn")
    view_scope, fresh = await _in_scope(user, Action.VIEW, record_id)
    return _visible(view_scope, fresh)
