"""Progress of entry and of the approval chain, by grade, class, subject and teacher.

Cells come from the reader's snapshot; where each book stands in the chain comes from its
gradebook document (a book without one is still being entered). A book counts as submitted
once it reached «Đã nộp» or any later stage, checked once «Tổ chuyên môn đã kiểm tra» or later,
approved once «Ban giám hiệu đã duyệt» or «Đã khóa».
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from app.store import Access, Restricted
from models.role import Action
from models.workflow import STAGE_LABELS, Stage

from .kept import Kept, KeptReads, scope_key
from .snapshot import BookCells, Snapshot

SUBMITTED = {Stage.SUBMITTED, Stage.CHECKED, Stage.APPROVED, Stage.LOCKED}
CHECKED = {Stage.CHECKED, Stage.APPROVED, Stage.LOCKED}
APPROVED = {Stage.APPROVED, Stage.LOCKED}
HOMEROOM = "Chủ nhiệm (rèn luyện)"

BookKey = tuple[str, str | None, str]


def percent(part: int, whole: int) -> int:
    """Rounded down, so 100% means everything (39 of 40 shows 97%, never 100%)."""
    return 100 * part // whole if whole else 0


@dataclass
class Row:
    """One line of a progress table: a grade, class, subject or teacher."""

    key: str
    label: str
    entered: int = 0
    expected: int = 0
    books: int = 0
    submitted: int = 0
    checked: int = 0
    approved: int = 0
    link: dict[str, str] = field(default_factory=dict)

    @property
    def cells_percent(self) -> int:
        return percent(self.entered, self.expected)

    @property
    def submitted_percent(self) -> int:
        return percent(self.submitted, self.books)

    @property
    def checked_percent(self) -> int:
        return percent(self.checked, self.books)

    @property
    def approved_percent(self) -> int:
        return percent(self.approved, self.books)

    def add(self, book: BookCells, stage: Stage) -> None:
        self.entered += book.entered
        self.expected += book.expected
        self.books += 1
        self.submitted += stage in SUBMITTED
        self.checked += stage in CHECKED
        self.approved += stage in APPROVED


@dataclass
class BookState:
    """One book with where it stands."""

    cells: BookCells
    stage: Stage
    gradebook: dict[str, Any] | None
    teacher: str | None = field(init=False)

    def __post_init__(self) -> None:
        # The book's teacher: as the chain records it, else most of its pupils' subject teacher.
        self.teacher = (self.gradebook or {}).get("teacher") or self.cells.teacher

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS[self.stage]


@dataclass
class Progress:
    term: str
    total: Row
    grades: list[Row]
    classes: list[Row]
    subjects: list[Row]
    teachers: list[Row]
    stages_known: bool  # the reader may read the gradebooks


# What the dashboards read of a gradebook (not the versions it checked and approved).
BOOK_FIELDS = ("class_name", "kind", "subject", "term", "stage", "teacher", "steps")

_books: KeptReads[dict[BookKey, dict[str, Any]]] = KeptReads("gradebooks")


async def gradebooks(
    access: Access, school_year: str
) -> Kept[dict[BookKey, dict[str, Any]]] | None:
    """The year's gradebook documents the reader may read, by book (kept while unchanged);
    None without the grant."""
    if not access.handle("gradebooks", Action.VIEW).allowed:
        return None
    query = {"school_year": school_year}

    async def fresh(handle: Restricted) -> dict[BookKey, dict[str, Any]]:
        books: dict[BookKey, dict[str, Any]] = {}
        for item in await handle.find(query, only=BOOK_FIELDS):
            doc = item.visible
            subject = doc.get("subject") if doc.get("kind") == "subject" else None
            books[(str(doc.get("class_name")), subject, str(doc.get("term")))] = doc
        return books

    # Whether any of the reader's books changed, whatever their year (one count and one read
    # of the latest stamp over the whole collection, cheaper than over one year's books).
    key = scope_key(access, "gradebooks", school_year)
    return await _books.read(access, key, fresh)


def forget() -> None:
    """Drop every kept read of the gradebooks."""
    _books.forget()


def stage_of(doc: dict[str, Any] | None) -> Stage:
    try:
        return Stage(str(doc.get("stage"))) if doc else Stage.ENTERING
    except ValueError:
        return Stage.ENTERING


def book_states(
    snapshot: Snapshot, books: dict[BookKey, dict[str, Any]] | None, term: str
) -> list[BookState]:
    found = []
    for key in snapshot.ordered(term):
        doc = (books or {}).get(key)
        found.append(BookState(snapshot.books[key], stage_of(doc), doc))
    return found


def progress(
    states: Iterable[BookState],
    term: str,
    *,
    subject_names: dict[str, str],
    teacher_names: dict[str, str],
    stages_known: bool,
) -> Progress:
    states = list(states)
    total = Row("all", "Toàn bộ")
    for state in states:
        total.add(state.cells, state.stage)

    def grouped(key: Callable[[BookState], tuple[str, str]]) -> list[Row]:
        rows: dict[str, Row] = {}
        for state in states:
            code, label = key(state)
            row = rows.get(code)
            if row is None:
                row = rows[code] = Row(code, label)
            row.add(state.cells, state.stage)
        return [rows[k] for k in sorted(rows)]

    def subject(state: BookState) -> tuple[str, str]:
        code = state.cells.subject
        if code is None:
            return "~homeroom", HOMEROOM
        return code, subject_names.get(code, code)

    def teacher(state: BookState) -> tuple[str, str]:
        username = state.teacher
        if not username:
            return "~", "(chưa rõ giáo viên)"
        return username, teacher_names.get(username, username)

    grades = grouped(lambda s: (str(s.cells.grade), f"Khối {s.cells.grade}"))
    classes = grouped(lambda s: (s.cells.class_name, f"Lớp {s.cells.class_name}"))
    for row in classes:
        row.link = {"class": row.key}
    subjects = grouped(subject)
    teachers = grouped(teacher)
    teachers.sort(key=lambda r: (r.key == "~", r.label))
    return Progress(term, total, grades, classes, subjects, teachers, stages_known)
