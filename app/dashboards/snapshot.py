"""What the dashboards know of the pupils a reader may see, kept up to date cheaply.

Each pupil in the reader's scope gives a small *part* (their books' cell counts, their
findings, their results; only the current year's placement, subjects and results are loaded,
and only what the reader may read of them is used); the *snapshot* is the sum of the parts. It
is kept per reader scope. On each request the pupils' number and latest write stamp (every
write goes through the stamped write path, which sets ``meta.at``) are compared with what was
kept:

- unchanged, and the kept read happened at least ``SETTLE`` after the latest stamp: reused;
- otherwise only the pupils written since the kept latest stamp minus ``SETTLE`` are read
  again and their parts replaced (a write stamped just before another but committed after it
  is still caught);
- when the number of pupils does not add up (one deleted, or one left the reader's scope),
  everything is read again.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.clock import utcnow
from app.records.diff import get_path
from app.scorebook.columns import subject_of
from app.scorebook.progress import subject_counts
from app.store import Access, Found
from models.role import Action

from .kept import SETTLE, fingerprint, next_generation, remember, settled
from .kept import scope_key as kept_scope_key
from .rules import KIND_ORDER, PupilIssue, as_decimal, pupil_issues

TERMS = ("hk1", "hk2")
PERIODS = ("hk1", "hk2", "year")
RESULT_PARTS = ("conduct", "learning", "title", "promotion", "pending")
REGULAR = tuple(f"tx{i}" for i in range(1, 21))  # column keys of the regular assessments

BookKey = tuple[str, str | None, str]  # class, subject (None: the homeroom book), term


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
    # Column key ("tx1", "gk", "ck") -> how many times each score was entered in it.
    columns: dict[str, Counter[Decimal]] = field(default_factory=dict)

    @property
    def key(self) -> BookKey:
        return (self.class_name, self.subject, self.term)

    @property
    def teacher(self) -> str | None:
        found = [(n, t) for t, n in self.teachers.items() if n > 0]
        return max(found)[1] if found else None

    @property
    def missing(self) -> int:
        return max(self.expected - self.entered, 0)

    def add(self, other: BookCells, sign: int) -> None:
        self.pupils += sign * other.pupils
        self.entered += sign * other.entered
        self.expected += sign * other.expected
        self.short += sign * other.short
        for teacher, count in other.teachers.items():
            self.teachers[teacher] += sign * count
        for column, values in other.columns.items():
            kept = self.columns.setdefault(column, Counter())
            for value, count in values.items():
                kept[value] += sign * count


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

    def add(self, other: ClassResults, sign: int) -> None:
        self.pupils += sign * other.pupils
        for mine, theirs in ((self.learning, other.learning), (self.conduct, other.conduct)):
            for period in PERIODS:
                for level, count in theirs[period].items():
                    mine[period][level] += sign * count
        for target, source in ((self.titles, other.titles), (self.promotion, other.promotion)):
            for value, count in source.items():
                target[value] += sign * count


@dataclass
class PupilPart:
    """What one pupil adds to the snapshot."""

    books: dict[BookKey, BookCells]
    results: ClassResults
    issues: list[PupilIssue]
    readable: frozenset[str]


@dataclass
class Snapshot:
    school_year: str
    pupils: int = 0
    books: dict[BookKey, BookCells] = field(default_factory=dict)
    issues: list[PupilIssue] = field(default_factory=list)
    results: dict[str, ClassResults] = field(default_factory=dict)
    # What the reader may read at all: "conduct", "learning", "title", "promotion", "pending".
    readable: set[str] = field(default_factory=set)
    # Changes with every read that changed the snapshot (what is computed from it is kept by it).
    generation: int = 0
    # Term -> its books by class, then subject (the homeroom book last).
    _ordered: dict[str, list[BookKey]] = field(default_factory=dict, repr=False)

    def forget_order(self) -> None:
        """After books came or went."""
        self._ordered.clear()

    def ordered(self, term: str) -> list[BookKey]:
        found = self._ordered.get(term)
        if found is None:
            keys = [k for k in self.books if k[2] == term]
            found = self._ordered[term] = sorted(keys, key=lambda k: (k[0], k[1] or "~"))
        return found

    def add(self, part: PupilPart, sign: int) -> None:
        self.pupils += sign
        for key, cells in part.books.items():
            book = self.books.get(key)
            if book is None:
                book = self.books[key] = BookCells(
                    cells.class_name, cells.grade, cells.subject, cells.term
                )
            book.add(cells, sign)
            if book.pupils <= 0:
                del self.books[key]
        results = part.results
        counts = self.results.get(results.class_name)
        if counts is None:
            counts = self.results[results.class_name] = ClassResults(
                results.class_name, results.grade
            )
        counts.add(results, sign)
        if counts.pupils <= 0:
            del self.results[results.class_name]


@dataclass
class Kept:
    count: int  # records in the reader's scope (whatever their years)
    latest: datetime | None
    read_at: datetime
    ids: set[str]  # of those records
    parts: dict[str, PupilPart]  # of those with a place this year
    snapshot: Snapshot

    @property
    def settled(self) -> bool:
        return settled(self.read_at, self.latest)


_kept: OrderedDict[str, Kept] = OrderedDict()


def scope_key(access: Access, school_year: str) -> str:
    """The reader's scope of the pupils (see ``kept.scope_key``): the board's members, one
    group's head and deputy share a snapshot."""
    return kept_scope_key(access, "students", school_year)


