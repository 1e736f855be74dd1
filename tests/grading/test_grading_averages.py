"""round1, ĐTBmhk and ĐTBmcn on hand-worked cases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.grading import round1, term_average, year_average


def d(*values: str) -> list[Decimal]:
    return [Decimal(v) for v in values]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("8.25", "8.3"),  # half up, where banker's rounding would give 8.2
        ("6.45", "6.5"),  # half up, where banker's rounding would give 6.4
        ("8.35", "8.4"),
        ("8.24", "8.2"),
        ("8.2499999", "8.2"),
        ("0.05", "0.1"),
        ("9.95", "10.0"),
        ("7", "7.0"),
        ("4.96666666", "5.0"),
    ],
)
def test_round1_half_up(raw: str, expected: str) -> None:
    result = round1(Decimal(raw))
    assert result == Decimal(expected)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("regular", "mid", "final", "expected"),
    [
        # (7 + 8 + 2·6 + 3·9) / 7 = 54/7 = 7.714…
        (d("7", "8"), "6", "9", "7.7"),
        # (8 + 9 + 7 + 2·8 + 3·7) / 8 = 61/8 = 7.625
        (d("8", "9", "7"), "8", "7", "7.6"),
        # (6 + 6 + 6.6 + 2·6 + 3·7) / 8 = 51.6/8 = 6.45 → half up 6.5
        (d("6", "6", "6.6"), "6", "7", "6.5"),
        # (5 + 6.5 + 7 + 8 + 2·6 + 3·5.5) / 9 = 55/9 = 6.111…
        (d("5", "6.5", "7", "8"), "6", "5.5", "6.1"),
        # (7 + 8 + 9 + 6 + 2·7 + 3·8) / 9 = 68/9 = 7.555…
        (d("7", "8", "9", "6"), "7", "8", "7.6"),
        (d("10", "10", "10", "10"), "10", "10", "10.0"),
        (d("0", "0"), "0", "0", "0.0"),
        (d("6.5", "6.5"), "6.5", "6.5", "6.5"),
        # weights: regular 1 each, mid 2, final 3 (20/7, 20/7, 30/7)
        (d("10", "10"), "0", "0", "2.9"),
        (d("0", "0"), "10", "0", "2.9"),
        (d("0", "0"), "0", "10", "4.3"),
        # more regular assessments than required all count: (50 + 10 + 15) / 10
        (d("10", "10", "10", "10", "10"), "5", "5", "7.5"),
    ],
)
def test_term_average(regular: list[Decimal], mid: str, final: str, expected: str) -> None:
    result = term_average(regular=regular, mid=Decimal(mid), final=Decimal(final))
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -1


@pytest.mark.parametrize(
    ("term1", "term2", "expected"),
    [
        ("7.0", "8.0", "7.7"),  # 23/3 = 7.667
        ("8.0", "7.0", "7.3"),  # 22/3 = 7.333: term II weighs double
        ("6.4", "6.5", "6.5"),  # 19.4/3 = 6.467
        ("4.9", "5.0", "5.0"),  # 14.9/3 = 4.967
        ("5.0", "4.9", "4.9"),  # 14.8/3 = 4.933
        ("9.2", "8.9", "9.0"),  # 27.0/3 = 9.0
        ("10.0", "10.0", "10.0"),
        ("0.0", "0.0", "0.0"),
        ("0.0", "10.0", "6.7"),
        ("10.0", "0.0", "3.3"),
    ],
)
def test_year_average(term1: str, term2: str, expected: str) -> None:
    result = year_average(term1=Decimal(term1), term2=Decimal(term2))
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -1
