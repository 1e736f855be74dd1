"""What the dashboards know of the pupils a reader may see, read once and kept while it holds.

One pass over the reader's pupils (only the current year's placement, subjects and results are
loaded, and only what the reader may read of them is used) gives every book's cell counts, the
pupils' issues and the results counts. The pass is kept per reader scope and reused while the
pupils in that scope are unchanged: the number of records and the latest write stamp (every
write goes through the stamped write path, which sets ``meta.at``) are compared on each request.
A pass made within ``SETTLE`` of the latest stamp is not kept, so a write stamped just before
another but committed after it cannot leave a stale pass behind; nor is one over records that
carry no stamp at all.
"""

from __future__ import annotations

import json
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from app.clock import as_utc, utcnow
from app.records.diff import get_path
from app.scorebook.columns import subject_of
from app.scorebook.progress import subject_counts
from app.store import Access, Found
from app.store.handles import Page
from models.role import Action

from .rules import PupilIssue, as_decimal, pupil_issues

TERMS = ("hk1", "hk2")
PERIODS = ("hk1", "hk2", "year")
SETTLE = timedelta(seconds=5)
KEPT = 16  # reader scopes kept at once


@dataclass
class BookCells:
    """One book of the year (class × subject × term, or the homeroom book × term)."""

    class_name: str
    grade: int
    subject: str | None  # None: the homeroom book (conduct)
    term: str
    pupils: int = 0
    entered: int = 0
    expected: int = 0
    short: int = 0  # pupils with a cell still missing
    teachers: Counter[str] = field(default_factory=Counter)
    # Column key ("tx1", "gk", "ck") -> the scores entered in it (score subjects).
    columns: dict[str, list[Decimal]] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str | None, str]:
        return (self.class_name, self.subject, self.term)

    @property
    def teacher(self) -> str | None:
        return self.teachers.most_common(1)[0][0] if self.teachers else None

    @property
    def missing(self) -> int:
        return max(self.expected - self.entered, 0)


@dataclass
class ClassResults:
    """Counts of one class's results: levels per period, titles, promotion outcomes."""

    class_name: str
    grade: int
    pupils: int = 0
    learning: dict[str, Counter[str]] = field(
        default_factory=lambda: {p: Counter() for p in PERIODS}
    )
    conduct: dict[str, Counter[str]] = field(
        default_factory=lambda: {p: Counter() for p in PERIODS}
    )
    titles: Counter[str] = field(default_factory=Counter)
    promotion: Counter[str] = field(default_factory=Counter)


@dataclass
class Snapshot:
    school_year: str
    pupils: int = 0
    books: dict[tuple[str, str | None, str], BookCells] = field(default_factory=dict)
    issues: list[PupilIssue] = field(default_factory=list)
    results: dict[str, ClassResults] = field(default_factory=dict)
    # What the reader may read at all: "conduct", "learning", "title", "promotion", "pending".
    readable: set[str] = field(default_factory=set)
    computed_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class Fingerprint:
    count: int
    latest: datetime | None


_kept: OrderedDict[str, tuple[Fingerprint, Snapshot]] = OrderedDict()


def scope_key(access: Access, school_year: str) -> str:
    """Who reads what: the reader's context and the grants behind their pupil scope."""
    scope = access.scope("students", Action.VIEW)
    grants = [(g.role, g.index, g.filter, list(g.readable.patterns)) for g in scope.matched]
    ctx = scope.ctx
    context = [
        ctx.username,
        ctx.current_school_year,
        list(ctx.homeroom_classes),
        [list(t) for t in ctx.teaching],
        ctx.subject_group,
        list(ctx.group_subjects),
    ]
    return json.dumps([school_year, context, grants], default=str, sort_keys=True)


async def fingerprint(access: Access) -> Fingerprint:
    handle = access.students(Action.VIEW)
    count = await handle.count()
    latest = await handle.rows(None, Page(sort=[("meta.at", -1)], limit=1), only=["meta.at"])
    at = get_path(latest[0], "meta.at") if latest else None
    return Fingerprint(count, as_utc(at) if isinstance(at, datetime) else None)


def projection(school_year: str) -> list[str]:
    base = f"years.{school_year}"
    return [
        "code",
        "profile.full_name",
        *(
            f"{base}.{part}"
            for part in (
                "grade",
                "class_name",
                "homeroom_teacher",
                "subjects",
                "conduct",
                "learning",
                "title",
                "promotion",
                "pending",
            )
        ),
    ]


