"""Per-subject term and year results, with missing assessments reported as ``Pending``.

The required number of ĐĐGtx is a minimum: a teacher may record more, and the term average then
uses all of them (the formula divides by the actual count + 5). Blank (``None``) entries are
ignored, so a fixed-width row of columns can be passed as is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from app.errors import InvalidScore
from app.grading.averages import term_average, year_average
from app.grading.comments import comment_term_level, comment_year_level
from app.grading.levels import CommentLevel, Term
from app.grading.result import Computed, Missing, MissingItem, Pending, Result, missing_in
from app.grading.scores import Mark, check_score
from app.grading.subjects import AssessmentKind, Subject

M = TypeVar("M", Decimal, CommentLevel)


@dataclass(frozen=True, slots=True)
class TermAssessments:
    """One subject's assessments in one term; ``None`` means not entered yet."""

    regular: tuple[Mark | None, ...] = ()
    mid: Mark | None = None
    final: Mark | None = None


def _as_score(subject: Subject, mark: Mark, field: str) -> Decimal:
    if type(mark) is Decimal:
        return check_score(mark, field=field)
    raise InvalidScore(
        f"{subject.name} là môn đánh giá bằng điểm số: cần nhập điểm từ 0 đến 10", field=field
    )


def _as_comment(subject: Subject, mark: Mark, field: str) -> CommentLevel:
    if type(mark) is CommentLevel:
        return mark
    raise InvalidScore(
        f"{subject.name} là môn đánh giá bằng nhận xét: cần nhập Đạt hoặc Chưa đạt", field=field
    )


def check_mark(subject: Subject, mark: Mark, *, field: str) -> Mark:
    """Check that ``mark`` fits the subject's kind and, for a score, the scale."""
    if subject.kind is AssessmentKind.SCORE:
        return _as_score(subject, mark, field)
    return _as_comment(subject, mark, field)


def _gather(
    subject: Subject,
    grade: int,
    term: Term,
    assessments: TermAssessments,
    convert: Callable[[Subject, Mark, str], M],
) -> tuple[list[M], M | None, M | None, tuple[Missing, ...]]:
    """Validate the entered marks (even when some are missing) and list what is missing."""
    prefix = f"{subject.code}.hk{term.value}"
    regular = [
        convert(subject, m, f"{prefix}.tx{i}")
        for i, m in enumerate(assessments.regular, start=1)
        if m is not None
    ]
    mid = None if assessments.mid is None else convert(subject, assessments.mid, f"{prefix}.gk")
    final = (
        None if assessments.final is None else convert(subject, assessments.final, f"{prefix}.ck")
    )
    missing: list[Missing] = []
    lacking = subject.regular_count(grade) - len(regular)
    if lacking > 0:
        missing.append(Missing(MissingItem.REGULAR, subject.code, subject.name, term, lacking))
    if mid is None:
        missing.append(Missing(MissingItem.MID, subject.code, subject.name, term))
    if final is None:
        missing.append(Missing(MissingItem.FINAL, subject.code, subject.name, term))
    return regular, mid, final, tuple(missing)


def subject_term_result(
    *, subject: Subject, grade: int, term: Term, assessments: TermAssessments
) -> Result[Mark]:
    """ĐTBmhk for a score subject, Đạt/Chưa đạt for a comment subject, or ``Pending``.

    Raises ``InvalidScore`` for a mark of the wrong kind or outside the scale.
    """
    if subject.kind is AssessmentKind.SCORE:
        scores, mid, final, missing = _gather(subject, grade, term, assessments, _as_score)
        if missing or mid is None or final is None:
            return Pending(missing)
        return Computed(term_average(regular=scores, mid=mid, final=final))
    levels, mid_c, final_c, missing = _gather(subject, grade, term, assessments, _as_comment)
    if missing or mid_c is None or final_c is None:
        return Pending(missing)
    return Computed(comment_term_level(regular=levels, mid=mid_c, final=final_c))


def subject_year_result(*, term1: Result[Mark], term2: Result[Mark]) -> Result[Mark]:
    """ĐTBmcn, or the year level of a comment subject (term II's), or ``Pending``.

    Both terms must be complete, even for comment subjects whose year result is term II's:
    a year is not closed while term I still has gaps.
    """
    if not (isinstance(term1, Computed) and isinstance(term2, Computed)):
        return Pending(missing_in((term1, term2)))
    first, second = term1.value, term2.value
    if isinstance(first, Decimal) and isinstance(second, Decimal):
        return Computed(year_average(term1=first, term2=second))
    if isinstance(first, CommentLevel) and isinstance(second, CommentLevel):
        return Computed(comment_year_level(term2=second))
    raise TypeError("term results of one subject must be of the same kind")
