"""A book as an Excel sheet, and a filled sheet read back as the changes it makes.

The sheet carries the school, class, subject and term in its header, one row per pupil (by
pupil code) and one column per book column; cells the user may not write are protected. A
hidden row names the book and its columns, so an upload is matched to the book it came from.
Reading checks every cell with the same parser as the grid and reports each problem with its
row and column.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter

from .books import Book, BookKey, Row
from .columns import Column, display, parse_cell
from .save import Edit

MARKER = "hocba-so"
FIRST_COLUMN = 4  # STT, Mã học sinh, Họ và tên, then the book's columns
KEYS_ROW = 5  # hidden: the book and its column keys
HEADER_ROW = 6
FIRST_ROW = 7
MAX_ROWS = 500
READ_ONLY_FILL = PatternFill("solid", fgColor="EEEEEE")
NOT_A_BOOK = (
    "Tệp này không phải sổ điểm tải về từ hệ thống (hoặc đã bị sửa phần đầu trang); "
    "hãy tải lại mẫu từ trang sổ rồi nhập vào đó"
)
OTHER_BOOK = "Tệp này là của một sổ khác ({found}); hãy tải lên ở đúng sổ"
NOT_XLSX = "Không đọc được tệp: cần tệp Excel .xlsx tải về từ trang sổ"


def book_tag(key: BookKey) -> str:
    return "|".join(
        (MARKER, key.kind, key.school_year, key.class_name, key.subject or "", key.term)
    )


def export_book(book: Book, school: str, title: str) -> bytes:
    """The book as an .xlsx file."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sổ điểm" if book.key.kind == "subject" else "Sổ chủ nhiệm"
    sheet["A1"] = school
    sheet["A2"] = title
    sheet["A3"] = book.key.term_label
    sheet["A1"].font = Font(bold=True)
    sheet["A2"].font = Font(bold=True, size=14)
    sheet["A4"] = (
        "Chỉ nhập vào các ô trắng; ô xám là ô chỉ xem (kết quả tính tự động, đã khóa sổ "
        "hoặc không thuộc quyền của bạn)."
    )
    sheet["A4"].font = Font(italic=True, color="555555")
    sheet.cell(KEYS_ROW, 1, book_tag(book.key))
    for offset, column in enumerate(book.columns):
        sheet.cell(KEYS_ROW, FIRST_COLUMN + offset, column.key)
    sheet.row_dimensions[KEYS_ROW].hidden = True
    headers = ["STT", "Mã học sinh", "Họ và tên", *(c.label for c in book.columns)]
    for index, text in enumerate(headers, start=1):
        cell = sheet.cell(HEADER_ROW, index, text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for number, row in enumerate(book.rows, start=1):
        line = FIRST_ROW + number - 1
        sheet.cell(line, 1, number)
        sheet.cell(line, 2, row.code)
        sheet.cell(line, 3, row.name)
        for offset, column in enumerate(book.columns):
            cell = sheet.cell(line, FIRST_COLUMN + offset, _excel_value(column, row))
            if row.cells[column.key].writable:
                cell.protection = Protection(locked=False)
            else:
                cell.fill = READ_ONLY_FILL
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 28
    for offset, column in enumerate(book.columns):
        width = 40 if column.wide else 9
        sheet.column_dimensions[get_column_letter(FIRST_COLUMN + offset)].width = width
    sheet.freeze_panes = sheet.cell(FIRST_ROW, FIRST_COLUMN)
    sheet.protection.sheet = True  # only the unlocked (writable) cells take input
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _excel_value(column: Column, row: Row) -> Any:
    cell = row.cells[column.key]
    raw = cell.raw
    if column.kind in ("mark", "computed") and isinstance(raw, str):
        try:
            number = Decimal(raw)
        except InvalidOperation:
            return cell.display
        return int(number) if number == number.to_integral() else float(number)
    if column.kind == "count" and isinstance(raw, int):
        return raw
    return cell.display or None


@dataclass
class Change:
    line: int  # the sheet's row number
    pupil: str
    column: str  # the column's header
    old: str
    new: str


@dataclass
class Problem:
    line: int | None
    where: str  # "cột E (GK)" or ""
    message: str


@dataclass
class Upload:
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    bad_rows: set[str] = field(default_factory=set)  # record ids with a problem

    def valid_edits(self) -> list[Edit]:
        return [e for e in self.edits if e.record_id not in self.bad_rows]


def _text(value: Any) -> str:
    """A cell as typed: numbers without a spurious ".0", text trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
        return format(number.normalize(), "f") if number == number.to_integral() else repr(value)
    return str(value).strip()


def read_upload(book: Book, data: bytes) -> Upload:
    """What a filled sheet would change in ``book``, and every problem found in it."""
    upload = Upload()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        upload.problems.append(Problem(None, "", NOT_XLSX))
        return upload
    sheet = workbook.worksheets[0]
    lines = list(sheet.iter_rows(min_row=1, max_row=FIRST_ROW + MAX_ROWS, values_only=True))
    workbook.close()
    keys = list(lines[KEYS_ROW - 1]) if len(lines) >= KEYS_ROW else []
    tag = str(keys[0] or "") if keys else ""
    if not tag.startswith(MARKER + "|"):
        upload.problems.append(Problem(None, "", NOT_A_BOOK))
        return upload
    if tag != book_tag(book.key):
        found = " ".join(p for p in tag.split("|")[1:] if p)
        upload.problems.append(Problem(None, "", OTHER_BOOK.format(found=found)))
        return upload
    by_key = {c.key: c for c in book.columns}
    positions = {
        index: by_key[str(k)]
        for index, k in enumerate(keys)
        if index >= FIRST_COLUMN - 1 and str(k) in by_key
    }
    rows = {r.code: r for r in book.rows}
    seen_codes: set[str] = set()
    for line_no, values in enumerate(lines[FIRST_ROW - 1 :], start=FIRST_ROW):
        code = _text(values[1] if len(values) > 1 else None)
        if not code and not any(v not in (None, "") for v in values):
            continue  # an empty line
        row = rows.get(code)
        if row is None:
            message = f"Không có học sinh mã «{code}» trong sổ này" if code else "Thiếu mã học sinh"
            upload.problems.append(Problem(line_no, "cột B (Mã học sinh)", message))
            continue
        if code in seen_codes:
            upload.problems.append(
                Problem(line_no, "cột B (Mã học sinh)", f"Học sinh mã «{code}» xuất hiện hai lần")
            )
            upload.bad_rows.add(row.id)
            continue
        seen_codes.add(code)
        for index, column in positions.items():
            _read_cell(upload, book, row, column, line_no, index, values)
    return upload


def _read_cell(
    upload: Upload,
    book: Book,
    row: Row,
    column: Column,
    line_no: int,
    index: int,
    values: tuple[Any, ...],
) -> None:
    typed = _text(values[index] if index < len(values) else None)
    cell = row.cells[column.key]
    if typed == cell.display or not column.editable:
        return  # unchanged (computed columns are shown, never read)
    where = f"cột {get_column_letter(index + 1)} ({column.label})"
    parsed = parse_cell(column, typed, book.key.school_year, book.subject)
    if parsed.error is None and _same(parsed.value, cell.raw):
        return  # the same value written differently ("8.50" for 8,5)
    if not cell.writable:
        why = row.locked or "bạn không có quyền sửa ô này"
        upload.problems.append(Problem(line_no, where, f"Ô chỉ xem: {why}"))
        upload.bad_rows.add(row.id)
        return
    if parsed.error is not None:
        upload.problems.append(Problem(line_no, where, parsed.error))
        upload.bad_rows.add(row.id)
        return
    # The new value as the book will show it ("2,5" for a number typed as 2.5).
    shown = display(column, parsed.value) if parsed.value is not None else typed
    upload.changes.append(Change(line_no, row.name, column.label, cell.display, shown))
    upload.edits.append(Edit(row.id, column.key, typed, cell.raw))


def _same(value: Any, raw: Any) -> bool:
    if value is None or raw is None:
        return value in (None, 0) and raw in (None, 0, "")
    if isinstance(value, Decimal):
        try:
            return value == Decimal(str(raw))
        except InvalidOperation:
            return False
    return bool(value == raw)
