"""Comment subjects: term result, year result, and missing assessments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.errors import InvalidScore
from app.grading import (
    SUBJECTS,
    CommentLevel,
    Computed,
    Mark,
    Pending,
    Result,
    Term,
    TermAssessments,
    comment_term_level,
    subject_term_result,
    subject_year_result,
)

P, F = CommentLevel.PASS, CommentLevel.FAIL
GDTC = SUBJECTS["GDTC"]


@pytest.mark.parametrize(
    ("regular", "mid", "final", "expected"),
    [
        ((P, P), P, P, P),
        ((F, P), P, P, F),
        ((P, F), P, P, F),
        ((P, P), F, P, F),
        ((P, P), P, F, F),
        ((F, F), F, F, F),
        ((P, P, P), P, P, P),
    ],
)
def test_comment_term_level(
    regular: tuple[CommentLevel, ...],
    mid: CommentLevel,
    final: CommentLevel,
    expected: CommentLevel,
) -> None:
    assert comment_term_level(regular=regular, mid=mid, final=final) is expected


def term(assessments: TermAssessments, which: Term = Term.I) -> Result[Mark]:
    return subject_term_result(subject=GDTC, grade=6, term=which, assessments=assessments)


def test_complete_term_all_pass() -> None:
    assert term(TermAssessments((P, P), P, P)) == Computed(P)


def test_complete_term_one_fail() -> None:
    assert term(TermAssessments((P, P), P, F)) == Computed(F)


def test_one_missing_regular_assessment_is_pending_not_a_result() -> None:
    result = term(TermAssessments((P,), P, P))
    assert isinstance(result, Pending)
    assert result.messages == ("Giáo dục thể chất: thiếu 1 ĐĐGtx học kỳ I",)
    assert result.keys == ("GDTC.hk1.tx",)


def test_missing_final_in_term_two() -> None:
    result = term(TermAssessments((P, P), P, None), Term.II)
    assert isinstance(result, Pending)
    assert result.messages == ("Giáo dục thể chất: thiếu ĐĐGck học kỳ II",)
    assert result.keys == ("GDTC.hk2.ck",)


def test_missing_one_while_another_is_fail_is_still_pending() -> None:
    # The term is not complete; the teacher must finish entering before a result exists.
    result = term(TermAssessments((F,), P, P))
    assert isinstance(result, Pending)


def test_everything_missing() -> None:
    result = term(TermAssessments())
    assert isinstance(result, Pending)
    assert result.messages == (
        "Giáo dục thể chất: thiếu 2 ĐĐGtx học kỳ I",
        "Giáo dục thể chất: thiếu ĐĐGgk học kỳ I",
        "Giáo dục thể chất: thiếu ĐĐGck học kỳ I",
    )


def test_blank_columns_are_ignored() -> None:
    assert term(TermAssessments((P, None, P), P, P)) == Computed(P)


def test_nan_in_score_subject_is_rejected_with_its_field() -> None:
    toan = SUBJECTS["TOAN"]
    for nan in (Decimal("NaN"), Decimal("sNaN")):
        marks = TermAssessments((Decimal(8),) * 4, Decimal(8), nan)
        with pytest.raises(InvalidScore, match="không phải là điểm hợp lệ") as caught:
            subject_term_result(subject=toan, grade=6, term=Term.II, assessments=marks)
        assert caught.value.field == "TOAN.hk2.ck"


def test_score_in_comment_subject_is_rejected() -> None:
    with pytest.raises(InvalidScore, match="nhận xét") as caught:
        term(TermAssessments((P, Decimal("8")), P, P))
    assert caught.value.field == "GDTC.hk1.tx2"


@pytest.mark.parametrize(
    ("term1", "term2", "expected"),
    [(P, P, P), (F, P, P), (P, F, F), (F, F, F)],
)
def test_year_result_is_term_two(
    term1: CommentLevel, term2: CommentLevel, expected: CommentLevel
) -> None:
    assert subject_year_result(term1=Computed(term1), term2=Computed(term2)) == Computed(expected)


def test_year_waits_for_term_one_gaps() -> None:
    pending = term(TermAssessments((P,), P, P))
    result = subject_year_result(term1=pending, term2=Computed(P))
    assert isinstance(result, Pending)
    assert result.keys == ("GDTC.hk1.tx",)
