"""The one rounding rule for averages: half up, to one decimal place."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")


def round1(x: Decimal) -> Decimal:
    """Round half up to one decimal: 8.25 → 8.3, 8.24 → 8.2, 6.45 → 6.5.

    Not banker's rounding (Python's default for ``round``), which would give 8.25 → 8.2.
    """
    return x.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
