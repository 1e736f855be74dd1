"""Learning result (kết quả học tập) of a term or of the year, from per-subject results.

For a term the score values are ĐTBmhk, for the year ĐTBmcn (after re-assessment, the
re-assessment scores replace the ĐTBmcn of the re-assessed subjects).

- Tốt: every comment subject Đạt; every score subject ≥ 6.5; at least 6 score subjects ≥ 8.0.
- Khá: every comment subject Đạt; every score subject ≥ 5.0; at least 6 score subjects ≥ 6.5.
- Đạt: at most one comment subject Chưa đạt; at least 6 score subjects ≥ 5.0; none < 3.5.
- Chưa đạt: otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from app.grading.levels import CommentLevel, Level
from app.grading.rules import DEFAULT_RULES, GradingRules

GOOD_FLOOR, GOOD_BAR = Decimal("6.5"), Decimal("8.0")
FAIR_FLOOR, FAIR_BAR = Decimal("5.0"), Decimal("6.5")
PASS_FLOOR, PASS_BAR = Decimal("3.5"), Decimal("5.0")
MIN_SUBJECTS_AT_BAR = 6
MAX_COMMENT_FAILS_FOR_PASS = 1

_NO_SKIP = -1
_TOP = Decimal(10)


def learning_result(
    *,
    scores: Sequence[Decimal],
    comments: Sequence[CommentLevel],
    rules: GradingRules = DEFAULT_RULES,
) -> Level:
    """Classify one pupil's term or year from score-subject values and comment-subject levels.

    With ``rules.lift_one_level`` (unconfirmed, off by default) a result lowered by two or more
    levels because of exactly one subject is raised by one level; see ``GradingRules``.
    """
    level = _classify(scores, comments, _NO_SKIP, _NO_SKIP)
    if rules.lift_one_level and level.rank <= Level.PASS.rank:
        return _lift_one_level(scores, comments, level)
    return level


def _classify(
    scores: Sequence[Decimal], comments: Sequence[CommentLevel], skip_score: int, skip_comment: int
) -> Level:
    """The rule table. A skipped subject is left out of the floor conditions ("every …",
    "none below …", "at most one Chưa đạt") but still counted in the "at least 6" conditions."""
    at_good = at_fair = at_pass = 0
    lowest = _TOP
    for i, score in enumerate(scores):
        if score >= GOOD_BAR:
            at_good += 1
        if score >= FAIR_BAR:
            at_fair += 1
        if score >= PASS_BAR:
            at_pass += 1
        if score < lowest and i != skip_score:
            lowest = score
    fails = sum(1 for i, c in enumerate(comments) if c is CommentLevel.FAIL and i != skip_comment)
    if fails == 0 and lowest >= GOOD_FLOOR and at_good >= MIN_SUBJECTS_AT_BAR:
        return Level.GOOD
    if fails == 0 and lowest >= FAIR_FLOOR and at_fair >= MIN_SUBJECTS_AT_BAR:
        return Level.FAIR
    if (
        fails <= MAX_COMMENT_FAILS_FOR_PASS
        and lowest >= PASS_FLOOR
        and at_pass >= MIN_SUBJECTS_AT_BAR
    ):
        return Level.PASS
    return Level.FAIL


def _lift_one_level(
    scores: Sequence[Decimal], comments: Sequence[CommentLevel], level: Level
) -> Level:
    """UNCONFIRMED clause: +1 level when exactly one subject alone costs two or more levels.

    At most one subject can qualify: for two subjects to each restore two levels alone, each
    would have to meet the floors the other one breaks. The count keeps the rule's wording.
    """
    culprits = sum(
        1
        for i in range(len(scores))
        if _classify(scores, comments, i, _NO_SKIP).rank - level.rank >= 2
    ) + sum(
        1
        for i in range(len(comments))
        if _classify(scores, comments, _NO_SKIP, i).rank - level.rank >= 2
    )
    return Level.from_rank(level.rank + 1) if culprits == 1 else level
