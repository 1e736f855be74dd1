"""Test data factories: plain functions returning unsaved documents."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from app.store.fields import cipher
from models.student import StudentRecord
from models.student_parts import Placement, Profile, SchoolYearRecord, Sex, SubjectYear

_codes = count(1)
SCHOOL_YEAR = "2025-2026"


# The master key of the encrypted fields in every test; the app under test gets the same one
# (tests/auth/helpers.py), as they share the key vault.
TEST_FIELD_KEY = bytes(range(96))


def make_student(
    *, grade: int = 7, class_name: str = "7A1", full_name: str = "Nguyễn Văn An", **overrides: Any
) -> StudentRecord:
    year = SchoolYearRecord(
        grade=grade,
        class_name=class_name,
        subjects={
            "TOAN": SubjectYear(kind="score", teacher="gv.toan"),
            "GDTC": SubjectYear(kind="comment", teacher="gv.gdtc"),
        },
    )
    fields: dict[str, Any] = {
        "code": f"HS{next(_codes):05d}",
        "profile": Profile(full_name=full_name, sex=Sex.MALE, birth_date=date(2013, 5, 17)),
        "current": Placement(school_year=SCHOOL_YEAR, grade=grade, class_name=class_name),
        "years": {SCHOOL_YEAR: year},
    }
    fields.update(overrides)
    return StudentRecord(**fields)


def full_year(
    *,
    grade: int = 7,
    class_name: str = "7A1",
    score: str = "8",
    level: str = "Đ",
    conduct: tuple[str, str] = ("T", "T"),
    absences: int = 0,
) -> SchoolYearRecord:
    """A school year with every compulsory subject fully assessed with the same mark."""
    from app.grading import catalogue
    from app.grading.subjects import AssessmentKind
    from models.student_parts import Absences, SubjectTerm, TermLevels

    subjects = {}
    for code, subject in catalogue().items():
        if subject.elective:
            continue
        mark = score if subject.kind is AssessmentKind.SCORE else level
        count = subject.regular_count(grade)
        term: dict[str, Any] = {"tx": [mark] * count, "gk": mark, "ck": mark}
        subjects[code] = SubjectYear(
            kind="score" if subject.kind is AssessmentKind.SCORE else "comment",
            hk1=SubjectTerm.model_validate(term),
            hk2=SubjectTerm.model_validate(term),
        )
    return SchoolYearRecord(
        grade=grade,
        class_name=class_name,
        subjects=subjects,
        conduct=TermLevels.model_validate({"hk1": conduct[0], "hk2": conduct[1]}),
        absences={"hk1": Absences(excused=absences), "hk2": Absences()},
    )


async def stored_pupil(query: dict[str, Any]) -> StudentRecord | None:
    """A pupil's record as stored, encrypted fields opened (as the system reads it)."""
    raw = await StudentRecord.get_pymongo_collection().find_one(query)
    if raw is None:
        return None
    return StudentRecord.model_validate(await cipher().open(raw, "students"))


async def stored_pupils() -> list[StudentRecord]:
    """Every pupil's record as stored, encrypted fields opened, in code order."""
    cursor = StudentRecord.get_pymongo_collection().find({}).sort("code", 1)
    return [
        StudentRecord.model_validate(await cipher().open(raw, "students")) async for raw in cursor
    ]
