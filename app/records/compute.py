"""Recompute a record's derived results with the grading engine.

The computed values are stored next to the inputs they came from, so exports and the change log
show exactly what staff saw. What cannot be computed yet is left empty and listed in ``pending``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from typing import Any

from app.grading import (
    DEFAULT_RULES,
    CommentLevel,
    Computed,
    GradingRules,
    Level,
    SubjectInput,
    TermAssessments,
    YearInput,
    compute_year,
)
from app.grading.scores import Mark as GradingMark
from models.student import StudentRecord
from models.student_parts import SchoolYearRecord, SubjectTerm, SubjectYear

_COMMENT_LEVELS = {level.code: level for level in CommentLevel}


def _mark(value: Decimal | str | None) -> GradingMark | None:
    if value is None or isinstance(value, Decimal):
        return value
    return _COMMENT_LEVELS.get(value) or CommentLevel(value)


def _term(term: SubjectTerm) -> TermAssessments:
    return TermAssessments(
        regular=tuple(map(_mark, term.tx)), mid=_mark(term.gk), final=_mark(term.ck)
    )


def _level(code: str | None) -> Level | None:
    return Level(code) if code else None


def _store(target: SubjectTerm, result: object) -> None:
    value = result.value if isinstance(result, Computed) else None
    target.average = value if isinstance(value, Decimal) else None
    target.result = value.code if isinstance(value, CommentLevel) else None  # type: ignore[assignment]


def subject_input(code: str, subject: SubjectYear) -> SubjectInput:
    """What the grading engine needs of one subject of a school year."""
    return SubjectInput(
        code=code,
        term1=_term(subject.hk1),
        term2=_term(subject.hk2),
        reassessment=_mark(subject.reassessment),
    )


def derive_year(
    year: SchoolYearRecord,
    *,
    rules: GradingRules = DEFAULT_RULES,
    refresh: Collection[str] | None = None,
    inputs: Mapping[str, SubjectInput] | None = None,
) -> None:
    """Fill the computed fields of one school year in place: the year's own, and those of the
    subjects in ``refresh`` (None: every subject; the others are left as they are, for a change
    that touched none of their inputs). ``inputs``: subjects' inputs already built from the
    very subject objects of ``year``."""
    absences = year.absences
    known = inputs or {}
    given = YearInput(
        grade=year.grade,
        subjects=tuple(
            known.get(code) or subject_input(code, subject)
            for code, subject in year.subjects.items()
        ),
        conduct_term1=_level(year.conduct.hk1),
        conduct_term2=_level(year.conduct.hk2),
        absences_excused=sum(a.excused for a in absences.values()),
        absences_unexcused=sum(a.unexcused for a in absences.values()),
        conduct_after_training=_level(year.conduct.after_summer),
    )
    result = compute_year(inputs=given, rules=rules)
    for entry in result.subjects:
        if refresh is not None and entry.subject.code not in refresh:
            continue
        subject = year.subjects[entry.subject.code]
        _store(subject.hk1, entry.term1)
        _store(subject.hk2, entry.term2)
        value = entry.year.value if isinstance(entry.year, Computed) else None
        subject.year_average = value if isinstance(value, Decimal) else None
        subject.year_result = (  # "Đ" or "CĐ"
            value.code if isinstance(value, CommentLevel) else None  # type: ignore[assignment]
        )

    def code(res: object) -> Any:  # a level code: "T", "K", "Đ" or "CĐ"
        return res.value.code if isinstance(res, Computed) else None

    year.learning.hk1 = code(result.learning_term1)
    year.learning.hk2 = code(result.learning_term2)
    year.learning.year = code(result.learning_year)
    after = result.learning_after_reassessment
    year.learning.after_summer = code(after) if after is not None else None
    year.conduct.year = code(result.conduct_year)
    title = result.title.value if isinstance(result.title, Computed) else None
    year.title = title.value if title is not None else None
    promotion = result.promotion.value if isinstance(result.promotion, Computed) else None
    year.promotion.outcome = promotion.outcome.value if promotion else None
    year.promotion.label_vi = promotion.label if promotion else None
    year.promotion.promoted = promotion.promoted if promotion else None
    year.promotion.reasons = list(promotion.reasons) if promotion else []
    year.pending = [m.message for m in result.missing]


# The fields derive_year fills, relative to a school year and to each of its subjects.
YEAR_DERIVED = ("learning", "conduct.year", "title", "promotion", "pending")
SUBJECT_DERIVED = (
    "hk1.average",
    "hk1.result",
    "hk2.average",
    "hk2.result",
    "year_average",
    "year_result",
)


def touched_subjects(changed: Iterable[str]) -> set[str] | None:
    """The subjects a change at ``changed`` (paths relative to a school year) touches; None
    when it touches more than subjects (the grade, conduct, …: every subject is recomputed).
    A subject's results follow from its own assessments and the year's grade alone."""
    touched: set[str] = set()
    for path in changed:
        parts = path.split(".")
        if parts[0] != "subjects" or len(parts) < 2:
            return None
        touched.add(parts[1])
    return touched


def derived_paths(year: SchoolYearRecord, changed: Iterable[str] | None = None) -> list[str]:
    """The paths of ``year`` (relative to it) that ``derive_year`` may change after a change
    at ``changed`` (None: any change): a change inside one subject leaves the others' results
    as they were."""
    touched = None if changed is None else touched_subjects(changed)
    paths = list(YEAR_DERIVED)
    for code in year.subjects:
        if touched is None or code in touched:
            paths.extend(f"subjects.{code}.{field}" for field in SUBJECT_DERIVED)
    return paths


def derive(record: StudentRecord) -> None:
    """Recompute every school year of the record."""
    for year in record.years.values():
        derive_year(year)