def projection(school_year: str) -> list[str]:
    base = f"years.{school_year}"
    parts = ("grade", "class_name", "homeroom_teacher", "subjects", *RESULT_PARTS)
    return ["code", "profile.full_name", *(f"{base}.{part}" for part in parts)]


async def snapshot(access: Access, school_year: str) -> Snapshot:
    """The reader's snapshot of ``school_year``."""
    key = scope_key(access, school_year)
    read_at = utcnow()
    count, latest = await fingerprint(access.students(Action.VIEW))
    kept = _kept.get(key)
    if kept is not None and (count, latest) == (kept.count, kept.latest) and kept.settled:
        _kept.move_to_end(key)
        return kept.snapshot
    handle = access.students(Action.VIEW)
    fresh = None
    if kept is not None and kept.latest is not None:
        since = kept.latest - SETTLE
        found = await handle.find({"meta.at": {"$gte": since}}, only=projection(school_year))
        fresh = _refresh(kept, found, school_year, count)
    if fresh is None:
        found = await handle.find({}, only=projection(school_year))
        fresh = _build(found, school_year, count)
    fresh.latest, fresh.read_at = latest, read_at
    remember(_kept, key, fresh)
    return fresh.snapshot


def forget() -> None:
    """Drop every kept snapshot (tests that rewrite the database under the same stamps)."""
    _kept.clear()


def _build(found: list[Found], school_year: str, count: int) -> Kept:
    snap = Snapshot(school_year)
    parts: dict[str, PupilPart] = {}
    for pupil in found:
        part = pupil_part(pupil, school_year)
        if part is not None:
            parts[str(pupil.id)] = part
            snap.add(part, +1)
    kept = Kept(count, None, utcnow(), {str(p.id) for p in found}, parts, snap)
    _finish(kept)
    return kept


def _refresh(kept: Kept, found: list[Found], school_year: str, count: int) -> Kept | None:
    """``kept`` with the parts of ``found`` (written lately) replaced; None when the number
    of records does not add up (a deletion, or a record leaving the scope)."""
    inserted = {str(p.id) for p in found} - kept.ids
    if count != kept.count + len(inserted):
        return None
    kept.ids |= inserted
    for pupil in found:
        pupil_id = str(pupil.id)
        old = kept.parts.pop(pupil_id, None)
        if old is not None:
            kept.snapshot.add(old, -1)
        part = pupil_part(pupil, school_year)
        if part is not None:
            kept.parts[pupil_id] = part
            kept.snapshot.add(part, +1)
    kept.count = count
    _finish(kept)
    return kept


