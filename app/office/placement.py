"""Where a pupil studies: the class must exist in the catalogue for that school year and match
the grade, the birth date must fit the grade, and the school year's page of the record book
follows the placement (class, homeroom teacher, the grade's subjects and their teachers)."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.errors import InvalidInput
from app.grading import catalogue
from app.grading.subjects import AssessmentKind
from app.store.directory import find_class, subject_teachers
from models.student import SCHOOL_YEAR_PATTERN
from models.student_parts import Placement, SchoolYearRecord, SubjectYear

# Age reached in the calendar year a school year starts: grade 6 is normally 11. Pupils of
# boarding schools for ethnic minorities often start later, so the range is wide.
USUAL_AGE_OFFSET = 5
YOUNGER_BY = 1
OLDER_BY = 5


async def year_page(placement: Placement) -> SchoolYearRecord:
    """The record book's page for a placement (refused when the class does not fit)."""
    klass = await checked_class(placement)
    teachers = await subject_teachers(placement.class_name)
    subjects = {
        code: SubjectYear(
            kind="score" if subject.kind is AssessmentKind.SCORE else "comment",
            teacher=teachers.get(code),
        )
        for code, subject in catalogue().items()
        if not subject.elective
    }
    return SchoolYearRecord(
        grade=placement.grade,
        class_name=placement.class_name,
        homeroom_teacher=klass.get("homeroom_teacher"),
        subjects=subjects,
    )


async def checked_class(placement: Placement) -> dict[str, Any]:
    klass = await find_class(placement.school_year, placement.class_name)
    if klass is None:
        raise InvalidInput(
            f"Lớp «{placement.class_name}» không có trong năm học {placement.school_year}; "
            "hãy chọn một lớp đã khai báo trong danh mục Lớp học",
            field="current.class_name",
        )
    if klass.get("grade") != placement.grade:
        raise InvalidInput(
            f"Lớp {placement.class_name} thuộc khối {klass.get('grade')}, "
            f"không phải khối {placement.grade}",
            field="current.grade",
        )
    return klass


def check_birth_date(birth_date: date, placement: Placement) -> None:
    match = SCHOOL_YEAR_PATTERN.match(placement.school_year)
    if match is None:
        return
    start = int(match.group(1))
    usual = start - placement.grade - USUAL_AGE_OFFSET
    earliest, latest = usual - OLDER_BY, usual + YOUNGER_BY
    if not earliest <= birth_date.year <= latest:
        raise InvalidInput(
            f"Ngày sinh không phù hợp với khối {placement.grade} năm học "
            f"{placement.school_year}: học sinh khối này thường sinh trong các năm "
            f"{earliest}–{latest}",
            field="profile.birth_date",
        )


async def follow_placement(stored: dict[str, Any], placement: Placement) -> dict[str, Any]:
    """The changes a new placement brings to the record book: the year's page is created, or
    its class and homeroom teacher follow a class move (scores stay)."""
    klass = await checked_class(placement)
    year = (stored.get("years") or {}).get(placement.school_year)
    prefix = f"years.{placement.school_year}"
    if year is None:
        return {prefix: await year_page(placement)}
    if year.get("grade") != placement.grade:
        raise InvalidInput(
            f"Học sinh đang học khối {year.get('grade')} trong năm học {placement.school_year}; "
            "chuyển khối trong năm học không được phép",
            field="current.grade",
        )
    return {
        f"{prefix}.class_name": placement.class_name,
        f"{prefix}.homeroom_teacher": klass.get("homeroom_teacher"),
    }
