"""compute_year end to end: results, Pending, summer paths, validation, stored form."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest

from app.errors import InvalidInput, InvalidScore
from app.grading import (
    AssessmentKind,
    CommentLevel,
    Computed,
    GradingRules,
    Level,
    Mark,
    Outcome,
    Pending,
    SubjectInput,
    TermAssessments,
    Title,
    YearInput,
    YearResult,
    catalogue,
    compute_year,
    year_record,
)

P, F = CommentLevel.PASS, CommentLevel.FAIL
T, K, D, CD = Level.GOOD, Level.FAIR, Level.PASS, Level.FAIL


def flat(code: str, grade: int, term1: Mark, term2: Mark, rules: GradingRules) -> SubjectInput:
    """Every assessment of a term equal, so the term result is that value."""
    subject = catalogue(rules=rules)[code]
    n = subject.regular_count(grade)
    return SubjectInput(
        code,
        TermAssessments((term1,) * n, term1, term1),
        TermAssessments((term2,) * n, term2, term2),
    )


def make_year(
    *,
    grade: int = 7,
    score: str = "8.0",
    comment: CommentLevel = P,
    scores: dict[str, str] | None = None,
    replace: Mapping[str, SubjectInput | None] | None = None,
    rules: GradingRules | None = None,
    **overrides: Any,
) -> YearInput:
    """A complete year of compulsory subjects; ``scores`` sets one subject's flat value,
    ``replace`` swaps a subject's input (``None`` drops it)."""
    rules = rules or GradingRules()
    entries: dict[str, SubjectInput | None] = {}
    for code, subject in catalogue(rules=rules).items():
        if subject.elective:
            continue
        value: Mark = (
            Decimal((scores or {}).get(code, score))
            if subject.kind is AssessmentKind.SCORE
            else comment
        )
        entries[code] = flat(code, grade, value, value, rules)
    entries.update(replace or {})
    fields: dict[str, Any] = {
        "grade": grade,
        "subjects": tuple(e for e in entries.values() if e is not None),
        "conduct_term1": T,
        "conduct_term2": T,
        "absences_excused": 0,
        "absences_unexcused": 0,
    }
    fields.update(overrides)
    return YearInput(**fields)


def value(result: Computed[Any] | Pending | None) -> Any:
    assert isinstance(result, Computed), result
    return result.value


def subject(result: YearResult, code: str) -> Any:
    return next(r for r in result.subjects if r.subject.code == code)


def test_excellent_pupil() -> None:
    result = compute_year(inputs=make_year(score="9.0"))
    assert value(result.learning_term1) is T
    assert value(result.learning_term2) is T
    assert value(result.learning_year) is T
    assert value(result.conduct_year) is T
    assert value(result.title) is Title.EXCELLENT
    promotion = value(result.promotion)
    assert promotion.outcome is Outcome.PROMOTED
    assert promotion.label == "Được lên lớp"
    assert result.missing == ()
    assert result.reassessment_subjects == ()
    assert result.learning_after_reassessment is None


def test_worked_subject_averages() -> None:
    toan = SubjectInput(
        "TOAN",
        # (7 + 8 + 9 + 6 + 2·7 + 3·8) / 9 = 68/9 = 7.56 → 7.6
        TermAssessments(tuple(Decimal(v) for v in ("7", "8", "9", "6")), Decimal(7), Decimal(8)),
        # (8 + 8 + 9 + 9 + 2·9 + 3·9) / 9 = 79/9 = 8.78 → 8.8
        TermAssessments(tuple(Decimal(v) for v in ("8", "8", "9", "9")), Decimal(9), Decimal(9)),
    )
    result = compute_year(inputs=make_year(replace={"TOAN": toan}))
    row = subject(result, "TOAN")
    assert value(row.term1) == Decimal("7.6")
    assert value(row.term2) == Decimal("8.8")
    assert value(row.year) == Decimal("8.4")  # (7.6 + 2·8.8) / 3 = 8.4
    assert value(subject(result, "GDTC").year) is P


