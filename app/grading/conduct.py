"""Year conduct (kết quả rèn luyện cả năm) from the two terms' conduct.

- Tốt: term II Tốt and term I Khá or better.
- Khá: term II Khá and term I Đạt or better; or term II Đạt and term I Tốt;
  or term II Tốt and term I Đạt or Chưa đạt.
- Đạt: term II Đạt and term I Khá, Đạt or Chưa đạt; or term II Khá and term I Chưa đạt.
- Chưa đạt: otherwise (that is, term II Chưa đạt).
"""

from __future__ import annotations

from app.grading.levels import Level


def year_conduct(*, term1: Level, term2: Level) -> Level:
    """Combine term I and term II conduct; term II weighs more."""
    if term2 is Level.GOOD:
        return Level.GOOD if term1.rank >= Level.FAIR.rank else Level.FAIR
    if term2 is Level.FAIR:
        return Level.FAIR if term1.rank >= Level.PASS.rank else Level.PASS
    if term2 is Level.PASS:
        return Level.FAIR if term1 is Level.GOOD else Level.PASS
    return Level.FAIL
