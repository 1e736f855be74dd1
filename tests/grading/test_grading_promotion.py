"""Promotion: absences, summer re-training, re-assessment, grade 9 wording."""

from __future__ import annotations

import pytest

from app.errors import InvalidInput
from app.grading import Level, Outcome, decide_promotion

T, K, D, CD = Level.GOOD, Level.FAIR, Level.PASS, Level.FAIL
O = Outcome  # noqa: E741


@pytest.mark.parametrize(
    ("grade", "conduct", "learning", "absent", "training", "reassessed", "outcome", "label"),
    [
        (7, T, T, 0, None, None, O.PROMOTED, "Được lên lớp"),
        (9, T, T, 0, None, None, O.PROMOTED, "Hoàn thành chương trình THCS"),
        (6, D, D, 45, None, None, O.PROMOTED, "Được lên lớp"),
        (6, D, D, 46, None, None, O.RETAINED, "Ở lại lớp"),
        (7, T, T, 46, None, None, O.RETAINED, "Ở lại lớp"),
        (9, T, T, 46, None, None, O.RETAINED, "Chưa hoàn thành chương trình THCS"),
        (8, CD, T, 0, None, None, O.NEEDS_SUMMER_TRAINING, "Rèn luyện trong kỳ nghỉ hè"),
        (8, CD, T, 0, D, None, O.PROMOTED, "Được lên lớp"),
        (8, CD, T, 0, CD, None, O.RETAINED, "Ở lại lớp"),
        (8, T, CD, 0, None, None, O.NEEDS_REASSESSMENT, "Kiểm tra lại"),
        (8, T, CD, 0, None, D, O.PROMOTED, "Được lên lớp"),
        (8, T, CD, 0, None, CD, O.RETAINED, "Ở lại lớp"),
        (
            8,
            CD,
            CD,
            0,
            None,
            None,
            O.NEEDS_BOTH,
            "Rèn luyện trong kỳ nghỉ hè, sau đó kiểm tra lại",
        ),
        (8, CD, CD, 0, K, None, O.NEEDS_REASSESSMENT, "Kiểm tra lại"),
        (8, CD, CD, 0, CD, None, O.RETAINED, "Ở lại lớp"),
        (8, CD, CD, 0, K, D, O.PROMOTED, "Được lên lớp"),
        (8, CD, CD, 0, None, CD, O.RETAINED, "Ở lại lớp"),
        (8, CD, CD, 0, None, D, O.NEEDS_SUMMER_TRAINING, "Rèn luyện trong kỳ nghỉ hè"),
        (9, CD, T, 0, T, None, O.PROMOTED, "Hoàn thành chương trình THCS"),
        (9, T, CD, 0, None, CD, O.RETAINED, "Chưa hoàn thành chương trình THCS"),
        (7, CD, CD, 46, None, None, O.RETAINED, "Ở lại lớp"),  # absences decide at once
        (7, CD, T, 46, D, None, O.RETAINED, "Ở lại lớp"),
        (7, T, T, 0, CD, CD, O.PROMOTED, "Được lên lớp"),  # unneeded summer results ignored
    ],
)
def test_decide_promotion(
    grade: int,
    conduct: Level,
    learning: Level,
    absent: int,
    training: Level | None,
    reassessed: Level | None,
    outcome: Outcome,
    label: str,
) -> None:
    decision = decide_promotion(
        grade=grade,
        conduct=conduct,
        learning=learning,
        absent_sessions=absent,
        conduct_after_training=training,
        learning_after_reassessment=reassessed,
    )
    assert decision.outcome is outcome
    assert decision.label == label
    expected_promoted = {O.PROMOTED: True, O.RETAINED: False}.get(outcome)
    assert decision.promoted is expected_promoted


def test_decision_records_the_results_it_used() -> None:
    decision = decide_promotion(
        grade=6,
        conduct=CD,
        learning=CD,
        absent_sessions=3,
        conduct_after_training=K,
        learning_after_reassessment=D,
    )
    assert (decision.conduct, decision.learning) == (K, D)


@pytest.mark.parametrize(
    ("conduct", "learning", "absent", "reasons"),
    [
        (T, T, 46, ("Nghỉ học 46 buổi, quá 45 buổi cho phép",)),
        (CD, T, 0, ("Kết quả rèn luyện cả năm Chưa đạt",)),
        (CD, CD, 0, ("Kết quả rèn luyện cả năm Chưa đạt", "Kết quả học tập cả năm Chưa đạt")),
        (T, T, 45, ()),
    ],
)
def test_reasons(conduct: Level, learning: Level, absent: int, reasons: tuple[str, ...]) -> None:
    decision = decide_promotion(grade=7, conduct=conduct, learning=learning, absent_sessions=absent)
    assert decision.reasons == reasons


def test_negative_absences_rejected() -> None:
    with pytest.raises(InvalidInput, match="không được âm"):
        decide_promotion(grade=7, conduct=T, learning=T, absent_sessions=-1)


def test_grade_outside_thcs_rejected() -> None:
    with pytest.raises(InvalidInput):
        decide_promotion(grade=10, conduct=T, learning=T, absent_sessions=0)