def test_good_not_excellent_with_five_subjects_at_nine() -> None:
    nine = {c: "9.0" for c in ("NGUVAN", "TOAN", "NGOAINGU1", "GDCD", "LSDL")}
    result = compute_year(inputs=make_year(score="8.5", scores=nine))
    assert value(result.title) is Title.GOOD
    six = nine | {"KHTN": "9.0"}
    assert value(compute_year(inputs=make_year(score="8.5", scores=six)).title) is Title.EXCELLENT


def test_no_title_when_conduct_fair() -> None:
    result = compute_year(inputs=make_year(score="9.0", conduct_term1=K, conduct_term2=K))
    assert value(result.title) is None
    assert value(result.conduct_year) is K


def test_regular_count_depends_on_grade() -> None:
    two = SubjectInput(
        "CONGNGHE",
        TermAssessments((Decimal(8), Decimal(8)), Decimal(8), Decimal(8)),
        TermAssessments((Decimal(8), Decimal(8)), Decimal(8), Decimal(8)),
    )
    grade7 = compute_year(inputs=make_year(grade=7, replace={"CONGNGHE": two}))
    assert value(grade7.learning_year) is T  # 35 periods in grade 7: two ĐĐGtx suffice
    result = compute_year(inputs=make_year(grade=8, replace={"CONGNGHE": two}))
    assert isinstance(result.learning_term1, Pending)
    assert result.learning_term1.messages == ("Công nghệ: thiếu 1 ĐĐGtx học kỳ I",)
    assert isinstance(result.learning_term2, Pending)
    assert result.learning_term2.messages == ("Công nghệ: thiếu 1 ĐĐGtx học kỳ II",)


def test_missing_final_makes_term_and_year_pending_only() -> None:
    toan = flat("TOAN", 7, Decimal(8), Decimal(8), GradingRules())
    toan = SubjectInput("TOAN", TermAssessments(toan.term1.regular, Decimal(8), None), toan.term2)
    result = compute_year(inputs=make_year(replace={"TOAN": toan}))
    assert isinstance(result.learning_term1, Pending)
    assert result.learning_term1.messages == ("Toán: thiếu ĐĐGck học kỳ I",)
    assert result.learning_term1.keys == ("TOAN.hk1.ck",)
    assert value(result.learning_term2) is T
    assert isinstance(result.learning_year, Pending)
    assert isinstance(result.title, Pending)
    assert isinstance(result.promotion, Pending)
    assert [m.message for m in result.missing] == ["Toán: thiếu ĐĐGck học kỳ I"]


def test_missing_compulsory_subject() -> None:
    result = compute_year(inputs=make_year(replace={"TINHOC": None}))
    assert isinstance(result.learning_year, Pending)
    assert result.learning_year.messages == ("Tin học: chưa có kết quả môn học",)
    assert isinstance(result.learning_term1, Pending)


def test_missing_conduct() -> None:
    result = compute_year(inputs=make_year(conduct_term2=None))
    assert isinstance(result.conduct_year, Pending)
    assert result.conduct_year.messages == ("Thiếu kết quả rèn luyện học kỳ II",)
    assert result.conduct_year.keys == ("conduct.hk2",)
    assert value(result.learning_year) is Level.GOOD  # all 8.0 → Tốt, still computed
    assert isinstance(result.promotion, Pending)


def test_elective_is_optional_and_counted_when_present() -> None:
    ethnic = flat("TIENGDANTOC", 7, Decimal("3.0"), Decimal("3.0"), GradingRules())
    without = compute_year(inputs=make_year(score="9.0"))
    assert "TIENGDANTOC" not in [r.subject.code for r in without.subjects]
    with_elective = compute_year(inputs=make_year(score="9.0", replace={"TIENGDANTOC": ethnic}))
    assert value(subject(with_elective, "TIENGDANTOC").year) == Decimal("3.0")
    assert value(with_elective.learning_year) is CD  # 3.0 < 3.5


