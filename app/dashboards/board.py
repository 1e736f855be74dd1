"""One dashboard request: the reader's year and term, their snapshot, the books' stages and
the names to show. Who may look: a grant to view inspections (Art. 6.3) and to view pupils;
what they see is what their pupil scope lets them read."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.grading.subjects import SUBJECTS
from app.store import Access, Restricted
from app.store.directory import staff_names
from models.role import Action

from .kept import Kept, KeptReads, remember, scope_key
from .progress import BookKey, BookState, Progress, book_states, gradebooks, progress
from .progress import forget as forget_books
from .snapshot import Snapshot, snapshot
from .snapshot import forget as forget_snapshots
from .snapshot import scope_key as snapshot_key
from .timing import term_dates, today_local

RESOURCE = "inspections"


def may_view(access: Access) -> bool:
    return access.can(RESOURCE, Action.VIEW) and access.can("students", Action.VIEW)


def may_export(access: Access) -> bool:
    return may_view(access) and access.can(RESOURCE, Action.EXPORT)


@dataclass
class Board:
    school_year: str
    term: str
    today: date
    snapshot: Snapshot
    books: dict[BookKey, dict[str, Any]] | None
    states: list[BookState]
    subject_names: dict[str, str]
    teacher_names: dict[str, str]
    # What the board was computed from (the reads' generations and the term), to keep what is
    # computed from it.
    key: tuple[Any, ...] = ()

    def progress(self) -> Progress:
        found = _progress.get(self.key) if self.key else None
        if found is None:
            found = progress(
                self.states,
                self.term,
                subject_names=self.subject_names,
                teacher_names=self.teacher_names,
                stages_known=self.books is not None,
            )
            if self.key:
                remember(_progress, self.key, found)
        return found

    def subject_name(self, code: str | None) -> str:
        if code is None:
            return "Chủ nhiệm"
        return self.subject_names.get(code, code)

    def teacher_name(self, username: str | None) -> str:
        if not username:
            return ""
        return self.teacher_names.get(username, username)


# Computed from kept reads, by the reads' generations: the books' stages per term, progress.
_states: OrderedDict[tuple[Any, ...], list[BookState]] = OrderedDict()
_progress: OrderedDict[tuple[Any, ...], Progress] = OrderedDict()
_subjects: KeptReads[dict[str, str]] = KeptReads("subjects")
_users: KeptReads[dict[str, str]] = KeptReads("users")


def forget() -> None:
    """Drop everything kept for the dashboards (tests that rewrite the database under the
    same stamps)."""
    forget_snapshots()
    forget_books()
    for kept in (_subjects, _users):
        kept.forget()
    _states.clear()
    _progress.clear()


async def current_term(access: Access, school_year: str, today: date) -> str:
    dates = await term_dates(access, school_year, "hk1")
    return "hk2" if dates is not None and today > dates.end else "hk1"


async def _subject_names(handle: Restricted) -> dict[str, str]:
    names = {code: subject.name for code, subject in SUBJECTS.items()}
    for found in await handle.find(only=["code", "name"]):
        doc = found.visible
        if doc.get("code") and doc.get("name"):
            names[str(doc["code"])] = str(doc["name"])
    return names


async def subject_names(access: Access) -> Kept[dict[str, str]]:
    """The subjects' names, the catalogue's over the built-in ones (kept while unchanged)."""
    return await _subjects.read(access, scope_key(access, "subjects"), _subject_names)


async def _full_names(handle: Restricted) -> dict[str, str]:
    found = await handle.find(only=["username", "full_name"])
    return {
        str(d["username"]): str(d.get("full_name") or d["username"])
        for d in (f.visible for f in found)
        if d.get("username")
    }


async def teacher_names(access: Access) -> Kept[dict[str, str]] | None:
    """Full names of the accounts the reader may see, kept while unchanged; None when the
    reader may see none (the board then names its books' teachers from the directory: a name
    is shown whoever reads the board, and a sign-in name is no name)."""
    if not access.handle("users", Action.VIEW).allowed:
        return None
    return await _users.read(access, scope_key(access, "users"), _full_names)


async def open_board(access: Access, term: str | None = None) -> Board | None:
    """None when the reader may not look or no school year is current."""
    school_year = access.principal.ctx.current_school_year
    if school_year is None or not may_view(access):
        return None
    today = today_local()
    if term not in ("hk1", "hk2"):
        term = await current_term(access, school_year, today)
    kept = await snapshot(access, school_year)
    books = await gradebooks(access, school_year)
    subjects = await subject_names(access)
    users = await teacher_names(access)
    key = (
        snapshot_key(access, school_year),
        kept.generation,
        books.generation if books is not None else None,
        subjects.generation,
        users.generation if users is not None else None,
        term,
    )
    states = _states.get(key)
    if states is None:
        states = book_states(kept, books.value if books is not None else None, term)
        remember(_states, key, states)
    return Board(
        school_year=school_year,
        term=term,
        today=today,
        snapshot=kept,
        books=books.value if books is not None else None,
        states=states,
        subject_names=subjects.value,
        teacher_names=users.value
        if users is not None
        else await staff_names(s.teacher for s in states if s.teacher),
        key=key,
    )
