"""One dashboard request: the reader's year and term, their snapshot, the books' stages and
the names to show. Who may look: a grant to view inspections (Art. 6.3) and to view pupils;
what they see is what their pupil scope lets them read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.grading.subjects import SUBJECTS
from app.store import Access
from app.store.directory import staff_names
from models.role import Action

from .progress import BookKey, BookState, Progress, book_states, gradebooks, progress
from .snapshot import Snapshot, snapshot
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

    def progress(self) -> Progress:
        return progress(
            self.states,
            self.term,
            subject_names=self.subject_names,
            teacher_names=self.teacher_names,
            stages_known=self.books is not None,
        )

    def subject_name(self, code: str | None) -> str:
        if code is None:
            return "Chủ nhiệm"
        return self.subject_names.get(code, code)

    def teacher_name(self, username: str | None) -> str:
        if not username:
            return ""
        return self.teacher_names.get(username, username)


async def current_term(access: Access, school_year: str, today: date) -> str:
    dates = await term_dates(access, school_year, "hk1")
    return "hk2" if dates is not None and today > dates.end else "hk1"


async def subject_names(access: Access) -> dict[str, str]:
    names = {code: subject.name for code, subject in SUBJECTS.items()}
    handle = access.handle("subjects", Action.VIEW)
    for found in await handle.find(only=["code", "name"]):
        doc = found.visible
        if doc.get("code") and doc.get("name"):
            names[str(doc["code"])] = str(doc["name"])
    return names


async def teacher_names(usernames: set[str]) -> dict[str, str]:
    """Full names of these accounts: a name is shown whoever reads the board (a group head
    reads no accounts, and a sign-in name is no name)."""
    return await staff_names(usernames)


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
    states = book_states(kept, books, term)
    usernames = {s.teacher for s in states if s.teacher}
    return Board(
        school_year=school_year,
        term=term,
        today=today,
        snapshot=kept,
        books=books,
        states=states,
        subject_names=await subject_names(access),
        teacher_names=await teacher_names(usernames),
    )
