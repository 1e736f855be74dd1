"""Re-assessment (kiểm tra lại) after a year learning result of Chưa đạt.

Subjects re-assessed: comment subjects with a year result of Chưa đạt and score subjects with
ĐTBmcn < 5.0. Each re-assessment result replaces the subject's year result, and the year
learning result is computed again by the same rule. Results given for subjects that were not
due for re-assessment are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from app.grading.learning import learning_result
from app.grading.levels import CommentLevel, Level
from app.grading.result import Computed, Missing, MissingItem, Pending, Result
from app.grading.rules import DEFAULT_RULES, GradingRules
from app.grading.scores import Mark
from app.grading.subjects import catalogue

REASSESSMENT_BELOW = Decimal("5.0")


def is_due_for_reassessment(mark: Mark) -> bool:
    """A year result that must be re-assessed when the year learning result is Chưa đạt."""
    if isinstance(mark, Decimal):
        return mark < REASSESSMENT_BELOW
    return mark is CommentLevel.FAIL


def reassessment_subjects(*, year_results: Mapping[str, Mark]) -> tuple[str, ...]:
    """Codes of the subjects to re-assess, in the order given."""
    return tuple(code for code, mark in year_results.items() if is_due_for_reassessment(mark))


def learning_after_reassessment(
    *,
    year_results: Mapping[str, Mark],
    reassessment: Mapping[str, Mark],
    rules: GradingRules = DEFAULT_RULES,
) -> Result[Level]:
    """The year learning result recomputed with the re-assessment results, or ``Pending``
    naming the subjects whose re-assessment result is still awaited."""
    subjects = catalogue(rules=rules)
    due = reassessment_subjects(year_results=year_results)
    awaited = tuple(
        Missing(MissingItem.REASSESSMENT, code, subjects[code].name if code in subjects else None)
        for code in due
        if code not in reassessment
    )
    if awaited:
        return Pending(awaited)
    scores: list[Decimal] = []
    comments: list[CommentLevel] = []
    for code, mark in year_results.items():
        used = reassessment[code] if code in due else mark
        if isinstance(used, Decimal):
            scores.append(used)
        else:
            comments.append(used)
    return Computed(learning_result(scores=scores, comments=comments, rules=rules))
