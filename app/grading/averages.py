"""Subject averages for score-graded subjects: ĐTBmhk (term) and ĐTBmcn (year).

Decision: the year average is computed from the term averages *after* rounding, i.e. from the
numbers printed in the record book, so that anyone can check it by hand. An exhaustive check over
every possible unrounded term average (totals in tenths over 7, 8 or 9) and every term II average
shows the choice never changes the rounded year average, so it is a matter of explanation only.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from app.grading.rounding import round1

MID_WEIGHT = 2
FINAL_WEIGHT = 3
TERM_II_WEIGHT = 2


def term_average(*, regular: Sequence[Decimal], mid: Decimal, final: Decimal) -> Decimal:
    """ĐTBmhk = (sum of ĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck) / (number of ĐĐGtx + 5), rounded by round1.

    The caller checks that enough regular assessments are present (see ``subject_results``).
    """
    total = sum(regular, Decimal(0)) + MID_WEIGHT * mid + FINAL_WEIGHT * final
    return round1(total / (len(regular) + MID_WEIGHT + FINAL_WEIGHT))


def year_average(*, term1: Decimal, term2: Decimal) -> Decimal:
    """ĐTBmcn = (ĐTBmhk I + 2·ĐTBmhk II) / 3 from the rounded term averages, rounded by round1."""
    return round1((term1 + TERM_II_WEIGHT * term2) / (1 + TERM_II_WEIGHT))
