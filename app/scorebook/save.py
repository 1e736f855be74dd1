"""Save a book's changed cells: one batch through the write path, an answer per cell.

Each pupil's cells are written atomically (version, lock and scope guards), with the values
the page showed as ``seen``: a cell someone else changed since is a conflict (their value, who,
when), never overwritten. A pupil's other cells are still saved, each answer explicit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.clock import format_datetime
from app.grading import Subject
from app.records.diff import get_path
from app.store import Access, Found
from app.store.writes import CONFLICT, REFUSED, WOULD_SAVE, BatchItem, Outcome
from models.common import WriteSource
from models.role import Action

from .books import READ_ONLY_PREVIEW, BookKey, book_grade, check_key, columns_for
from .columns import Column, display, raw_value
from .kept import KEPT, keep_written
from .live import NOT_IN_BOOK, book_read, parse_row, pupils_in_book

SAVED = "saved"
REASONS = {"subject": "Nhập điểm trên sổ điểm môn học", "homeroom": "Nhập trên sổ chủ nhiệm"}
NO_EDIT = "Bạn không có quyền sửa sổ này"
RETRY = "Hồ sơ vừa được người khác sửa cùng lúc; hãy bấm Lưu lại"


@dataclass(frozen=True)
class Edit:
    record_id: str
    column: str
    text: str
    seen: Any = None  # the value the page showed (as the page received it)


@dataclass
class CellAnswer:
    record_id: str
    column: str
    status: str  # saved | refused | conflict
    message: str | None = None
    display: str = ""  # saved: the stored value as shown; conflict: their value
    raw: Any = None  # the stored value (the page's new "seen")
    by: str | None = None  # conflict: who changed it
    at: str | None = None  # conflict: when


@dataclass
class SaveAnswer:
    cells: list[CellAnswer] = field(default_factory=list)
    # record id -> column key -> (shown, raw): the row as stored after the save
    rows: dict[str, dict[str, tuple[str, Any]]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        counted = {SAVED: 0, REFUSED: 0, CONFLICT: 0}
        for cell in self.cells:
            counted[cell.status] += 1
        return counted


@dataclass
class _Pending:
    found: Found
    columns: dict[str, Column]
    paths: dict[str, str]  # column key -> full path, for the cells being written
    changes: dict[str, Any]
    seen: dict[str, Any]


async def save_edits(
    access: Access,
    key: BookKey,
    edits: Sequence[Edit],
    *,
    dry_run: bool = False,
    source: WriteSource = WriteSource.GRID,
    reason: str | None = None,
) -> SaveAnswer:
    """Write the edits (``dry_run``: check everything, write nothing; cells that would be
    saved answer "saved")."""
    subject = check_key(key)
    answer = SaveAnswer()
    if not access.can("students", Action.EDIT):
        why = READ_ONLY_PREVIEW if access.read_only else NO_EDIT
        answer.cells = [CellAnswer(e.record_id, e.column, REFUSED, why) for e in edits]
        return answer
    by_record: dict[str, dict[str, Edit]] = {}
    for edit in edits:
        by_record.setdefault(edit.record_id, {})[edit.column] = edit  # the last one wins
    writer = access.writer(
        "students", Action.EDIT, source=source, reason=reason or REASONS[key.kind]
    )
    # The pupils are read once, with what the writer needs to check their changes (every
    # cell of a book lies in the book's school year: its subjects, or its conduct and the rest).
    inside = "subjects" if key.kind == "subject" else "conduct"
    also = writer.read_fields([f"years.{key.school_year}.{inside}"])
    # What the last save of the book read and wrote is reused where it still is as stored.
    read = await pupils_in_book(access, key, list(by_record), also, kept=KEPT)
    found = {str(f.id): f for f in read}
    pending: list[_Pending] = []
    by_grade: dict[int, dict[str, Column]] = {}  # a book's columns depend on the grade only
    for record_id, cells in by_record.items():
        pupil = found.get(record_id)
        if pupil is None:
            answer.cells += [CellAnswer(record_id, c, REFUSED, NOT_IN_BOOK) for c in cells]
            continue
        grade = book_grade([pupil], key)
        if grade not in by_grade:
            by_grade[grade] = {c.key: c for c in columns_for(key, subject, grade)}
        entry = _prepare(pupil, key, subject, by_grade[grade], cells, answer)
        if entry is not None:
            pending.append(entry)
    retry: list[_Pending] = []
    batch = [_item(p, held=True) for p in pending]
    outcomes = await writer.update_many(batch, dry_run=dry_run) if pending else []
    written = [
        (outcome.stored, outcome.written)
        for outcome in outcomes
        if outcome.status == SAVED and outcome.stored is not None
    ]
    keep_written(access.students(Action.VIEW), book_read(key, also), written)
    rows = _Rows(key)
    for entry, outcome in zip(pending, outcomes, strict=True):
        again = _answer(entry, outcome, rows, answer, final=False)
        if again is not None:
            retry.append(again)
    if retry:
        outcomes = await writer.update_many([_item(p) for p in retry], dry_run=dry_run)
        for entry, outcome in zip(retry, outcomes, strict=True):
            _answer(entry, outcome, rows, answer, final=True)
    return answer


def _prepare(
    pupil: Found,
    key: BookKey,
    subject: Subject | None,
    columns: dict[str, Column],
    cells: dict[str, Edit],
    answer: SaveAnswer,
) -> _Pending | None:
    record_id = str(pupil.id)
    values, errors = parse_row(key, columns, {c: e.text for c, e in cells.items()}, subject)
    for name, message in errors.items():
        answer.cells.append(CellAnswer(record_id, name, REFUSED, message))
    if not values:
        return None
    changes: dict[str, Any] = {}
    seen: dict[str, Any] = {}
    paths: dict[str, str] = {}
    for name in sorted(values, key=lambda n: columns[n].path):
        path = columns[name].full_path(key.school_year)
        _pad(pupil.stored, path, changes, seen)
        changes[path] = values[name]
        seen[path] = cells[name].seen
        paths[name] = path
    return _Pending(pupil, columns, paths, changes, seen)


def _pad(stored: dict[str, Any], path: str, changes: dict[str, Any], seen: dict[str, Any]) -> None:
    """A regular assessment beyond the end of the stored list: the places before it are
    filled with blanks (and must still be blank when written)."""
    head, _, last = path.rpartition(".")
    if not last.isdigit():
        return
    stored_list = get_path(stored, head)
    length = len(stored_list) if isinstance(stored_list, list) else 0
    for index in range(length, int(last)):
        place = f"{head}.{index}"
        changes.setdefault(place, None)
        seen.setdefault(place, None)


def _item(entry: _Pending, *, held: bool = False) -> BatchItem:
    """A pupil's part of the batch (``held``: checked against the record as read above;
    a retry reads it again)."""
    stored = entry.found.stored if held else None
    return BatchItem(entry.found.id, entry.changes, seen=entry.seen, stored=stored)


def _answer(
    entry: _Pending, outcome: Outcome, rows: _Rows, answer: SaveAnswer, *, final: bool
) -> _Pending | None:
    """Record the answers for one pupil; the pupil's cells to write again (those that did not
    conflict) when some conflicted."""
    record_id = str(entry.found.id)
    if outcome.status == REFUSED:
        message = outcome.message or "Không lưu được"
        answer.cells += [CellAnswer(record_id, c, REFUSED, message) for c in entry.paths]
        return None
    if outcome.status == CONFLICT:
        current = outcome.current or {}
        stamp = outcome.changed_by or {}
        by = stamp.get("actor_name") or "một người khác"
        at = stamp.get("at")
        when = format_datetime(at) if isinstance(at, datetime) else None
        rest: dict[str, str] = {}
        for name, path in entry.paths.items():
            if path in current:
                column = entry.columns[name]
                answer.cells.append(
                    CellAnswer(
                        record_id,
                        name,
                        CONFLICT,
                        "Giá trị này vừa được người khác thay đổi sau khi bạn mở trang",
                        display(column, current[path]),
                        raw_value(current[path]),
                        by,
                        when,
                    )
                )
            elif final:
                answer.cells.append(CellAnswer(record_id, name, REFUSED, RETRY))
            else:
                rest[name] = path
        if not rest:
            return None
        stale = set(current)
        changes = {p: v for p, v in entry.changes.items() if p not in stale}
        seen = {p: v for p, v in entry.seen.items() if p not in stale}
        return _Pending(entry.found, entry.columns, rest, changes, seen)
    assert outcome.status in (SAVED, WOULD_SAVE, "unchanged"), outcome.status
    stored = outcome.stored or {}
    shown = rows.shown(entry, stored)
    answer.rows[record_id] = shown
    for name in entry.paths:
        text, raw = shown.get(name, ("", None))
        answer.cells.append(CellAnswer(record_id, name, SAVED, None, text, raw))
    return None


_Visible = tuple[str, Column, str, str]


class _Rows:
    """The rows of a save's pupils as stored after it (what the page shows again), each
    pupil's visible columns worked out once for each set of field rules (the pupils of a
    class share theirs)."""

    def __init__(self, key: BookKey) -> None:
        self.school_year = key.school_year
        # id(rules) -> (the rules, the columns, the visible ones: name, column, parent, leaf)
        self._visible: dict[int, tuple[Any, dict[str, Column], list[_Visible]]] = {}

    def shown(self, entry: _Pending, stored: dict[str, Any]) -> dict[str, tuple[str, Any]]:
        rules, columns = entry.found.rules, entry.columns
        known = self._visible.get(id(rules))
        if known is None or known[0] is not rules or known[1] is not columns:
            visible = [
                (name, column, *_split(column.path))
                for name, column in columns.items()
                if rules.allows(column.full_path(self.school_year))
            ]
            known = self._visible[id(rules)] = (rules, columns, visible)
        year = get_path(stored, f"years.{self.school_year}")  # every column lies in the year
        parents: dict[str, Any] = {}  # a book's cells share a few parents (a term, its list)
        shown: dict[str, tuple[str, Any]] = {}
        for name, column, parent, leaf in known[2]:
            if parent not in parents:
                parents[parent] = get_path(year, parent) if parent else year
            value = get_path(parents[parent], leaf)
            shown[name] = (display(column, value), raw_value(value))
        return shown


def _split(path: str) -> tuple[str, str]:
    parent, _, leaf = path.rpartition(".")
    return parent, leaf
