"""Derived results are computed by the grading engine and stored with their inputs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.context import Actor
from app.errors import InvalidInput
from app.records.compute import derive_year, derive_year_from
from app.store.records import create_record, update_record
from models.common import WriteSource
from tests.factories import SCHOOL_YEAR, full_year, make_student

ACTOR = Actor(id="u1", name="Người nhập", role="gvbm")


def test_complete_good_year_is_fully_computed() -> None:
    year = full_year(score="9", conduct=("T", "T"))
    derive_year(year)
    assert year.pending == []
    assert year.subjects["TOAN"].hk1.average == Decimal("9.0")
    assert year.subjects["TOAN"].year_average == Decimal("9.0")
    assert year.subjects["GDTC"].year_result == "Đ"
    assert (year.learning.hk1, year.learning.year, year.conduct.year) == ("T", "T", "T")
    assert year.title == "XUATSAC"
    assert year.promotion.promoted is True
    assert year.promotion.label_vi == "Được lên lớp"


def test_grade_nine_completes_the_programme() -> None:
    year = full_year(grade=9, class_name="9A1", score="7")
    derive_year(year)
    assert year.promotion.label_vi == "Hoàn thành chương trình THCS"
    assert year.title is None


def test_too_many_absences_mean_retention() -> None:
    year = full_year(score="7", absences=46)
    derive_year(year)
    assert year.promotion.promoted is False
    ok = full_year(score="7", absences=45)
    derive_year(ok)
    assert ok.promotion.promoted is True


def test_missing_assessment_leaves_results_pending_with_reason() -> None:
    year = full_year(score="8")
    year.subjects["TOAN"].hk2.ck = None
    derive_year(year)
    assert year.subjects["TOAN"].hk2.average is None
    assert year.subjects["TOAN"].year_average is None
    assert year.learning.hk2 is None
    assert year.learning.year is None
    assert year.learning.hk1 == "T"  # term I is complete: every score subject at 8.0
    assert any("Toán" in m and "ĐĐGck" in m for m in year.pending)
    assert year.promotion.outcome is None


async def test_score_entry_recomputes_the_stored_average(mdb) -> None:
    student = make_student()
    student.years[SCHOOL_YEAR] = full_year()
    student.years[SCHOOL_YEAR].subjects["TOAN"].hk1.ck = None
    record = await create_record(student, source=WriteSource.SEED, actor=ACTOR)
    assert record.years[SCHOOL_YEAR].subjects["TOAN"].hk1.average is None
    path = f"years.{SCHOOL_YEAR}.subjects.TOAN.hk1.ck"
    updated = await update_record(record.id, {path: "10"}, source=WriteSource.GRID, actor=ACTOR)
    # (4·8 + 2·8 + 3·10) / 9 = 8.67 -> 8.7
    assert updated.years[SCHOOL_YEAR].subjects["TOAN"].hk1.average == Decimal("8.7")
    raw = await mdb["students"].find_one({"_id": record.id})
    assert str(raw["years"][SCHOOL_YEAR]["subjects"]["TOAN"]["hk1"]["average"]) == "8.7"


async def test_wrong_kind_of_mark_is_refused(mdb) -> None:
    record = await create_record(make_student(), source=WriteSource.SEED, actor=ACTOR)
    with pytest.raises(InvalidInput, match="nhận xét"):
        await update_record(
            record.id,
            {f"years.{SCHOOL_YEAR}.subjects.GDTC.hk1.gk": "8"},
            source=WriteSource.GRID,
            actor=ACTOR,
        )


@pytest.mark.parametrize(
    ("typed", "message"), [("11", "0 đến 10"), ("8,55", "một chữ số"), ("abc", "không phải là")]
)
async def test_bad_scores_are_refused_with_the_reason(mdb, typed: str, message: str) -> None:
    record = await create_record(make_student(), source=WriteSource.SEED, actor=ACTOR)
    with pytest.raises(InvalidInput, match=message):
        await update_record(
            record.id,
            {f"years.{SCHOOL_YEAR}.subjects.TOAN.hk1.gk": typed},
            source=WriteSource.GRID,
            actor=ACTOR,
        )


def test_deriving_says_which_computed_fields_changed() -> None:
    year = full_year(score="9", conduct=("T", "T"))
    first = derive_year(year)
    assert "subjects.TOAN.year_average" in first
    assert "title" in first
    assert derive_year(year) == []  # computed already: nothing to change
    year.subjects["TOAN"].hk2.ck = None  # an assessment taken back
    changed = derive_year(year)
    assert set(changed) >= {
        "subjects.TOAN.hk2.average",
        "subjects.TOAN.year_average",
        "learning.hk2",
        "learning.year",
        "title",
        "promotion.promoted",
        "pending",
    }
    assert "subjects.TOAN.hk1.average" not in changed
    assert "subjects.NGUVAN.year_average" not in changed
    assert year.subjects["TOAN"].year_average is None
    # Only the subjects asked for are refreshed; the year's own results always are.
    year.subjects["TOAN"].hk2.ck = Decimal("9")
    year.subjects["NGUVAN"].hk1.average = Decimal("1.0")  # stale, and not asked for
    changed = derive_year(year, refresh={"TOAN"})
    assert "subjects.TOAN.year_average" in changed
    assert not any(path.startswith("subjects.NGUVAN") for path in changed)
    assert year.subjects["NGUVAN"].hk1.average == Decimal("1.0")


def test_a_result_with_other_digits_is_a_change() -> None:
    year = full_year(score="9", conduct=("T", "T"))
    derive_year(year)
    assert year.subjects["TOAN"].hk1.average == Decimal("9.0")
    year.subjects["TOAN"].hk1.average = Decimal("9")  # the same number, written otherwise
    assert derive_year(year) == ["subjects.TOAN.hk1.average"]
    assert str(year.subjects["TOAN"].hk1.average) == "9.0"


def test_the_years_own_parts_are_replaced_never_changed_in_place() -> None:
    year = full_year(score="9", conduct=("T", "T"))
    derive_year(year)
    # A year sharing its parts with another (as a remembered year shares them with the copy a
    # save starts from): deriving the other one must leave these as they are.
    learning, conduct, promotion = year.learning, year.conduct, year.promotion
    shared = [part.model_dump() for part in (learning, conduct, promotion)]
    other = year.model_copy()
    other.subjects = {**year.subjects, "TOAN": year.subjects["TOAN"].model_copy(deep=True)}
    other.subjects["TOAN"].hk2.ck = None  # term II of Toán no longer complete
    changed = derive_year(other, refresh={"TOAN"})
    assert {"learning.hk2", "learning.year", "promotion.promoted"} <= set(changed)
    assert [part.model_dump() for part in (learning, conduct, promotion)] == shared
    assert (year.learning, year.promotion) == (learning, promotion)
    assert other.learning.hk2 is None
    assert other.promotion.promoted is None


def test_the_years_own_results_are_reused_only_when_the_subjects_give_the_same() -> None:
    year = full_year(score="8", conduct=("T", "K"))
    first = derive_year_from(year)
    # Other marks giving the same term average: the year's own results are the same objects.
    marks = year.subjects["TOAN"].hk1.tx
    assert len(marks) >= 2
    assert marks[0] == marks[1] == Decimal("8")
    year.subjects["TOAN"].hk1.tx = [Decimal("7"), Decimal("9"), *marks[2:]]
    again = derive_year_from(year, refresh={"TOAN"}, before=first.result)
    assert again.result.promotion is first.result.promotion
    assert again.result.learning_year is first.result.learning_year
    assert again.result.inputs != first.result.inputs  # other marks, the same results
    assert again.changed == []
    # A mark changing the average: worked out again, as a computation from nothing gives.
    year.subjects["TOAN"].hk2.ck = Decimal("2")
    changed = derive_year_from(year, refresh={"TOAN"}, before=again.result)
    assert changed.result.learning_year is not again.result.learning_year
    assert changed.result == derive_year_from(year.model_copy(deep=True)).result
    # The same subjects with other conduct: worked out again.
    year.conduct.hk2 = "T"
    conduct = derive_year_from(year, refresh={"TOAN"}, before=changed.result)
    assert conduct.result.conduct_year is not changed.result.conduct_year
    assert year.conduct.year == "T"


def test_a_subjects_terms_are_replaced_never_changed_in_place() -> None:
    year = full_year(score="9", conduct=("T", "T"))
    derive_year(year)
    toan = year.subjects["TOAN"]
    toan.hk1.average = Decimal("1.0")  # stale
    # Another subject object sharing its terms (as a save starts from a remembered subject).
    other = year.model_copy(update={"subjects": {**year.subjects, "TOAN": toan.model_copy()}})
    changed = derive_year(other, refresh={"TOAN"})
    assert "subjects.TOAN.hk1.average" in changed
    assert other.subjects["TOAN"].hk1.average == Decimal("9.0")
    assert toan.hk1.average == Decimal("1.0")  # the shared term is as it was