def test_ethnic_language_as_comment_subject_setting() -> None:
    rules = GradingRules(ethnic_language_scored=False)
    ethnic = flat("TIENGDANTOC", 7, P, F, rules)
    inputs = make_year(rules=rules, replace={"TIENGDANTOC": ethnic})
    result = compute_year(inputs=inputs, rules=rules)
    assert value(subject(result, "TIENGDANTOC").year) is F
    assert value(result.learning_year) is D  # one comment subject Chưa đạt


def test_art_split_setting() -> None:
    rules = GradingRules(art_split=True)
    result = compute_year(inputs=make_year(rules=rules), rules=rules)
    codes = [r.subject.code for r in result.subjects]
    assert "AMNHAC" in codes
    assert "MITHUAT" in codes
    assert "NGHETHUAT" not in codes
    with pytest.raises(InvalidInput, match="NGHETHUAT"):
        compute_year(inputs=make_year(), rules=rules)


def test_lift_setting_reaches_compute_year() -> None:
    inputs = make_year(score="9.0", replace={"GDDP": flat("GDDP", 7, P, F, GradingRules())})
    assert value(compute_year(inputs=inputs).learning_year) is D
    lifted = compute_year(inputs=inputs, rules=GradingRules(lift_one_level=True))
    assert value(lifted.learning_year) is K


@pytest.mark.parametrize(
    ("excused", "unexcused", "outcome"),
    [(45, 0, Outcome.PROMOTED), (40, 5, Outcome.PROMOTED), (40, 6, Outcome.RETAINED)],
)
def test_absences_excused_and_unexcused_together(
    excused: int, unexcused: int, outcome: Outcome
) -> None:
    inputs = make_year(absences_excused=excused, absences_unexcused=unexcused)
    assert value(compute_year(inputs=inputs).promotion).outcome is outcome


def test_grade_nine_completes_the_programme() -> None:
    promotion = value(compute_year(inputs=make_year(grade=9)).promotion)
    assert promotion.label == "Hoàn thành chương trình THCS"


def weak_year(**reassessed: str) -> YearInput:
    """Others 7.0; Toán 4.0 and KHTN 3.0 for the year → Chưa đạt (3.0 < 3.5)."""
    rules = GradingRules()
    replace = {}
    for code, year_value in (("TOAN", "4.0"), ("KHTN", "3.0")):
        entry = flat(code, 7, Decimal(year_value), Decimal(year_value), rules)
        if code in reassessed:
            entry = SubjectInput(code, entry.term1, entry.term2, Decimal(reassessed[code]))
        replace[code] = entry
    return make_year(score="7.0", replace=replace)


def test_reassessment_needed_and_awaited() -> None:
    result = compute_year(inputs=weak_year())
    assert value(result.learning_year) is CD
    assert result.reassessment_subjects == ("TOAN", "KHTN")
    assert isinstance(result.learning_after_reassessment, Pending)
    assert result.learning_after_reassessment.messages == (
        "Toán: chưa có kết quả kiểm tra lại",
        "Khoa học tự nhiên: chưa có kết quả kiểm tra lại",
    )
    promotion = value(result.promotion)
    assert promotion.outcome is Outcome.NEEDS_REASSESSMENT
    assert promotion.promoted is None


def test_reassessment_partly_done_still_awaits() -> None:
    result = compute_year(inputs=weak_year(TOAN="6.0"))
    assert isinstance(result.learning_after_reassessment, Pending)
    assert result.learning_after_reassessment.keys == ("KHTN.reassessment",)
    assert value(result.promotion).outcome is Outcome.NEEDS_REASSESSMENT


def test_reassessment_passed() -> None:
    result = compute_year(inputs=weak_year(TOAN="5.0", KHTN="6.0"))
    # Six subjects 7.0 plus 5.0 and 6.0: all ≥ 5.0 and six ≥ 6.5 → Khá.
    assert value(result.learning_after_reassessment) is K
    promotion = value(result.promotion)
    assert promotion.outcome is Outcome.PROMOTED
    assert promotion.learning is K
    assert value(result.learning_year) is CD  # the year result itself is kept


