"""Transfer in: a pupil's earlier school years read from the integration format (the file the
previous school exported), previewed, then written into the record book as one logged change.

The file is checked against the format's schema and mapped back through the same mapping
(``ministry``); each year is validated as a record's year, its averages recomputed by the
grading rules and compared with the file's, and a year the record already holds is refused.
The years are written closed (approved by the school that taught them): nobody edits them here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from app.clock import utcnow
from app.errors import Forbidden, InvalidInput
from app.records.compute import derive_year
from app.records.diff import get_path
from app.store import Access
from app.validation_vi import messages_by_field
from models.common import WriteSource
from models.exports import ExportKind
from models.labels import describe_path
from models.role import Action
from models.student_parts import Lock, SchoolYearRecord

from . import integration, ministry
from .journal import journal
from .sheet import mark

MAX_BYTES = 2_000_000
NO_IMPORT = "Bạn không có quyền nhập dữ liệu vào hồ sơ học sinh"
NO_PUPIL = (
    "Tệp có {count} học sinh nhưng không ai có mã định danh trùng với học sinh này; "
    "hãy dùng tệp chỉ gồm học sinh này hoặc bổ sung mã định danh"
)


@dataclass
class YearPreview:
    school_year: str
    grade: int | None
    class_name: str
    subjects: int
    problems: list[str] = field(default_factory=list)
    year: SchoolYearRecord | None = None

    @property
    def importable(self) -> bool:
        return not self.problems and self.year is not None


@dataclass
class TransferPreview:
    school: str
    pupil: dict[str, Any]  # identity as the file states it (name, birth date, national id)
    years: list[YearPreview]

    @property
    def importable(self) -> list[YearPreview]:
        return [y for y in self.years if y.importable]


def read_transfer(data: bytes, record: Mapping[str, Any]) -> TransferPreview:
    """What a file would add to ``record`` (the pupil's record as stored); nothing written."""
    if len(data) > MAX_BYTES:
        raise InvalidInput("Tệp quá lớn (tối đa 2 MB cho một học sinh)")
    if not data.strip():
        raise InvalidInput("Hãy chọn tệp JSON do trường cũ xuất ra")
    document = integration.read_json(data)
    entry = _pupil_entry(document[ministry.PUPILS], record)
    existing = set(record.get("years") or {})
    current = (record.get("current") or {}).get("school_year")
    years = [_year(item, existing, current) for item in entry.get(ministry.YEARS) or []]
    if not years:
        raise InvalidInput("Tệp không có năm học nào của học sinh này")
    return TransferPreview(
        school=str(document[ministry.HEADER["school"]]),
        pupil=ministry.profile_from_entry(entry),
        years=years,
    )


def _pupil_entry(pupils: list[dict[str, Any]], record: Mapping[str, Any]) -> dict[str, Any]:
    national = record.get("moet_id")
    if national:
        same = [p for p in pupils if p.get("MaDinhDanh") == national]
        if same:
            return same[0]
    if len(pupils) == 1:
        return pupils[0]
    raise InvalidInput(NO_PUPIL.format(count=len(pupils)))


def _year(entry: Mapping[str, Any], existing: set[str], current: str | None) -> YearPreview:
    key = str(entry[ministry.YEAR_KEY])
    preview = YearPreview(
        school_year=key,
        grade=entry.get("KhoiLop"),
        class_name=str(entry.get("TenLop") or ""),
        subjects=len(entry.get(ministry.SUBJECTS) or []),
    )
    if key in existing:
        preview.problems.append(f"Năm học {key} đã có trong học bạ: không nhập đè")
        return preview
    if current and key >= current:
        preview.problems.append(f"Chỉ nhập các năm học trước năm học hiện tại ({current})")
        return preview
    try:
        year = SchoolYearRecord.model_validate(ministry.year_from_entry(entry))
    except ValidationError as exc:
        for path, message in list(messages_by_field(exc).items())[:5]:
            where = describe_path("students", f"years.{key}.{path}")
            preview.problems.append(f"«{where}»: {message}")
        return preview
    derive_year(year)
    stated = ministry.derived_values(entry)
    computed = year.model_dump()
    for path, value in stated.items():
        ours = get_path(computed, path)
        if _differs(value, ours):
            where = describe_path("students", f"years.{key}.{path}")
            preview.problems.append(
                f"«{where}» trong tệp là {mark(value)}, tính lại từ các điểm được "
                f"{mark(ours) or '(trống)'}"
            )
    preview.year = year
    return preview


def _differs(stated: Any, computed: Any) -> bool:
    if isinstance(stated, Decimal) or isinstance(computed, Decimal):
        return stated is None or computed is None or Decimal(stated) != Decimal(computed)
    return bool(stated != computed)


async def apply_transfer(access: Access, record_id: str, data: bytes) -> list[str]:
    """Write the importable years of ``data`` (read and checked again, never trusted from a
    preview) as one logged change; the school years written. Refused when nothing in the
    file can be imported or when the user has no import right on this pupil."""
    handle = access.handle("students", Action.IMPORT)
    if not handle.allowed or not access.can("students", Action.IMPORT):
        raise Forbidden(NO_IMPORT)
    found = await handle.get_or_404(record_id, "Không tìm thấy hồ sơ học sinh")
    preview = read_transfer(data, found.stored)
    years = preview.importable
    if not years:
        raise InvalidInput("Không có năm học nào nhập được từ tệp này")
    closed = Lock(locked=True, by=f"Chuyển đến từ {preview.school}"[:200], at=utcnow())
    changes: dict[str, Any] = {}
    for item in years:
        assert item.year is not None
        item.year.locks.year = closed
        changes[f"years.{item.school_year}"] = item.year
    keys = [y.school_year for y in years]
    reason = f"Học sinh chuyển đến từ {preview.school}: nhập năm học {', '.join(keys)}"
    writer = access.writer("students", Action.IMPORT, source=WriteSource.IMPORT, reason=reason)
    await writer.update(
        found.id,
        changes,
        expected_version=found.stored.get("version"),
        allow_lock_paths=True,
    )
    await journal(
        access,
        ExportKind.TRANSFER_IN,
        file_format="json",
        file_name="",
        description=reason,
        pupil_codes=[str(found.stored.get("code") or "")],
    )
    return keys
