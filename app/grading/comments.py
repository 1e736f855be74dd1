"""Term and year results of comment-graded subjects (Đạt / Chưa đạt).

Term: Đạt iff all required assessments are present and all are Đạt. "Present" is checked by the
caller (``subject_results``): an assessment not yet entered makes the term ``Pending``, not
Chưa đạt, because the term may still be open. A pupil who missed an assessment and its make-up is
recorded by the teacher as Chưa đạt for that assessment, which this rule then turns into a
Chưa đạt term.
Year: the result of term II.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.grading.levels import CommentLevel


def comment_term_level(
    *, regular: Sequence[CommentLevel], mid: CommentLevel, final: CommentLevel
) -> CommentLevel:
    """Đạt iff every given assessment is Đạt."""
    if (
        mid is CommentLevel.PASS
        and final is CommentLevel.PASS
        and all(r is CommentLevel.PASS for r in regular)
    ):
        return CommentLevel.PASS
    return CommentLevel.FAIL


def comment_year_level(*, term2: CommentLevel) -> CommentLevel:
    """The year result of a comment subject is its term II result."""
    return term2