def test_reassessment_failed() -> None:
    result = compute_year(inputs=weak_year(TOAN="5.0", KHTN="3.0"))
    assert value(result.learning_after_reassessment) is CD
    assert value(result.promotion).outcome is Outcome.RETAINED


def test_summer_training_path() -> None:
    inputs = make_year(conduct_term1=K, conduct_term2=CD)
    assert value(compute_year(inputs=inputs).promotion).outcome is Outcome.NEEDS_SUMMER_TRAINING
    trained = make_year(conduct_term1=K, conduct_term2=CD, conduct_after_training=D)
    promotion = value(compute_year(inputs=trained).promotion)
    assert promotion.outcome is Outcome.PROMOTED
    assert promotion.conduct is D


def test_both_summer_steps() -> None:
    result = compute_year(inputs=make_year(score="3.0", conduct_term1=CD, conduct_term2=CD))
    assert value(result.promotion).outcome is Outcome.NEEDS_BOTH
    assert len(result.reassessment_subjects) == 8


@pytest.mark.parametrize(
    ("inputs", "error", "message"),
    [
        (
            make_year(replace={"XYZ": SubjectInput("XYZ")}),
            InvalidInput,
            "Mã môn «XYZ» không có trong danh mục môn học",
        ),
        (
            make_year(replace={"dup": SubjectInput("TOAN")}),
            InvalidInput,
            "Môn Toán được nhập hai lần",
        ),
        (
            dataclasses.replace(make_year(), grade=5),
            InvalidInput,
            "Khối lớp 5 không thuộc cấp THCS",
        ),
        (make_year(absences_excused=-1), InvalidInput, "Số buổi nghỉ không được âm"),
        (
            make_year(replace={"TOAN": flat("TOAN", 7, Decimal(11), Decimal(8), GradingRules())}),
            InvalidScore,
            "Điểm phải nằm trong khoảng 0 đến 10",
        ),
        (
            make_year(replace={"TOAN": flat("TOAN", 7, P, P, GradingRules())}),
            InvalidScore,
            "Toán là môn đánh giá bằng điểm số",
        ),
        (
            make_year(replace={"GDTC": flat("GDTC", 7, Decimal(8), P, GradingRules())}),
            InvalidScore,
            "Giáo dục thể chất là môn đánh giá bằng nhận xét",
        ),
        (
            make_year(replace={"TOAN": SubjectInput("TOAN", reassessment=Decimal("8.55"))}),
            InvalidScore,
            "tối đa một chữ số thập phân",
        ),
    ],
)
def test_malformed_input_is_rejected(
    inputs: YearInput, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        compute_year(inputs=inputs)


def test_year_record_is_json_ready_and_complete() -> None:
    result = compute_year(inputs=weak_year(TOAN="5.0", KHTN="6.0"))
    record = year_record(result)
    text = json.dumps(record, ensure_ascii=False)
    assert json.loads(text) == record
    toan = next(s for s in record["subjects"] if s["code"] == "TOAN")
    assert toan == {
        "code": "TOAN",
        "name": "Toán",
        "kind": "score",
        "term1": "4.0",
        "term2": "4.0",
        "year": "4.0",
        "reassessment": "5.0",
    }
    assert record["learning"] == {
        "term1": "CĐ",
        "term2": "CĐ",
        "year": "CĐ",
        "after_reassessment": "K",
    }
    assert record["promotion"]["outcome"] == "promoted"
    assert record["promotion"]["label"] == "Được lên lớp"
    assert record["reassessment_subjects"] == ["TOAN", "KHTN"]
    assert record["inputs"]["subjects"][0]["term1"]["regular"] == ["7.0"] * 4
    assert record["rules"]["lift_one_level"] is False


def test_year_record_of_pending_values() -> None:
    record = year_record(compute_year(inputs=make_year(conduct_term1=None)))
    assert record["conduct_year"] == {
        "pending": [{"key": "conduct.hk1", "message": "Thiếu kết quả rèn luyện học kỳ I"}]
    }
    assert record["title"] == record["conduct_year"]
