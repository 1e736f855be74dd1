"""Year titles (danh hiệu): Học sinh Xuất sắc and Học sinh Giỏi.

- Xuất sắc: conduct Tốt, learning Tốt, and at least 6 score subjects with ĐTBmcn ≥ 9.0.
- Giỏi: conduct Tốt and learning Tốt, when not Xuất sắc.

Titles use the year results before any re-assessment (a pupil with learning Tốt is never
re-assessed, so the distinction only matters for robustness).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from app.grading.levels import Level, Title

EXCELLENT_BAR = Decimal("9.0")
MIN_SUBJECTS_AT_EXCELLENT = 6


def year_title(*, conduct: Level, learning: Level, year_scores: Iterable[Decimal]) -> Title | None:
    """The pupil's title, or ``None`` when there is none."""
    if conduct is not Level.GOOD or learning is not Level.GOOD:
        return None
    if sum(1 for s in year_scores if s >= EXCELLENT_BAR) >= MIN_SUBJECTS_AT_EXCELLENT:
        return Title.EXCELLENT
    return Title.GOOD
