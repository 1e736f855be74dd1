"""The fixed school at the end of its year, ready for promotion: results entered, the year
locked, and next year's classes in the catalogue.

7A1: An promoted, H'Lan stays (too many absences), Hen waits for re-assessment.
7A2: all three promoted. 9A1: Giàng graduates, Ly stays in grade 9.
"""

from __future__ import annotations

from app.context import SYSTEM_ACTOR, Actor
from app.store import system_writer
from app.store.records import create_record
from models.catalogue import SchoolClass
from models.common import WriteSource
from tests.admin.school import YEAR, School
from tests.factories import full_year, make_student

NEXT = "2026-2027"
NEXT_CLASSES = (("6A1", 6, None), ("7A1", 7, None), ("8A1", 8, "gv.cn7a1"), ("8A2", 8, None))
NEXT_CLASSES += (("9A1", 9, "gv.cn7a2"),)
RESULTS = {  # code -> (score, absences)
    "HS7A101": ("8", 0),
    "HS7A102": ("8", 50),
    "HS7A103": ("3", 0),
    "HS7A201": ("8", 0),
    "HS7A202": ("7", 0),
    "HS7A203": ("9", 0),
    "HS9A101": ("8", 0),
    "HS9A102": ("8", 60),
}
GRADE_9 = {"HS9A101": "Giàng Thị Ba", "HS9A102": "Lò Văn Ly"}


async def add_next_year(classes: tuple[tuple[str, int, str | None], ...] = NEXT_CLASSES) -> None:
    for name, grade, teacher in classes:
        await SchoolClass(
            school_year=NEXT, name=name, grade=grade, homeroom_teacher=teacher
        ).insert()


async def finish_year(
    school: School, *, lock: bool = True, unlocked: tuple[str, ...] = (), next_year: bool = True
) -> None:
    """Enter every pupil's year results and lock the year (``unlocked``: pupils left open)."""
    await SchoolClass(school_year=YEAR, name="9A1", grade=9).insert()
    for code, name in GRADE_9.items():
        pupil = make_student(grade=9, class_name="9A1", full_name=name, code=code)
        school.pupils[code] = await create_record(
            pupil, source=WriteSource.SEED, actor=SYSTEM_ACTOR
        )
    writer = system_writer("students", SYSTEM_ACTOR, source=WriteSource.SEED, reason="Kết quả")
    for code, (score, absences) in RESULTS.items():
        pupil = school.pupils[code]
        assert pupil.current is not None
        year = full_year(
            grade=pupil.current.grade,
            class_name=pupil.current.class_name,
            score=score,
            absences=absences,
        )
        year.locks.year.locked = lock and code not in unlocked
        await writer.update(pupil.id, {f"years.{YEAR}": year}, allow_lock_paths=True)
    if next_year:
        await add_next_year()


WRITER = Actor(id="t", name="Kiểm thử", role="system")
