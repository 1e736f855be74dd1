"""/api/v1/students: list, read and change pupil records within the caller's scope.

Out-of-scope records answer 404 (their existence is not revealed); fields the caller may not read
are left out of every answer; a change to a field the caller may not write is refused with 403.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from bson import ObjectId
from bson.decimal128 import Decimal128
from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from app.auth.deps import CurrentAccess
from app.store import Found
from models.common import WriteSource
from models.role import Action
from models.search import name_pattern

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


def _visible(found: Found) -> dict[str, Any]:
    doc = found.visible
    doc["id"] = str(found.stored["_id"])
    doc.pop("_id", None)
    doc.pop("revision_id", None)
    # Scores are stored as Decimal128, which FastAPI cannot encode (every record with a score
    # answered 500); they go out as decimal strings ("8.5"), as pydantic writes Decimals.
    encoded: dict[str, Any] = jsonable_encoder(
        doc, custom_encoder={ObjectId: str, Decimal128: lambda d: str(d.to_decimal())}
    )
    return encoded


@router.get("", response_model=StudentPage, summary="Danh sách hồ sơ trong phạm vi")
async def list_students(
    access: CurrentAccess,
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
    pupils = access.students(Action.VIEW)
    # Every filter value is matched as a literal: query operators cannot be injected; the
    # door limits each clause to the rows where the caller may read that field.
    clauses: list[dict[str, Any]] = []
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
    total = await pupils.count(query)
    found = await pupils.find(
        query,
        sort=[("current.class_name", 1), ("code", 1)],
        skip=(page - 1) * per_page,
        limit=per_page,
    )
    return StudentPage(
        total=total, page=page, per_page=per_page, items=[_visible(f) for f in found]
    )


@router.get("/{student_id}", summary="Một hồ sơ (chỉ các trường được xem)")
async def get_student(student_id: str, access: CurrentAccess) -> dict[str, Any]:
    return _visible(await access.students(Action.VIEW).get_or_404(student_id, NOT_FOUND))


@router.patch("/{student_id}", summary="Sửa các trường được phép sửa")
async def change_student(
    student_id: str, body: StudentChange, access: CurrentAccess
) -> dict[str, Any]:
    writer = access.writer("students", Action.EDIT, source=WriteSource.API, reason=body.reason)
    stored = await writer.update_stored(
        student_id, body.changes, expected_version=body.expected_version
    )
    return _visible(await access.students(Action.VIEW).found(stored))
