"""What of a pupil record has been approved: the part parents read and official exports use.

A book's term is approved once a lock that guards it is closed: the book's own (a subject's or
the homeroom book's, closed when the board approves it) or the school's (the board's lock of a
whole term or year, Art. 10.4). Results computed from every book of a period (learning result,
title, promotion) are approved when every book of that period is.
"""

from __future__ import annotations

from typing import Any

from models.student_parts import TERMS

from .diff import get_path
from .paths import HOMEROOM_BOOK, LockScope

PERIODS = (*TERMS, "year")
# Homeroom values per term (conduct.hk1, absences.hk1) and for the whole year.
HOMEROOM_TERM_FIELDS = ("conduct", "absences")
HOMEROOM_YEAR_FIELDS = ("homeroom_comment", "awards", "discipline")
SUBJECT_YEAR_FIELDS = ("year_average", "year_result", "reassessment", "comment")
# Derived from every book of the period; never shown before they are all approved.
WHOLE_PERIOD_FIELDS = ("title", "promotion")


def closing_locks(scope: LockScope) -> tuple[LockScope, ...]:
    """The locks any of which closes ``scope``: its own, the book's year lock, the school's
    term and year locks."""
    return (
        scope,
        LockScope(scope.school_year, "year", scope.book),
        LockScope(scope.school_year, scope.scope),
        LockScope(scope.school_year, "year"),
    )


def is_closed(record: dict[str, Any], scope: LockScope) -> bool:
    """Whether ``scope`` is closed in ``record``, by its own lock or by a wider one."""
    return any(get_path(record, f"{s.path}.locked") for s in closing_locks(scope))


def book_approved(record: dict[str, Any], school_year: str, period: str, book: str) -> bool:
    """Whether one book (a subject code or HOMEROOM_BOOK) is approved for ``period``."""
    return is_closed(record, LockScope(school_year, period, book))


def period_approved(record: dict[str, Any], school_year: str, period: str) -> bool:
    """Whether every book of the year is approved for ``period`` (or the school locked it)."""
    return _period_approved(record, school_year, period, _Approvals(record, school_year))


def _period_approved(
    record: dict[str, Any], school_year: str, period: str, approved: _Approvals
) -> bool:
    if is_closed(record, LockScope(school_year, period)):
        return True
    year = (record.get("years") or {}).get(school_year) or {}
    books = [*(year.get("subjects") or {}), HOMEROOM_BOOK]
    return all(approved(period, book) for book in books)


class _Approvals:
    """``book_approved`` for one record's school year, each (period, book) worked out once
    (a year's view asks about the same books for every field and period)."""

    def __init__(self, record: dict[str, Any], school_year: str) -> None:
        self.record = record
        self.school_year = school_year
        self.known: dict[tuple[str, str], bool] = {}
        self.locked: dict[str, bool] = {}  # lock path -> closed (the school's are asked often)

    def __call__(self, period: str, book: str) -> bool:
        key = (period, book)
        found = self.known.get(key)
        if found is None:
            scope = LockScope(self.school_year, period, book)
            found = self.known[key] = any(self._closed(s.path) for s in closing_locks(scope))
        return found

    def _closed(self, path: str) -> bool:
        found = self.locked.get(path)
        if found is None:
            found = self.locked[path] = bool(get_path(self.record, f"{path}.locked"))
        return found


def approved_view(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` without what is not approved yet (drafts never leave the school).

    Profile and placement stay; in each school year, a subject's term, a homeroom value or a
    computed result is kept only once its period is approved. The pending list, which
    describes work in progress, is always left out. What is kept whole is shared with
    ``record``, not copied (a school year's export reads 10,000 of them); every container
    something is left out of is a new one, so ``record`` itself never changes."""
    view = dict(record)
    years = record.get("years")
    if isinstance(years, dict) and years:
        view["years"] = {
            school_year: _approved_year(record, school_year, year)
            if isinstance(year, dict)
            else year
            for school_year, year in years.items()
        }
    return view


def _approved_year(
    record: dict[str, Any], school_year: str, stored: dict[str, Any]
) -> dict[str, Any]:
    approved = _Approvals(record, school_year)
    year = dict(stored)
    year.pop("pending", None)
    subjects = year.get("subjects")
    if isinstance(subjects, dict):
        kept: dict[str, Any] = {}
        for code, stored_subject in subjects.items():
            subject = stored_subject
            if isinstance(stored_subject, dict):
                subject = dict(stored_subject)
                for term in TERMS:
                    if not approved(term, code):
                        subject.pop(term, None)
                if not approved("year", code):
                    for field in SUBJECT_YEAR_FIELDS:
                        subject.pop(field, None)
            kept[code] = subject
        year.update(subjects=kept)
    for field in HOMEROOM_TERM_FIELDS:
        values = year.get(field)
        if not isinstance(values, dict):
            continue
        year[field] = {
            period: value
            for period, value in values.items()
            if approved(period if period in PERIODS else "year", HOMEROOM_BOOK)
        }
    if not approved("year", HOMEROOM_BOOK):
        for field in HOMEROOM_YEAR_FIELDS:
            year.pop(field, None)
    learning = year.get("learning")
    if isinstance(learning, dict):
        year["learning"] = {
            period: value
            for period, value in learning.items()
            if _period_approved(
                record, school_year, period if period in PERIODS else "year", approved
            )
        }
    if not _period_approved(record, school_year, "year", approved):
        for field in WHOLE_PERIOD_FIELDS:
            year.pop(field, None)
    return year
