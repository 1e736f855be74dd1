"""When the school's books were filled, from the change log (Art. 7.2: «không dồn vào cuối kỳ»).

Cells entered per week over the term, the share entered in its last two weeks (or later), and
the late books. A book is late when the term has ended (the end date in the school-year
catalogue) and it has not been submitted, or when it was first submitted after that date.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from app.clock import local, utcnow
from app.permissions.fields import FieldRules
from app.records.diff import get_path
from app.scorebook.timeliness import LAST_WEEKS
from app.store import Access
from models.role import Action
from models.workflow import Stage, StepKind

from .progress import BookState

WEEK = timedelta(days=7)
CELL_NAMES = ("gk", "ck")


@dataclass
class TermDates:
    start: date
    end: date

    @property
    def window_start(self) -> date:
        return self.end - LAST_WEEKS


@dataclass
class LateBook:
    state: BookState
    reason: str


@dataclass
class Timing:
    dates: TermDates | None
    weeks: list[int] = field(default_factory=list)  # cells entered in week 1, 2, …
    after_end: int = 0  # cells entered after the term's end date
    entered: int = 0
    late: int = 0  # entered in the last two weeks or later
    by_book: Counter[tuple[str, str | None]] = field(default_factory=Counter)
    late_by_book: Counter[tuple[str, str | None]] = field(default_factory=Counter)
    late_books: list[LateBook] = field(default_factory=list)

    @property
    def late_percent(self) -> int:
        return round(100 * self.late / self.entered) if self.entered else 0

    def week_label(self, index: int) -> str:
        if self.dates is None:
            return str(index + 1)
        return (self.dates.start + index * WEEK).strftime("%d/%m")


async def term_dates(access: Access, school_year: str, term: str) -> TermDates | None:
    """The term's first and last day, from the school-year catalogue."""
    found = await access.handle("school_years", Action.VIEW).find({"code": school_year})
    if not found:
        return None
    stored = found[0].visible

    def day(name: str) -> date | None:
        value = stored.get(name)
        return value.date() if isinstance(value, datetime) else value

    starts, term1, ends = day("starts_on"), day("term1_ends_on"), day("ends_on")
    if starts is None or term1 is None or ends is None:
        return None
    if term == "hk1":
        return TermDates(starts, term1)
    return TermDates(term1 + timedelta(days=1), ends)


def late_books(states: list[BookState], dates: TermDates | None, today: date) -> list[LateBook]:
    if dates is None:
        return []
    found = []
    for state in states:
        steps = (state.gradebook or {}).get("steps") or []
        submits = [s for s in steps if s.get("kind") == StepKind.SUBMIT]
        first = min((s["at"] for s in submits if isinstance(s.get("at"), datetime)), default=None)
        if first is not None and local(first).date() > dates.end:
            found.append(LateBook(state, f"Nộp muộn ({local(first).strftime('%d/%m/%Y')})"))
        elif state.stage is Stage.ENTERING and today > dates.end:
            found.append(LateBook(state, "Chưa nộp, đã quá hạn"))
    return found


def _leaves(path: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(f"{path}.{key}", item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(f"{path}.{index}", item)
    else:
        yield path, value


def _cell(parts: list[str], term: str) -> tuple[bool, str | None]:
    """(is an entry cell of ``term``, its subject; None for conduct)."""
    cell = (len(parts) == 6 and parts[5] in CELL_NAMES) or (len(parts) == 7 and parts[5] == "tx")
    if cell and parts[2] == "subjects" and parts[4] == term:
        return True, parts[3]
    if len(parts) == 4 and parts[2] == "conduct" and parts[3] == term:
        return True, None
    return False, None


def _uniform(access: Access) -> FieldRules | None:
    """The reader's read rules when they are the same for every pupil they see."""
    scope = access.scope("students", Action.VIEW)
    patterns = {tuple(g.readable.patterns) for g in scope.matched}
    if len(patterns) == 1 and not any("$assigned_subject" in p for p in next(iter(patterns))):
        return scope.matched[0].readable
    return None


async def timing(
    access: Access, school_year: str, term: str, states: list[BookState], today: date
) -> Timing:
    dates = await term_dates(access, school_year, term)
    result = Timing(dates)
    result.late_books = late_books(states, dates, today)
    if dates is None:
        return result
    weeks = (dates.end - dates.start).days // 7 + 1
    result.weeks = [0] * weeks
    pupils = await access.students(Action.VIEW).find(
        {f"years.{school_year}.class_name": {"$exists": True}},
        only=[f"years.{school_year}.class_name"],
    )
    classes = {
        str(p.id): str(get_path(p.stored, f"years.{school_year}.class_name")) for p in pupils
    }
    if not pupils:
        return result
    log = access.records_log("students", pupils)
    prefix = "^" + re.escape(f"years.{school_year}.") + "(subjects|conduct)"
    start = datetime.combine(dates.start, datetime.min.time()) - timedelta(days=1)
    entries = await log.find({"diff.path": {"$regex": prefix}, "at": {"$gte": start}})
    uniform = _uniform(access)
    for entry in entries:
        at = entry.get("at")
        class_name = classes.get(str(entry.get("record_key")))
        if not isinstance(at, datetime) or class_name is None:
            continue
        rules = uniform or await log.rules_for(entry)
        if rules is None:
            continue
        day = local(at).date()
        for change in entry.get("diff") or []:
            for path, new in _leaves(str(change.get("path")), change.get("new")):
                parts = path.split(".")
                is_cell, subject = _cell(parts, term)
                if not is_cell or new is None or new == "" or not rules.allows(path):
                    continue
                top = str(change["path"])
                old = change.get("old")
                if path != top:
                    old = get_path(cast(dict[str, Any], old), path[len(top) + 1 :])
                if old == new:
                    continue
                result.entered += 1
                result.by_book[(class_name, subject)] += 1
                if day >= dates.window_start:
                    result.late += 1
                    result.late_by_book[(class_name, subject)] += 1
                if day > dates.end:
                    result.after_end += 1
                else:
                    result.weeks[max((day - dates.start).days, 0) // 7] += 1
    return result


def today_local() -> date:
    return local(utcnow()).date()
