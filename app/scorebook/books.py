"""Assemble a book page: the class's pupils in class-list order, each cell's value, whether
the reader may write it, and why not (a locked term, a field rule)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from app.errors import NotFound
from app.grading import Subject
from app.permissions.fields import FieldRules
from app.records.diff import get_path
from app.records.paths import lock_scopes
from app.store import Access, Found
from app.store.policies import lock_refusal, locked_scope
from models.role import Action
from models.student_parts import TERM_LABELS

from .columns import (
    BOOK_TERMS,
    BookTerm,
    Column,
    display,
    entry_forms,
    homeroom_columns,
    raw_value,
    subject_columns,
    subject_of,
)
from .names import class_list_key

BookKind = Literal["subject", "homeroom"]
NO_SUCH_BOOK = "Không tìm thấy sổ này hoặc bạn không được giao sổ này"
READ_ONLY_PREVIEW = "Đang xem thử như người dùng khác: chỉ đọc"
NOT_YOURS = "Bạn không có quyền sửa ô này"


@dataclass(frozen=True)
class BookKey:
    kind: BookKind
    school_year: str
    class_name: str
    term: BookTerm
    subject: str | None = None  # subject books only

    @property
    def title(self) -> str:
        what = "Sổ chủ nhiệm" if self.kind == "homeroom" else "Sổ điểm môn học"
        return f"{what} lớp {self.class_name}"

    @property
    def term_label(self) -> str:
        return f"{TERM_LABELS[self.term]}, năm học {self.school_year}"


@dataclass
class Cell:
    display: str
    raw: Any
    writable: bool


@dataclass
class EntryList:
    """A pupil's awards or discipline in a homeroom book: edited as a list, in a dialog."""

    items: list[dict[str, str]]
    writable: bool
    closed: str | None = None  # why it is read-only (the year is locked), if it is


@dataclass
class Row:
    id: str
    code: str
    name: str
    version: int
    cells: dict[str, Cell]
    locked: str | None = None  # why the row is read-only (a closed term), if it is
    pending: list[str] = field(default_factory=list)
    lists: dict[str, EntryList] = field(default_factory=dict)  # column key -> its list


@dataclass
class Book:
    key: BookKey
    columns: list[Column]
    rows: list[Row]
    subject: Subject | None = None
    locked: str | None = None  # the reason when every row is locked
    read_only: str | None = None  # why nothing can be written (preview, no edit grant)
    pupils: list[Found] = field(default_factory=list, repr=False)  # as read, in row order

    @property
    def writable(self) -> bool:
        return any(c.writable for r in self.rows for c in r.cells.values()) or any(
            entries.writable for r in self.rows for entries in r.lists.values()
        )


def book_query(key: BookKey) -> dict[str, Any]:
    """The pupils of a class in a year (a pupil's year record names the class)."""
    # The subject is checked on the documents found (``in_book``): a subject teacher reads
    # their subject only where it is theirs, which a query condition cannot express.
    return {f"years.{key.school_year}.class_name": key.class_name}


def book_fields(key: BookKey) -> list[str]:
    """What a book reads of each pupil: who they are and the book's school year."""
    return year_fields(key.school_year)


def year_fields(school_year: str) -> list[str]:
    """What the books of a school year read of each pupil: who they are and that year."""
    return ["code", "profile.full_name", "current", "version", f"years.{school_year}"]


def in_book(found: Found, key: BookKey) -> bool:
    """Whether a pupil of the class takes the book's subject, readable by this reader."""
    if key.kind != "subject":
        return True
    path = f"years.{key.school_year}.subjects.{key.subject}"
    return found.rules.touches(path) and get_path(found.stored, path) is not None


def check_key(key: BookKey) -> Subject | None:
    if key.term not in BOOK_TERMS or (
        key.kind == "subject" and subject_of(key.subject or "") is None
    ):
        raise NotFound(NO_SUCH_BOOK)
    return subject_of(key.subject or "") if key.kind == "subject" else None


async def find_pupils(access: Access, key: BookKey) -> list[Found]:
    """The book's pupils the reader may see, in class-list order."""
    found = await access.students(Action.VIEW).find(book_query(key), only=book_fields(key))
    return sorted((f for f in found if in_book(f, key)), key=lambda f: class_list_key(_name(f)))


def _name(found: Found) -> str:
    return str(get_path(found.stored, "profile.full_name") or "")


def lock_reason(stored: dict[str, Any], path: str) -> str | None:
    """Why a cell is closed to entry (its term or year is locked: the write path's own lock
    rule), or None."""
    locked = locked_scope(stored, set(lock_scopes(path)))
    return lock_refusal(locked, stored) if locked is not None else None


def columns_for(key: BookKey, subject: Subject | None, grade: int) -> list[Column]:
    if key.kind == "homeroom":
        return homeroom_columns(key.term)
    assert subject is not None
    return subject_columns(subject, grade, key.term)


def book_grade(found: list[Found], key: BookKey) -> int:
    grades = [get_path(f.stored, f"years.{key.school_year}.grade") for f in found]
    known = [g for g in grades if isinstance(g, int)]
    if known:
        return known[0]
    digits = "".join(ch for ch in key.class_name if ch.isdigit())[:1]
    return int(digits) if digits in {"6", "7", "8", "9"} else 6


async def load_book(access: Access, key: BookKey) -> Book:
    subject = check_key(key)
    if key.kind == "homeroom" and not access.students(Action.VIEW).allowed:
        raise NotFound(NO_SUCH_BOOK)
    found = await find_pupils(access, key)
    if not found:
        raise NotFound(NO_SUCH_BOOK)
    columns = columns_for(key, subject, book_grade(found, key))
    year = key.school_year
    if not any(f.rules.allows(c.full_path(year)) for f in found for c in columns):
        raise NotFound(NO_SUCH_BOOK)  # nothing of this book is the reader's to see
    edit = access.scope("students", Action.EDIT)
    read_only = READ_ONLY_PREVIEW if access.read_only else None
    rows = [
        _row(f, key, columns, None if read_only else edit.fields_for(f.stored, "write"))
        for f in found
    ]
    locks = {r.locked for r in rows}
    locked = next(iter(locks)) if len(locks) == 1 and None not in locks else None
    return Book(key, columns, rows, subject, locked, read_only, found)


def _row(found: Found, key: BookKey, columns: list[Column], writable: FieldRules | None) -> Row:
    stored = found.stored
    year = key.school_year
    locked: str | None = None
    cells: dict[str, Cell] = {}
    lists: dict[str, EntryList] = {}
    for column in columns:
        path = column.full_path(year)
        value = get_path(stored, path) if found.rules.allows(path) else None
        closed = lock_reason(stored, path) if column.editable else None
        locked = locked or closed
        may_write = (
            column.editable and closed is None and writable is not None and writable.allows(path)
        )
        cells[column.key] = Cell(display(column, value), raw_value(value), may_write)
        if column.kind == "entries":
            shut = lock_reason(stored, path)
            open_to_me = shut is None and writable is not None and writable.allows(path)
            lists[column.key] = EntryList(entry_forms(column.key, value), open_to_me, shut)
    pending = (
        get_path(stored, f"years.{year}.pending")
        if found.rules.allows(f"years.{year}.pending")
        else None
    )
    return Row(
        id=str(found.id),
        code=str(stored.get("code") or ""),
        name=_name(found),
        version=int(stored.get("version") or 0),
        cells=cells,
        locked=locked,
        pending=list(pending or []),
        lists=lists,
    )
