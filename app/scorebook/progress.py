"""«Lớp của tôi»: every book a teacher keeps this year, with how far entry has got per term."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from app.records.diff import get_path
from app.store import Access, Found
from models.role import Action
from models.student_parts import TERM_LABELS

from .books import Book, BookKey, Row, lock_reason, year_fields
from .columns import BookTerm, Column, subject_of

TERMS: tuple[BookTerm, ...] = ("hk1", "hk2")

STATES = {
    "locked": "Đã khóa sổ",
    "complete": "Đã nhập đủ",
    "entering": "Đang nhập",
    "empty": "Chưa nhập",
}


@dataclass
class TermProgress:
    term: BookTerm
    entered: int
    expected: int
    locked: bool

    @property
    def label(self) -> str:
        return TERM_LABELS[self.term]

    @property
    def state(self) -> str:
        if self.locked:
            return "locked"
        if self.expected and self.entered >= self.expected:
            return "complete"
        return "entering" if self.entered else "empty"

    @property
    def state_label(self) -> str:
        return STATES[self.state]


@dataclass
class MyBook:
    key: BookKey
    name: str  # "Toán" or "Chủ nhiệm"
    pupils: int
    terms: list[TermProgress] = field(default_factory=list)


def subject_counts(stored: dict[str, Any], year: str, code: str, term: str) -> tuple[int, int]:
    """(entered, expected) assessment cells of one pupil's subject in one term."""
    subject = subject_of(code)
    grade = get_path(stored, f"years.{year}.grade")
    if subject is None or not isinstance(grade, int):
        return 0, 0
    count = subject.regular_count(grade)
    part = get_path(stored, f"years.{year}.subjects.{code}.{term}") or {}
    regular = sum(1 for v in (part.get("tx") or [])[:count] if v is not None)
    return regular + (part.get("gk") is not None) + (part.get("ck") is not None), count + 2


def subject_book(pupils: list[Found], key: BookKey) -> MyBook:
    assert key.subject is not None
    year, code = key.school_year, key.subject
    path = f"years.{year}.subjects.{code}"
    mine = [p for p in pupils if p.rules.touches(path) and get_path(p.stored, path) is not None]
    subject = subject_of(code)
    book = MyBook(key, subject.name if subject else code, len(mine))
    for term in TERMS:
        entered = expected = 0
        for pupil in mine:
            got, wanted = subject_counts(pupil.stored, year, code, term)
            entered, expected = entered + got, expected + wanted
        locked = bool(mine) and all(
            lock_reason(p.stored, f"{path}.{term}.gk") is not None for p in mine
        )
        book.terms.append(TermProgress(term, entered, expected, locked))
    return book


def homeroom_book(pupils: list[Found], key: BookKey) -> MyBook:
    year = key.school_year
    book = MyBook(key, "Chủ nhiệm", len(pupils))
    for term in TERMS:
        path = f"years.{year}.conduct.{term}"
        entered = sum(1 for p in pupils if get_path(p.stored, path) is not None)
        locked = bool(pupils) and all(lock_reason(p.stored, path) is not None for p in pupils)
        book.terms.append(TermProgress(term, entered, len(pupils), locked))
    return book


def assignments(access: Access) -> tuple[str | None, list[tuple[str, str]], list[str]]:
    """The current school year, the (class, subject) pairs taught, the homeroom classes."""
    ctx = access.principal.ctx
    return ctx.current_school_year, sorted(set(ctx.teaching)), sorted(set(ctx.homeroom_classes))


def has_books(access: Access) -> bool:
    year, teaching, homeroom = assignments(access)
    return year is not None and bool(teaching or homeroom) and access.can("students", Action.VIEW)


async def my_books(access: Access) -> list[MyBook]:
    """Subject books first (by class, then subject), then homeroom books."""
    year, teaching, homeroom = assignments(access)
    if year is None or not access.can("students", Action.VIEW):
        return []
    classes = sorted({c for c, _ in teaching} | set(homeroom))
    pupils = await _pupils(access, year, classes)
    books: list[MyBook] = []
    for class_name, code in teaching:
        key = BookKey("subject", year, class_name, "hk1", code)
        books.append(subject_book(pupils.get(class_name, []), key))
    for class_name in homeroom:
        key = BookKey("homeroom", year, class_name, "hk1")
        books.append(homeroom_book(pupils.get(class_name, []), key))
    return books


async def _pupils(access: Access, year: str, classes: Iterable[str]) -> dict[str, list[Found]]:
    wanted = list(classes)
    if not wanted:
        return {}
    # The school year only, as the books read it (not every year of each record).
    found = await access.students(Action.VIEW).find(
        {f"years.{year}.class_name": {"$in": wanted}}, only=year_fields(year)
    )
    grouped: dict[str, list[Found]] = {}
    for pupil in found:
        grouped.setdefault(str(get_path(pupil.stored, f"years.{year}.class_name")), []).append(
            pupil
        )
    return grouped


def required(key: BookKey, column: Column) -> bool:
    """Whether a cell of ``column`` must be entered for the book to be complete: the same
    cells the counts above measure (a subject's assessments TX, GK, CK of a term; the homeroom
    book's conduct of a term). Comments and the year view's cells are not required."""
    if key.term not in TERMS or not column.editable:
        return False
    if key.kind == "subject":
        return column.key in ("gk", "ck") or (column.key.startswith("tx") and column.kind == "mark")
    return column.key == "conduct"


def missing_cells(book: Book) -> list[tuple[Row, list[Column]]]:
    """Each pupil of ``book`` with the required cells still empty (pupils with none left out)."""
    wanted = [c for c in book.columns if required(book.key, c)]
    missing = []
    for row in book.rows:
        empty = [c for c in wanted if row.cells[c.key].raw in (None, "")]
        if empty:
            missing.append((row, empty))
    return missing
