"""Property tests: averages stay on the scale, raising a score never hurts, year between terms."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.errors import InvalidScore
from app.grading import (
    SUBJECTS,
    CommentLevel,
    Computed,
    GradingRules,
    Term,
    TermAssessments,
    learning_result,
    parse_comment_level,
    parse_score,
    subject_term_result,
    term_average,
    year_average,
)

FAST = settings(max_examples=300, deadline=None)

scores = st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n).scaleb(-1))
regulars = st.lists(scores, min_size=2, max_size=5)
rules = st.sampled_from([GradingRules(), GradingRules(lift_one_level=True)])

SCORE_CODES = ("NGUVAN", "TOAN", "NGOAINGU1", "GDCD", "LSDL", "KHTN", "CONGNGHE", "TINHOC")
COMMENT_CODES = ("GDTC", "NGHETHUAT", "HDTN", "GDDP")


def one_decimal_on_scale(value: Decimal) -> bool:
    return Decimal(0) <= value <= Decimal(10) and value.as_tuple().exponent == -1


@FAST
@given(regular=regulars, mid=scores, final=scores)
def test_term_average_on_scale_with_one_decimal(
    regular: list[Decimal], mid: Decimal, final: Decimal
) -> None:
    assert one_decimal_on_scale(term_average(regular=regular, mid=mid, final=final))


@FAST
@given(term1=scores, term2=scores)
def test_year_average_on_scale_and_between_terms(term1: Decimal, term2: Decimal) -> None:
    year = year_average(term1=term1, term2=term2)
    assert one_decimal_on_scale(year)
    # Rounded to one decimal, a weighted mean of one-decimal values stays within them.
    assert min(term1, term2) <= year <= max(term1, term2)


@FAST
@given(
    regular=regulars,
    mid=scores,
    final=scores,
    position=st.integers(min_value=0, max_value=6),
    gain=st.integers(min_value=1, max_value=100),
)
def test_raising_one_score_never_lowers_the_term_average(
    regular: list[Decimal], mid: Decimal, final: Decimal, position: int, gain: int
) -> None:
    before = term_average(regular=regular, mid=mid, final=final)
    values = [*regular, mid, final]
    index = position % len(values)
    values[index] = min(Decimal(10), values[index] + Decimal(gain).scaleb(-1))
    after = term_average(regular=values[:-2], mid=values[-2], final=values[-1])
    assert after >= before


@FAST
@given(values=st.lists(scores, min_size=6, max_size=10), data=st.data(), rule=rules)
def test_raising_one_subject_never_lowers_the_learning_result(
    values: list[Decimal], data: st.DataObject, rule: GradingRules
) -> None:
    comments = data.draw(st.lists(st.sampled_from(list(CommentLevel)), min_size=4, max_size=5))
    before = learning_result(scores=values, comments=comments, rules=rule)
    raised = values[:]
    index = data.draw(st.integers(min_value=0, max_value=len(values) - 1))
    raised[index] = min(Decimal(10), raised[index] + data.draw(scores))
    after = learning_result(scores=raised, comments=comments, rules=rule)
    assert after.rank >= before.rank
    # Turning one comment subject from Chưa đạt to Đạt never hurts either.
    improved = [CommentLevel.PASS if i == 0 else c for i, c in enumerate(comments)]
    better = learning_result(scores=values, comments=improved, rules=rule)
    assert better.rank >= before.rank


term_inputs = st.tuples(st.lists(scores, min_size=4, max_size=4), scores, scores)


@settings(max_examples=150, deadline=None)
@given(
    terms=st.lists(term_inputs, min_size=8, max_size=8),
    comments=st.lists(st.sampled_from(list(CommentLevel)), min_size=4, max_size=4),
    data=st.data(),
    rule=rules,
)
def test_raising_one_assessment_never_lowers_term_learning_result(
    terms: list[tuple[list[Decimal], Decimal, Decimal]],
    comments: list[CommentLevel],
    data: st.DataObject,
    rule: GradingRules,
) -> None:
    """End to end from assessments: ĐTBmhk per subject, then the learning result."""

    def learning(all_terms: list[tuple[list[Decimal], Decimal, Decimal]]) -> int:
        averages: list[Decimal] = []
        for code, (regular, mid, final) in zip(SCORE_CODES, all_terms, strict=True):
            result = subject_term_result(
                subject=SUBJECTS[code],
                grade=8,
                term=Term.I,
                assessments=TermAssessments(tuple(regular), mid, final),
            )
            assert isinstance(result, Computed)
            assert isinstance(result.value, Decimal)
            averages.append(result.value)
        return learning_result(scores=averages, comments=comments, rules=rule).rank

    before = learning(terms)
    subject_index = data.draw(st.integers(min_value=0, max_value=7))
    slot = data.draw(st.integers(min_value=0, max_value=5))
    gain = data.draw(scores)
    regular, mid, final = terms[subject_index]
    values = [*regular, mid, final]
    values[slot] = min(Decimal(10), values[slot] + gain)
    changed = terms[:]
    changed[subject_index] = (values[:4], values[4], values[5])
    assert learning(changed) >= before


@FAST
@given(tenths=st.integers(min_value=0, max_value=100), comma=st.booleans(), pad=st.booleans())
def test_parse_score_round_trip(tenths: int, comma: bool, pad: bool) -> None:
    expected = Decimal(tenths).scaleb(-1)
    text = f"{tenths // 10}{',' if comma else '.'}{tenths % 10}"
    if pad:
        text = f"  {text}\t"
    assert parse_score(text) == expected


@FAST
@given(tenths=st.integers(min_value=101, max_value=10_000))
def test_parse_score_rejects_everything_above_ten(tenths: int) -> None:
    with pytest.raises(InvalidScore, match="0 đến 10"):
        parse_score(f"{tenths // 10},{tenths % 10}")


@FAST
@given(
    word=st.sampled_from(["Đạt", "Chưa đạt", "Đ", "CĐ"]),
    flips=st.lists(st.booleans(), min_size=8, max_size=8),
    form=st.sampled_from(["NFC", "NFD"]),
)
def test_comment_level_ignores_case_and_normalisation(
    word: str, flips: list[bool], form: Literal["NFC", "NFD"]
) -> None:
    expected = CommentLevel.PASS if word in ("Đạt", "Đ") else CommentLevel.FAIL
    cased = "".join(
        c.upper() if f else c.lower() for c, f in zip(word, flips[: len(word)], strict=True)
    )
    assert parse_comment_level(unicodedata.normalize(form, cased)) is expected
