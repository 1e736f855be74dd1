"""Re-assessment: which subjects, and the learning result recomputed from the new results."""

from __future__ import annotations

from decimal import Decimal

from app.grading import (
    CommentLevel,
    Computed,
    Level,
    Mark,
    Pending,
    learning_after_reassessment,
    reassessment_subjects,
)

P, F = CommentLevel.PASS, CommentLevel.FAIL


def year(**overrides: Mark) -> dict[str, Mark]:
    """Eight score subjects at 7.0 and four comment subjects Đạt, with overrides."""
    values: dict[str, Mark] = {
        code: Decimal("7.0")
        for code in ("NGUVAN", "TOAN", "NGOAINGU1", "GDCD", "LSDL", "KHTN", "CONGNGHE", "TINHOC")
    }
    values |= dict.fromkeys(("GDTC", "NGHETHUAT", "HDTN", "GDDP"), P)
    values |= overrides
    return values


def test_subjects_below_five_and_comment_fails_only() -> None:
    results = year(TOAN=Decimal("5.0"), KHTN=Decimal("4.9"), LSDL=Decimal("0.0"), HDTN=F)
    assert reassessment_subjects(year_results=results) == ("LSDL", "KHTN", "HDTN")


def test_awaiting_results_is_pending() -> None:
    results = year(KHTN=Decimal("3.0"), GDTC=F)
    pending = learning_after_reassessment(year_results=results, reassessment={})
    assert isinstance(pending, Pending)
    assert pending.keys == ("KHTN.reassessment", "GDTC.reassessment")
    assert pending.messages[1] == "Giáo dục thể chất: chưa có kết quả kiểm tra lại"


def test_new_results_replace_the_year_results() -> None:
    results = year(KHTN=Decimal("3.0"), GDTC=F)
    after = learning_after_reassessment(
        year_results=results, reassessment={"KHTN": Decimal("6.5"), "GDTC": P}
    )
    assert after == Computed(Level.FAIR)  # all ≥ 5.0, eight ≥ 6.5, comments Đạt


def test_results_for_subjects_not_due_are_ignored() -> None:
    results = year(KHTN=Decimal("3.0"))
    after = learning_after_reassessment(
        year_results=results,
        reassessment={"KHTN": Decimal("3.4"), "TOAN": Decimal("10")},
    )
    assert after == Computed(Level.FAIL)  # KHTN still < 3.5; TOAN was not re-assessed
