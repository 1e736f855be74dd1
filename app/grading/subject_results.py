"""Per-subject term and year results, with missing assessments reported as ``Pending``.

The required number of ĐĐGtx is a minimum: a teacher may record more, and the term average then
uses all of them (the formula divides by the actual count + 5). Blank (``None``) entries are
ignored, so a fixed-width row of columns can be passed as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from app.errors import InvalidScore
from app.grading.averages import term_average, year_average
from app.grading.comments import comment_term_level, comment_year_level
from app.grading.levels import CommentLevel, Term
from app.grading.result import Computed, Missing, MissingItem, Pending, Result, missing_in
from app.grading.scores import VALID_SCORES, Mark, check_score
from app.grading.subjects import AssessmentKind, Subject

_DECIMAL_ONLY = frozenset({Decimal})
_COMMENT_ONLY = frozenset({CommentLevel})
_SCORE = AssessmentKind.SCORE


@dataclass(frozen=True, slots=True)
class TermAssessments:
    """One subject's assessments in one term; ``None`` means not entered yet."""

    regular: tuple[Mark | None, ...] = ()
    mid: Mark | None = None
    final: Mark | None = None


# Slot of an assessment within a term: the position of a ĐĐGtx (1, 2, …), or "gk" / "ck".
Slot = int | str


def _field(subject: Subject, term: Term | None, slot: Slot) -> str:
    """Field name for error messages, e.g. ``TOAN.hk1.tx2``; built only when needed."""
    where = f".hk{term.value}" if term is not None else ""
    return f"{subject.code}{where}.{f'tx{slot}' if isinstance(slot, int) else slot}"


def _as_score(subject: Subject, mark: Mark, term: Term | None, slot: Slot) -> Decimal:
    field = _field(subject, term, slot)
    if type(mark) is Decimal:
        return check_score(mark, field=field)
    raise InvalidScore(
        f"{subject.name} là môn đánh giá bằng điểm số: cần nhập điểm từ 0 đến 10", field=field
    )


def _as_comment(subject: Subject, mark: Mark, term: Term | None, slot: Slot) -> CommentLevel:
    if type(mark) is CommentLevel:
        return mark
    raise InvalidScore(
        f"{subject.name} là môn đánh giá bằng nhận xét: cần nhập Đạt hoặc Chưa đạt",
        field=_field(subject, term, slot),
    )


def check_mark(subject: Subject, mark: Mark, *, slot: Slot, term: Term | None = None) -> Mark:
    """Check that ``mark`` fits the subject's kind and, for a score, the scale."""
    if subject.kind is _SCORE:
        return _as_score(subject, mark, term, slot)
    return _as_comment(subject, mark, term, slot)


def _all_valid(subject: Subject, marks: list[Mark]) -> bool:
    """Bulk check, in C, that every mark has the subject's kind and (scores) is on the scale."""
    try:
        if subject.kind is _SCORE:
            return set(map(type, marks)) <= _DECIMAL_ONLY and VALID_SCORES.issuperset(marks)
        return set(map(type, marks)) <= _COMMENT_ONLY
    except TypeError:  # a signalling NaN cannot be hashed; the slow path names it
        return False


def _validate(
    subject: Subject, term: Term, assessments: TermAssessments, entered: list[Mark]
) -> None:
    """Raise ``InvalidScore`` naming the first entered mark that does not fit the subject."""
    mid, final = assessments.mid, assessments.final
    if _all_valid(subject, [*entered, *(m for m in (mid, final) if m is not None)]):
        return
    for i, mark in enumerate(assessments.regular, start=1):
        if mark is not None:
            check_mark(subject, mark, term=term, slot=i)
    for mark, slot in ((mid, "gk"), (final, "ck")):
        if mark is not None:
            check_mark(subject, mark, term=term, slot=slot)


def check_term(subject: Subject, term: Term, assessments: TermAssessments) -> None:
    """Raise ``InvalidScore`` naming the first entered mark of one term that does not fit the
    subject (of the wrong kind, or off the scale)."""
    _validate(subject, term, assessments, [m for m in assessments.regular if m is not None])


def _missing(
    subject: Subject, grade: int, term: Term, assessments: TermAssessments, entered: int
) -> tuple[Missing, ...]:
    lacking = subject.regular_count(grade) - entered
    if lacking <= 0 and assessments.mid is not None and assessments.final is not None:
        return ()
    missing: list[Missing] = []
    if lacking > 0:
        missing.append(Missing(MissingItem.REGULAR, subject.code, subject.name, term, lacking))
    if assessments.mid is None:
        missing.append(Missing(MissingItem.MID, subject.code, subject.name, term))
    if assessments.final is None:
        missing.append(Missing(MissingItem.FINAL, subject.code, subject.name, term))
    return tuple(missing)


def subject_term_result(
    *, subject: Subject, grade: int, term: Term, assessments: TermAssessments
) -> Result[Mark]:
    """ĐTBmhk for a score subject, Đạt/Chưa đạt for a comment subject, or ``Pending``.

    Entered marks are validated even when others are missing: ``InvalidScore`` for a mark of
    the wrong kind or off the scale.
    """
    regular = [m for m in assessments.regular if m is not None]
    _validate(subject, term, assessments, regular)
    missing = _missing(subject, grade, term, assessments, len(regular))
    if missing:
        return Pending(missing)
    # _validate has checked every mark's type; the casts only tell the type checker.
    if subject.kind is _SCORE:
        return Computed(
            term_average(
                regular=cast(list[Decimal], regular),
                mid=cast(Decimal, assessments.mid),
                final=cast(Decimal, assessments.final),
            )
        )
    return Computed(
        comment_term_level(
            regular=cast(list[CommentLevel], regular),
            mid=cast(CommentLevel, assessments.mid),
            final=cast(CommentLevel, assessments.final),
        )
    )


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
