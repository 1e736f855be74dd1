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


def is_closed(record: dict[str, Any], scope: LockScope) -> bool:
    """Whether ``scope`` is closed in ``record``, by its own lock or by a wider one (the
    book's year lock, the school's term or year lock)."""
    wider = [
        scope,
        LockScope(scope.school_year, "year", scope.book),
        LockScope(scope.school_year, scope.scope),
        LockScope(scope.school_year, "year"),
    ]
    return any(get_path(record, f"{s.path}.locked") for s in wider)


def book_approved(record: dict[str, Any], school_year: str, period: str, book: str) -> bool:
    """Whether one book (a subject code or HOMEROOM_BOOK) is approved for ``period``."""
    return is_closed(record, LockScope(school_year, period, book))


def period_approved(record: dict[str, Any], school_year: str, period: str) -> bool:
    """Whether every book of the year is approved for ``period`` (or the school locked it)."""
    if is_closed(record, LockScope(school_year, period)):
        return True
    year = (record.get("years") or {}).get(school_year) or {}
    books = [*(year.get("subjects") or {}), HOMEROOM_BOOK]
    return all(book_approved(record, school_year, period, book) for book in books)


def approved_view(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` without what is not approved yet (drafts never leave the school).

    Profile and placement stay; in each school year, a subject's term, a homeroom value or a
    computed result is kept only once its period is approved. The pending list, which
    describes work in progress, is always left out."""
    view = _tree_copy(record)
    for school_year, year in (view.get("years") or {}).items():
        if isinstance(year, dict):
            _prune_year(record, school_year, year)
    return view


def _tree_copy(node: Any) -> Any:
    """A copy of a stored document's dicts and lists (what pruning changes); the leaves are
    immutable values and are shared. Several times faster than ``copy.deepcopy``, which a
    school year's export of 10,000 pupils spent most of its time in."""
    if isinstance(node, dict):
        return {key: _tree_copy(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_tree_copy(value) for value in node]
    return node


def _prune_year(record: dict[str, Any], school_year: str, year: dict[str, Any]) -> None:
    year.pop("pending", None)
    for code, subject in (year.get("subjects") or {}).items():
        if not isinstance(subject, dict):
            continue
        for term in TERMS:
            if not book_approved(record, school_year, term, code):
                subject.pop(term, None)
        if not book_approved(record, school_year, "year", code):
            for field in SUBJECT_YEAR_FIELDS:
                subject.pop(field, None)
    for field in HOMEROOM_TERM_FIELDS:
        values = year.get(field)
        if not isinstance(values, dict):
            continue
        for period in list(values):
            known = period if period in PERIODS else "year"
            if not book_approved(record, school_year, known, HOMEROOM_BOOK):
                values.pop(period)
    if not book_approved(record, school_year, "year", HOMEROOM_BOOK):
        for field in HOMEROOM_YEAR_FIELDS:
            year.pop(field, None)
    learning = year.get("learning")
    if isinstance(learning, dict):
        for period in list(learning):
            known = period if period in PERIODS else "year"
            if not period_approved(record, school_year, known):
                learning.pop(period)
    if not period_approved(record, school_year, "year"):
        for field in WHOLE_PERIOD_FIELDS:
            year.pop(field, None)
