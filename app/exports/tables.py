"""Spreadsheet exports: the pupil list as CSV (UTF-8 with BOM, so Excel reads Vietnamese) and
a workbook of class results with one sheet per class."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from itertools import groupby
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.grading import catalogue
from app.permissions.fields import FieldRules

from .sheet import PERIOD_LABELS, day, pupil_sheet

BOM = "\ufeff"
Getter = Callable[[Mapping[str, Any]], str]


def _at(record: Mapping[str, Any], path: str) -> Any:
    node: Any = record
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


# Column label, the stored path its read rule is checked on, and how the cell is written.
LIST_COLUMNS: tuple[tuple[str, str, Getter], ...] = (
    ("Mã học sinh", "code", lambda r: str(r.get("code") or "")),
    ("Mã định danh", "moet_id", lambda r: str(r.get("moet_id") or "")),
    ("Họ và tên", "profile.full_name", lambda r: pupil_sheet(r).full_name),
    ("Giới tính", "profile.sex", lambda r: pupil_sheet(r).sex),
    ("Ngày sinh", "profile.birth_date", lambda r: day(_at(r, "profile.birth_date"))),
    ("Nơi sinh", "profile.birth_place", lambda r: str(_at(r, "profile.birth_place") or "")),
    ("Dân tộc", "profile.ethnicity", lambda r: str(_at(r, "profile.ethnicity") or "")),
    ("Quốc tịch", "profile.nationality", lambda r: str(_at(r, "profile.nationality") or "")),
    ("Nơi thường trú", "profile.address", lambda r: str(_at(r, "profile.address") or "")),
    ("Năm học", "current.school_year", lambda r: str(_at(r, "current.school_year") or "")),
    ("Khối", "current.grade", lambda r: str(_at(r, "current.grade") or "")),
    ("Lớp", "current.class_name", lambda r: str(_at(r, "current.class_name") or "")),
    ("Tình trạng", "status", lambda r: pupil_sheet(r).status),
)


def pupil_list_csv(records: Sequence[Mapping[str, Any]], readable: FieldRules) -> bytes:
    """The pupils as CSV: a column only where the exporter may read that field at all, a cell
    only where they may read it in that row (``records`` are already reduced to that)."""
    columns = [c for c in LIST_COLUMNS if readable.may_reach(c[1])]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label for label, _, _ in columns])
    for record in records:
        writer.writerow([_safe(get(record)) for _, _, get in columns])
    return (BOM + out.getvalue()).encode("utf-8")


def _safe(value: str) -> str:
    """A cell a spreadsheet would run as a formula is written as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


# -- workbook of class results ----------------------------------------------------------------
def results_workbook(
    records: Sequence[Mapping[str, Any]], *, school_year: str, period: str, school: str
) -> bytes:
    """One sheet per class of ``school_year``: each pupil's result per subject for ``period``,
    conduct, learning result, title and absences (records approved and readable)."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    names = {code: s.name for code, s in catalogue().items()}
    rows = sorted(
        (pupil_sheet(r) for r in records if school_year in (r.get("years") or {})),
        key=lambda p: (_class_of(p, school_year), p.full_name, p.code),
    )
    for class_name, pupils in groupby(rows, key=lambda p: _class_of(p, school_year)):
        _class_sheet(book, class_name, list(pupils), school_year, period, school, names)
    if not book.worksheets:
        sheet = book.create_sheet("Không có dữ liệu")
        sheet["A1"] = f"Không có học sinh nào của năm học {school_year} trong phạm vi được xuất"
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _class_of(pupil: Any, school_year: str) -> str:
    year = pupil.year(school_year)
    return year.class_name if year is not None else ""


def _class_sheet(
    book: Workbook,
    class_name: str,
    pupils: list[Any],
    school_year: str,
    period: str,
    school: str,
    names: Mapping[str, str],
) -> None:
    sheet = book.create_sheet(_sheet_title(class_name or "Chưa xếp lớp"))
    years = [p.year(school_year) for p in pupils]
    codes = [c for c in names if any(c in {s.code for s in y.subjects} for y in years if y)]
    codes += sorted({s.code for y in years if y for s in y.subjects} - set(codes))
    sheet["A1"] = school
    sheet["A2"] = (
        f"Kết quả học tập lớp {class_name} - {PERIOD_LABELS[period]} - năm học {school_year}"
    )
    sheet["A2"].font = Font(bold=True, size=13)
    header = ["STT", "Mã học sinh", "Họ và tên"]
    header += [names.get(c, c) for c in codes]
    header += ["Rèn luyện", "Học tập", "Danh hiệu", "Nghỉ có phép", "Nghỉ không phép"]
    sheet.append([])
    sheet.append(header)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    for index, (pupil, year) in enumerate(zip(pupils, years, strict=True), start=1):
        by_code = {s.code: s for s in year.subjects} if year else {}
        excused, unexcused = year.absences.get(period, (0, 0)) if year else (0, 0)
        sheet.append(
            [index, pupil.code, pupil.full_name]
            + [by_code[c].period(period) if c in by_code else "" for c in codes]
            + [
                year.conduct.get(period, "") if year else "",
                year.learning.get(period, "") if year else "",
                (year.title if year and period == "year" else ""),
                excused,
                unexcused,
            ]
        )
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 28
    for column in range(4, len(header) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 11
    sheet.freeze_panes = "D5"


def _sheet_title(name: str) -> str:
    """A valid sheet title (Excel refuses []:*?/\\ and more than 31 characters)."""
    cleaned = "".join("-" if ch in "[]:*?/\\" else ch for ch in name)
    return cleaned[:31] or "Lớp"