def _finish(kept: Kept) -> None:
    snap = kept.snapshot
    snap.generation = next_generation()
    snap.forget_order()
    snap.issues = sorted(
        (i for p in kept.parts.values() for i in p.issues),
        key=lambda i: (KIND_ORDER[i.kind], i.class_name, i.name),
    )
    snap.readable = set().union(*(p.readable for p in kept.parts.values()))


# -- one pupil ---------------------------------------------------------------------------------
_decimals: dict[Any, Decimal | None] = {}


def score(value: Any) -> Decimal | None:
    """A stored score as a Decimal (converted once per distinct stored value: scores take few
    values, and converting bson's Decimal128 is slow)."""
    bid = getattr(value, "bid", None)
    if bid is None:
        return as_decimal(value)
    found = _decimals.get(bid)
    if found is None:
        found = _decimals[bid] = as_decimal(value)
    return found


def pupil_part(pupil: Found, school_year: str) -> PupilPart | None:
    """What one pupil adds, as the reader may read them; None without a place this year."""
    rules = pupil.rules
    doc = pupil.stored if rules.everything else pupil.visible
    base = f"years.{school_year}"
    year = get_path(doc, base)
    grade = get_path(doc, f"{base}.grade")
    class_name = get_path(doc, f"{base}.class_name")
    if not isinstance(year, dict) or not isinstance(grade, int) or not class_name:
        return None
    class_name = str(class_name)
    readable = frozenset(p for p in RESULT_PARTS if rules.allows(f"{base}.{p}"))
    books: dict[BookKey, BookCells] = {}
    _subject_books(books, doc, school_year, class_name, grade)
    if "conduct" in readable:
        _homeroom_books(books, year, class_name, grade)
    results = _results(year, readable, class_name, grade)
    return PupilPart(books, results, pupil_issues(doc, school_year, readable, score), readable)


def _subject_books(
    books: dict[BookKey, BookCells],
    doc: dict[str, Any],
    school_year: str,
    class_name: str,
    grade: int,
) -> None:
    subjects = get_path(doc, f"years.{school_year}.subjects") or {}
    for code, stored in subjects.items():
        if not isinstance(stored, dict) or subject_of(code) is None:
            continue
        for term in TERMS:
            entered, expected = subject_counts(doc, school_year, code, term)
            if not expected:
                continue
            book = books[(class_name, code, term)] = BookCells(
                class_name, grade, code, term, 1, entered, expected, int(entered < expected)
            )
            if stored.get("teacher"):
                book.teachers[str(stored["teacher"])] += 1
            part = stored.get(term) or {}
            regular = part.get("tx") or []
            for column, value in zip(REGULAR, regular, strict=False):
                _note(book, column, value)
            _note(book, "gk", part.get("gk"))
            _note(book, "ck", part.get("ck"))


def _note(book: BookCells, column: str, value: Any) -> None:
    number = score(value)
    if number is not None:
        book.columns.setdefault(column, Counter())[number] += 1


def _homeroom_books(
    books: dict[BookKey, BookCells], year: dict[str, Any], class_name: str, grade: int
) -> None:
    conduct = year.get("conduct") or {}
    for term in TERMS:
        entered = int(conduct.get(term) is not None)
        book = books[(class_name, None, term)] = BookCells(
            class_name, grade, None, term, 1, entered, 1, 1 - entered
        )
        if year.get("homeroom_teacher"):
            book.teachers[str(year["homeroom_teacher"])] += 1


def _results(
    year: dict[str, Any], readable: frozenset[str], class_name: str, grade: int
) -> ClassResults:
    counts = ClassResults(class_name, grade, pupils=1)
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
    return counts
