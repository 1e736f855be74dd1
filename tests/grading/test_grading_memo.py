"""A subject's results are remembered between computations: the same answers as computed
afresh, and never a way around the checks of what was entered."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from decimal import Decimal

import pytest

from app.errors import InvalidScore
from app.grading import (
    CommentLevel,
    Computed,
    Pending,
    SubjectInput,
    TermAssessments,
    YearInput,
    catalogue,
    compute_year,
)
from app.grading import year as year_module
from app.grading.levels import Level, Term
from app.grading.result import Missing, MissingItem


def term(*regular: object, mid: object = None, final: object = None) -> TermAssessments:
    return TermAssessments(tuple(regular), mid, final)  # type: ignore[arg-type]


def year_with(toan: SubjectInput) -> YearInput:
    return YearInput(
        grade=7,
        subjects=(toan,),
        conduct_term1=Level.GOOD,
        conduct_term2=None,
        absences_excused=0,
        absences_unexcused=0,
    )


D = Decimal
COMPLETE = term(D(8), D("7.5"), D(9), D(6), mid=D(7), final=D("8.5"))
PARTIAL = term(D(8), None, D(9), mid=None, final=D("8.5"))


@pytest.fixture(autouse=True)
def fresh_memory() -> None:
    year_module._remembered_terms.cache_clear()


@pytest.mark.parametrize(
    ("first", "second"),
    [(COMPLETE, COMPLETE), (COMPLETE, PARTIAL), (PARTIAL, COMPLETE), (PARTIAL, PARTIAL)],
)
def test_remembered_results_equal_fresh_ones(
    first: TermAssessments, second: TermAssessments
) -> None:
    toan = catalogue()["TOAN"]
    fresh = year_module._terms(toan, 7, first, second)
    computed = compute_year(inputs=year_with(SubjectInput("TOAN", first, second)))
    again = compute_year(inputs=year_with(SubjectInput("TOAN", first, second)))
    assert year_module._remembered_terms.cache_info().hits >= 1
    for result in (computed, again):
        got = result.subjects[0]
        assert (got.term1, got.term2, got.year) == fresh
        assert result.missing == computed.missing
    if isinstance(fresh[0], Computed):
        assert str(fresh[0].value) == str(again.subjects[0].term1.value)  # same digits too


def test_marks_are_checked_even_when_their_values_are_remembered() -> None:
    compute_year(inputs=year_with(SubjectInput("TOAN", COMPLETE, PARTIAL)))
    # 8 as an int equals Decimal(8) (and hashes alike) but is not a score: still refused.
    wrong = term(8, D("7.5"), D(9), D(6), mid=D(7), final=D("8.5"))
    with pytest.raises(InvalidScore) as caught:
        compute_year(inputs=year_with(SubjectInput("TOAN", wrong, PARTIAL)))
    assert caught.value.field == "TOAN.hk1.tx1"
    comment = term(CommentLevel.PASS, mid=D(7), final=D("8.5"))
    with pytest.raises(InvalidScore, match="điểm số"):
        compute_year(inputs=year_with(SubjectInput("TOAN", comment, PARTIAL)))


def test_equal_scores_written_differently_give_the_same_digits() -> None:
    plain = term(D(8), D(8), D(8), D(8), mid=D(8), final=D(8))
    padded = term(D("8.0"), D("8.0"), D("8.0"), D("8.0"), mid=D("8.0"), final=D("8.0"))
    first = compute_year(inputs=year_with(SubjectInput("TOAN", plain, plain)))
    second = compute_year(inputs=year_with(SubjectInput("TOAN", padded, padded)))
    year_module._remembered_terms.cache_clear()
    fresh = compute_year(inputs=year_with(SubjectInput("TOAN", padded, padded)))
    for result in (first, second):
        got = result.subjects[0]
        assert isinstance(got.year, Computed)
        assert str(got.year.value) == str(fresh.subjects[0].year.value) == "8.0"


def test_reassessment_is_the_pupils_own_mark() -> None:
    first = SubjectInput("TOAN", COMPLETE, COMPLETE, reassessment=D(6))
    second = SubjectInput("TOAN", COMPLETE, COMPLETE, reassessment=D("6.0"))
    compute_year(inputs=year_with(first))
    again = compute_year(inputs=year_with(second))
    assert str(again.subjects[0].reassessment) == "6.0"


def test_lists_instead_of_tuples_are_computed_without_memory() -> None:
    listed = TermAssessments([D(8), D(7), D(9), D(6)], D(7), D(8))  # type: ignore[arg-type]
    result = compute_year(inputs=year_with(SubjectInput("TOAN", listed, PARTIAL)))
    assert isinstance(result.subjects[0].term1, Computed)
    assert isinstance(result.subjects[0].term2, Pending)
    assert result.subjects[0].term2.missing[0].term is Term.II


def test_a_missing_input_is_a_value() -> None:
    first = Missing(MissingItem.REGULAR, "TOAN", "Toán", Term.I, 2)
    same = Missing(MissingItem.REGULAR, "TOAN", "Toán", Term.I, 2)
    other = Missing(MissingItem.REGULAR, "TOAN", "Toán", Term.I, 1)
    assert first == same
    assert first is same  # made once: equal inputs are the same object
    assert hash(first) == hash(same)
    assert first != other
    assert list(dict.fromkeys([first, other, same])) == [first, other]
    again = pickle.loads(pickle.dumps(first))
    assert again == first
    assert copy.deepcopy(first) is first
    assert hash(again) == hash(first)
    assert dataclasses.replace(first, count=1) == other
    assert first.message == "Toán: thiếu 2 ĐĐGtx học kỳ I"
    assert dataclasses.replace(first, count=1).message == "Toán: thiếu 1 ĐĐGtx học kỳ I"
    assert pickle.loads(pickle.dumps(other)).message == other.message
    assert repr(first) == (
        "Missing(item=<MissingItem.REGULAR: 'tx'>, subject='TOAN', subject_name='Toán', "
        "term=<Term.I: 1>, count=2)"
    )


def test_what_is_missing_is_listed_once() -> None:
    """Learning results list the subjects' missing inputs as they are (each subject's are
    distinct, and name their subject): no input is listed twice, in a term or the year."""
    toan = SubjectInput("TOAN", PARTIAL, term(D(8), mid=None, final=None))
    result = compute_year(inputs=year_with(toan))  # other compulsory subjects: absent
    for learning in (result.learning_term1, result.learning_term2, result.learning_year):
        assert isinstance(learning, Pending)
        assert len(set(learning.missing)) == len(learning.missing)
    assert len(set(result.missing)) == len(result.missing)
    assert {m.subject for m in result.learning_year.missing} >= {"TOAN", "NGUVAN"}
