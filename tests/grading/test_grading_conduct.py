"""Year conduct from the two terms: every cell of the 4×4 table."""

from __future__ import annotations

import pytest

from app.grading import Level, year_conduct

T, K, D, CD = Level.GOOD, Level.FAIR, Level.PASS, Level.FAIL

# Rows: term I. Columns: term II = T, K, Đ, CĐ. Written out from DOMAIN §3 by hand.
TABLE = {
    T: (T, K, K, CD),
    K: (T, K, D, CD),
    D: (K, K, D, CD),
    CD: (K, D, D, CD),
}


@pytest.mark.parametrize(
    ("term1", "term2", "expected"),
    [
        (term1, term2, expected)
        for term1, row in TABLE.items()
        for term2, expected in zip((T, K, D, CD), row, strict=True)
    ],
    ids=lambda v: v.code if isinstance(v, Level) else str(v),
)
def test_year_conduct_table(term1: Level, term2: Level, expected: Level) -> None:
    assert year_conduct(term1=term1, term2=term2) is expected


def test_table_has_sixteen_cells() -> None:
    assert sum(len(row) for row in TABLE.values()) == 16
