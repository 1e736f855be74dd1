"""Titles: Học sinh Xuất sắc, Học sinh Giỏi, or none."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.grading import Level, Title, year_title

T, K, D, CD = Level.GOOD, Level.FAIR, Level.PASS, Level.FAIL


def s(*groups: tuple[str, int]) -> list[Decimal]:
    return [Decimal(v) for v, n in groups for _ in range(n)]


@pytest.mark.parametrize(
    ("conduct", "learning", "scores", "expected"),
    [
        (T, T, s(("9.0", 6), ("8.0", 2)), Title.EXCELLENT),
        (T, T, s(("10", 8)), Title.EXCELLENT),
        (T, T, s(("9.0", 5), ("8.9", 1), ("8.0", 2)), Title.GOOD),  # five vs six at 9.0
        (T, T, s(("8.9", 8)), Title.GOOD),
        (K, T, s(("10", 8)), None),
        (T, K, s(("10", 8)), None),
        (D, T, s(("10", 8)), None),
        (T, CD, s(("10", 8)), None),
        (K, K, s(("9.0", 8)), None),
    ],
)
def test_year_title(
    conduct: Level, learning: Level, scores: list[Decimal], expected: Title | None
) -> None:
    assert year_title(conduct=conduct, learning=learning, year_scores=scores) is expected
