"""Learning result (Tốt / Khá / Đạt / Chưa đạt) on worked cases and at every boundary."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from app.grading import CommentLevel, GradingRules, Level, learning_result

P, F = CommentLevel.PASS, CommentLevel.FAIL
T, K, D, CD = Level.GOOD, Level.FAIR, Level.PASS, Level.FAIL
ALL_PASS = (P, P, P, P)
LIFT = GradingRules(lift_one_level=True)


def s(*groups: tuple[str, int]) -> list[Decimal]:
    """s(("8.0", 6), ("6.5", 2)) → six 8.0 and two 6.5."""
    return [Decimal(v) for v, n in groups for _ in range(n)]


CASES = [
    # Tốt: every score ≥ 6.5, at least six ≥ 8.0, every comment Đạt.
    ("good at the boundaries", s(("8.0", 6), ("6.5", 2)), ALL_PASS, T),
    ("good with electives", s(("8.0", 6), ("6.5", 3)), ALL_PASS, T),
    ("only five at 8.0 → Khá", s(("8.0", 5), ("7.9", 1), ("6.5", 2)), ALL_PASS, K),
    ("one score 6.4 → Khá", s(("8.0", 7), ("6.4", 1)), ALL_PASS, K),
    ("one comment CĐ → Đạt", s(("9.0", 8)), (F, P, P, P), D),
    ("two comments CĐ → Chưa đạt", s(("9.0", 8)), (F, F, P, P), CD),
    # Khá: every score ≥ 5.0, at least six ≥ 6.5, every comment Đạt.
    ("fair at the boundaries", s(("6.5", 6), ("5.0", 2)), ALL_PASS, K),
    ("only five at 6.5 → Đạt", s(("6.5", 5), ("6.4", 1), ("5.0", 2)), ALL_PASS, D),
    ("one score 4.9 → Đạt", s(("6.5", 6), ("5.0", 1), ("4.9", 1)), ALL_PASS, D),
    ("fair scores, one comment CĐ → Đạt", s(("7.0", 8)), (P, P, P, F), D),
    # Đạt: at least six ≥ 5.0, none < 3.5, at most one comment CĐ.
    ("pass at the boundaries", s(("5.0", 6), ("3.5", 2)), ALL_PASS, D),
    ("pass with one comment CĐ", s(("5.0", 6), ("3.5", 2)), (P, F, P, P), D),
    ("only five at 5.0 → Chưa đạt", s(("5.0", 5), ("4.9", 1), ("3.5", 2)), ALL_PASS, CD),
    ("one score 3.4 → Chưa đạt", s(("5.0", 6), ("3.5", 1), ("3.4", 1)), ALL_PASS, CD),
    ("excellent but one score 3.4", s(("10", 7), ("3.4", 1)), ALL_PASS, CD),
    ("fewer than six score subjects", s(("10", 5)), ALL_PASS, CD),
    ("everything 0", s(("0", 8)), (F, F, F, F), CD),
    ("everything 10", s(("10", 8)), ALL_PASS, T),
]


@pytest.mark.parametrize(
    ("scores", "comments", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_learning_result(
    scores: list[Decimal], comments: tuple[CommentLevel, ...], expected: Level
) -> None:
    assert learning_result(scores=scores, comments=comments) is expected
    # Order of subjects never matters.
    shuffled = scores[:]
    random.Random(7).shuffle(shuffled)
    assert learning_result(scores=shuffled, comments=comments[::-1]) is expected


LIFT_CASES = [
    # A single comment CĐ costs two levels (Tốt → Đạt): lifted to Khá.
    ("comment costs two levels", s(("9.0", 8)), (F, P, P, P), D, K),
    # A single 3.0 costs three levels (Tốt → Chưa đạt): lifted by one, to Đạt.
    ("score costs three levels", s(("8.0", 7), ("3.0", 1)), ALL_PASS, CD, D),
    # A single 4.0 costs two levels (Tốt → Đạt): lifted to Khá.
    ("score costs two levels", s(("8.0", 7), ("4.0", 1)), ALL_PASS, D, K),
    # A single 6.0 costs one level only: no lift.
    ("one level only", s(("8.0", 7), ("6.0", 1)), ALL_PASS, K, K),
    # Two subjects below 3.5: not "exactly one subject".
    ("two culprits", s(("8.0", 6), ("3.0", 2)), ALL_PASS, CD, CD),
    # A score and a comment, each costing a level: not one subject.
    ("score and comment", s(("9.0", 7), ("3.0", 1)), (F, P, P, P), CD, CD),
    # Lowered by the counts, not by one subject's floor: no lift.
    ("counts not floors", s(("5.0", 5), ("4.9", 3)), ALL_PASS, CD, CD),
    ("plain Khá", s(("7.0", 8)), ALL_PASS, K, K),
]


@pytest.mark.parametrize(
    ("scores", "comments", "default", "lifted"),
    [c[1:] for c in LIFT_CASES],
    ids=[c[0] for c in LIFT_CASES],
)
def test_lift_one_level_setting(
    scores: list[Decimal], comments: tuple[CommentLevel, ...], default: Level, lifted: Level
) -> None:
    assert learning_result(scores=scores, comments=comments) is default
    assert learning_result(scores=scores, comments=comments, rules=LIFT) is lifted
