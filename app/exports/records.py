"""The pupils an export holds: found through the door with the export scope, reduced to what
has been approved and to what the exporter may read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.errors import Forbidden
from app.records.approved import approved_view
from app.store import Access, Found
from app.store.directory import staff_names
from models.role import Action

from .sheet import PupilSheet, pupil_sheet

NOT_ALLOWED = "Bạn không có quyền xuất hồ sơ học sinh"
BY_ID = (("_id", 1),)
PAGE = 500


def official(found: Found) -> dict[str, Any]:
    """What of one record an official document shows: approved (judged on the whole stored
    record, locks included), then only the fields the reader may read."""
    return found.rules.filter_document(approved_view(found.stored))


async def exported(
    access: Access, query: Mapping[str, Any], *, only: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Every pupil matching ``query`` in the user's export scope, in code order. A whole
    school is read in pages along the id index, so no single query holds the database for
    long and nothing is sorted there."""
    handle = access.handle("students", Action.EXPORT)
    if not handle.allowed:
        raise Forbidden(NOT_ALLOWED)
    records: list[dict[str, Any]] = []
    after: Any = None
    while True:
        page = {"$and": [dict(query), {"_id": {"$gt": after}}]} if after is not None else query
        found = await handle.find(page, sort=BY_ID, limit=PAGE, only=only)
        records += [official(f) for f in found]
        if len(found) < PAGE:
            break
        after = found[-1].id
    return sorted(records, key=lambda r: str(r.get("code") or ""))


async def exported_found(access: Access, record_id: str) -> Found:
    """One pupil in the user's export scope (404 outside it), as stored and readable."""
    handle = access.handle("students", Action.EXPORT)
    if not handle.allowed:
        raise Forbidden(NOT_ALLOWED)
    return await handle.get_or_404(record_id, "Không tìm thấy hồ sơ học sinh")


async def exported_one(access: Access, record_id: str) -> dict[str, Any]:
    """One pupil in the user's export scope (404 outside it): approved and readable."""
    return official(await exported_found(access, record_id))


def class_query(school_year: str, class_name: str) -> dict[str, Any]:
    """The pupils who were in ``class_name`` in ``school_year`` (whatever their class now)."""
    return {f"years.{school_year}.class_name": class_name}


async def sheets(records: Sequence[Mapping[str, Any]]) -> list[PupilSheet]:
    """The printable shape of each record, teachers named by their full names."""
    teachers = {
        str(year.get("homeroom_teacher"))
        for record in records
        for year in (record.get("years") or {}).values()
        if isinstance(year, Mapping) and year.get("homeroom_teacher")
    }
    names = await staff_names(teachers)
    return [pupil_sheet(r, names) for r in records]
