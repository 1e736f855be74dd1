"""Promotion decision: lên lớp (grade 9: hoàn thành chương trình THCS), or what is still needed.

Promotion needs year conduct Đạt or better (after summer re-training if any), year learning Đạt
or better (after re-assessment if any) and at most 45 absent sessions (excused and unexcused
together). Otherwise:

- more than 45 absent sessions → retained, whatever the results;
- conduct Chưa đạt → summer re-training; the homeroom teacher's re-evaluation replaces it;
- learning Chưa đạt → re-assessment; the recomputed learning result replaces it;
- both → summer re-training first, then re-assessment.

Decisions where the rules are silent: a definitive failure (still Chưa đạt after re-training or
after re-assessment) retains the pupil at once, even if the other step is still outstanding;
a post-training conduct or post-re-assessment learning result given when the step was not
needed is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from app.errors import InvalidInput
from app.grading.levels import Level, Member
from app.grading.subjects import check_grade

MAX_ABSENT_SESSIONS = 45
FINAL_GRADE = 9


class Outcome(Member, Enum):
    """Where the pupil stands at the end of the year."""

    PROMOTED = "promoted"
    RETAINED = "retained"
    NEEDS_SUMMER_TRAINING = "summer_training"
    NEEDS_REASSESSMENT = "reassessment"
    NEEDS_BOTH = "summer_training_then_reassessment"

    @property
    def is_final(self) -> bool:
        return self in (Outcome.PROMOTED, Outcome.RETAINED)

    def label_for(self, grade: int) -> str:
        """Vietnamese label; grade 9 completes the THCS programme instead of moving up."""
        if self is Outcome.PROMOTED:
            return "Hoàn thành chương trình THCS" if grade == FINAL_GRADE else "Được lên lớp"
        if self is Outcome.RETAINED:
            return "Chưa hoàn thành chương trình THCS" if grade == FINAL_GRADE else "Ở lại lớp"
        return _PENDING_LABELS[self]


_PENDING_LABELS = {
    Outcome.NEEDS_SUMMER_TRAINING: "Rèn luyện trong kỳ nghỉ hè",
    Outcome.NEEDS_REASSESSMENT: "Kiểm tra lại",
    Outcome.NEEDS_BOTH: "Rèn luyện trong kỳ nghỉ hè, sau đó kiểm tra lại",
}


@dataclass(frozen=True, slots=True)
class Promotion:
    """The decision, the conduct and learning results it used, and the reasons in Vietnamese."""

    outcome: Outcome
    grade: int
    conduct: Level
    learning: Level
    reasons: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.outcome.label_for(self.grade)

    @property
    def promoted(self) -> bool | None:
        """True / False once decided, None while a summer step is outstanding."""
        return self.outcome is Outcome.PROMOTED if self.outcome.is_final else None


def decide_promotion(
    *,
    grade: int,
    conduct: Level,
    learning: Level,
    absent_sessions: int,
    conduct_after_training: Level | None = None,
    learning_after_reassessment: Level | None = None,
) -> Promotion:
    """Decide from the year results, using the summer results when they are present."""
    check_grade(grade)
    if absent_sessions < 0:
        raise InvalidInput("Số buổi nghỉ không được âm", field="absent_sessions")
    if absent_sessions > MAX_ABSENT_SESSIONS:
        reason = f"Nghỉ học {absent_sessions} buổi, quá {MAX_ABSENT_SESSIONS} buổi cho phép"
        return Promotion(Outcome.RETAINED, grade, conduct, learning, (reason,))

    reasons: list[str] = []
    training_due = reassessment_due = failed = False
    if conduct is Level.FAIL:
        if conduct_after_training is None:
            training_due = True
            reasons.append("Kết quả rèn luyện cả năm Chưa đạt")
        else:
            conduct = conduct_after_training
            if conduct is Level.FAIL:
                failed = True
                reasons.append("Kết quả rèn luyện sau khi rèn luyện trong kỳ nghỉ hè Chưa đạt")
    if learning is Level.FAIL:
        if learning_after_reassessment is None:
            reassessment_due = True
            reasons.append("Kết quả học tập cả năm Chưa đạt")
        else:
            learning = learning_after_reassessment
            if learning is Level.FAIL:
                failed = True
                reasons.append("Kết quả học tập sau khi kiểm tra lại Chưa đạt")

    if failed:
        outcome = Outcome.RETAINED
    elif training_due and reassessment_due:
        outcome = Outcome.NEEDS_BOTH
    elif training_due:
        outcome = Outcome.NEEDS_SUMMER_TRAINING
    elif reassessment_due:
        outcome = Outcome.NEEDS_REASSESSMENT
    else:
        outcome = Outcome.PROMOTED
    return Promotion(outcome, grade, conduct, learning, tuple(reasons))