async def snapshot(access: Access, school_year: str) -> Snapshot:
    """The reader's snapshot of ``school_year``: reused while their pupils are unchanged."""
    key = scope_key(access, school_year)
    started = utcnow()
    current = await fingerprint(access)
    kept = _kept.get(key)
    if kept is not None and kept[0] == current:
        _kept.move_to_end(key)
        return kept[1]
    found = await access.students(Action.VIEW).find(
        {f"years.{school_year}.class_name": {"$exists": True}}, only=projection(school_year)
    )
    built = build(found, school_year)
    if current.latest is not None and started - current.latest >= SETTLE:
        _kept[key] = (current, built)
        _kept.move_to_end(key)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return built


def forget() -> None:
    """Drop every kept snapshot (tests that rewrite the database under the same stamps)."""
    _kept.clear()


def build(found: list[Found], school_year: str) -> Snapshot:
    result = Snapshot(school_year)
    base = f"years.{school_year}"
    for pupil in found:
        rules = pupil.rules
        doc = pupil.stored if rules.everything else pupil.visible
        year = get_path(doc, base)
        grade = get_path(doc, f"{base}.grade")
        class_name = get_path(doc, f"{base}.class_name")
        if not isinstance(year, dict) or not isinstance(grade, int) or not class_name:
            continue
        result.pupils += 1
        readable = {
            part
            for part in ("conduct", "learning", "title", "promotion", "pending")
            if rules.allows(f"{base}.{part}")
        }
        result.readable |= readable
        _count_subjects(result, doc, school_year, str(class_name), grade)
        if "conduct" in readable:
            _count_homeroom(result, year, str(class_name), grade)
        _count_results(result, year, readable, str(class_name), grade)
        result.issues += pupil_issues(doc, school_year, readable)
    return result


def _book(
    result: Snapshot, class_name: str, grade: int, subject: str | None, term: str
) -> BookCells:
    key = (class_name, subject, term)
    book = result.books.get(key)
    if book is None:
        book = result.books[key] = BookCells(class_name, grade, subject, term)
    return book


def _count_subjects(
    result: Snapshot, doc: dict[str, Any], school_year: str, class_name: str, grade: int
) -> None:
    subjects = get_path(doc, f"years.{school_year}.subjects") or {}
    for code, stored in subjects.items():
        if not isinstance(stored, dict) or subject_of(code) is None:
            continue
        for term in TERMS:
            entered, expected = subject_counts(doc, school_year, code, term)
            if not expected:
                continue
            book = _book(result, class_name, grade, code, term)
            book.pupils += 1
            book.entered += entered
            book.expected += expected
            book.short += entered < expected
            if stored.get("teacher"):
                book.teachers[str(stored["teacher"])] += 1
            part = stored.get(term) or {}
            cells = [(f"tx{i + 1}", v) for i, v in enumerate(part.get("tx") or [])]
            for column, value in [*cells, ("gk", part.get("gk")), ("ck", part.get("ck"))]:
                score = as_decimal(value)
                if score is not None:
                    book.columns.setdefault(column, []).append(score)


def _count_homeroom(result: Snapshot, year: dict[str, Any], class_name: str, grade: int) -> None:
    conduct = year.get("conduct") or {}
    for term in TERMS:
        book = _book(result, class_name, grade, None, term)
        book.pupils += 1
        book.expected += 1
        entered = conduct.get(term) is not None
        book.entered += entered
        book.short += not entered
        if year.get("homeroom_teacher"):
            book.teachers[str(year["homeroom_teacher"])] += 1


def _count_results(
    result: Snapshot, year: dict[str, Any], readable: set[str], class_name: str, grade: int
) -> None:
    counts = result.results.get(class_name)
    if counts is None:
        counts = result.results[class_name] = ClassResults(class_name, grade)
    counts.pupils += 1
    for part, target in (("learning", counts.learning), ("conduct", counts.conduct)):
        if part not in readable:
            continue
        levels = year.get(part) or {}
        for period in PERIODS:
            target[period][levels.get(period) or ""] += 1
    if "title" in readable:
        counts.titles[year.get("title") or ""] += 1
    if "promotion" in readable:
        promotion = year.get("promotion") or {}
        counts.promotion[promotion.get("label_vi") or ""] += 1
