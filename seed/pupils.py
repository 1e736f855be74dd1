"""Pupil records of the demo school with realistic results for every year they attended."""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.grading import catalogue
from app.grading.subjects import AssessmentKind
from app.records.compute import derive_year
from models.student import StudentRecord
from models.student_parts import (
    Absences,
    Award,
    Discipline,
    Guardian,
    Lock,
    Locks,
    Placement,
    Profile,
    SchoolYearRecord,
    Sex,
    SubjectTerm,
    SubjectYear,
    TermLevels,
)

from .catalogue import CURRENT_YEAR, GRADES, start_of, year_code
from .names import NameGenerator, PersonName
from .staff import StaffPlan
from .workflow import demo_stage

SCHOOL_CODE = "PTDTNT"
LOCK_TIME = datetime(2026, 1, 20, 8, 0)
BOOK_LOCK_TIME = datetime(2026, 1, 17, 8, 0)


def _score(rng: random.Random, centre: float) -> Decimal:
    """A mark on the 10-point scale, in half points as teachers usually give them."""
    value = min(10.0, max(0.0, rng.gauss(centre, 1.0)))
    return Decimal(round(value * 2) / 2).quantize(Decimal("0.1"))


def _level(rng: random.Random, ability: float) -> Any:  # "Đ" or "CĐ"
    return "Đ" if rng.random() < min(0.995, 0.55 + ability / 11) else "CĐ"


def _conduct(rng: random.Random, ability: float) -> Any:  # "T", "K", "Đ" or "CĐ"
    roll = rng.random() + (ability - 6.5) / 10
    return "T" if roll > 0.35 else "K" if roll > 0.08 else "Đ" if roll > -0.02 else "CĐ"


class PupilFactory:
    """Draws pupils deterministically from one random generator."""

    def __init__(self, rng: random.Random, names: NameGenerator, staff: StaffPlan) -> None:
        self.rng = rng
        self.names = names
        self.staff = staff
        self.subjects = [s for s in catalogue().values() if not s.elective]

    def pupil(self, number: int, grade: int, stream: int) -> StudentRecord:
        rng = self.rng
        person = self.names.pupil()
        birth_year = start_of(CURRENT_YEAR) - grade - 5
        profile = Profile(
            full_name=person.full_name,
            sex=Sex.MALE if person.sex == "male" else Sex.FEMALE,
            birth_date=date(birth_year, rng.randint(1, 12), rng.randint(1, 28)),
            birth_place=self.names.birthplace(),
            ethnicity=person.ethnicity,
            policy_category=_policy(rng, person),
            address=self.names.birthplace(),
            guardians=self._guardians(person, birth_year),
        )
        ability = min(9.6, max(3.5, rng.gauss(6.9, 1.1)))
        years: dict[str, SchoolYearRecord] = {}
        for g in range(6, grade + 1):
            code = year_code(start_of(CURRENT_YEAR) - (grade - g))
            years[code] = self._year(g, f"{g}A{stream}", ability, current=code == CURRENT_YEAR)
        cls = f"{grade}A{stream}"
        return StudentRecord(
            code=f"{SCHOOL_CODE}{number:05d}",
            moet_id=f"66{number:08d}",
            profile=profile,
            current=Placement(school_year=CURRENT_YEAR, grade=grade, class_name=cls),
            years=years,
        )

    def _guardians(self, child: PersonName, birth_year: int) -> list[Guardian]:
        parents = self.names.parents(child)
        return [
            Guardian(
                relation=relation,  # type: ignore[arg-type]
                full_name=parent.full_name,
                occupation=self.names.occupation(parent.sex),
                phone=f"09{self.rng.randint(10_000_000, 99_999_999)}",
                birth_year=birth_year - self.rng.randint(20, 38),
            )
            for relation, parent in (("cha", parents.father), ("me", parents.mother))
        ]

    def _year(self, grade: int, cls: str, ability: float, *, current: bool) -> SchoolYearRecord:
        rng = self.rng
        subjects: dict[str, SubjectYear] = {}
        for subject in self.subjects:
            offset = rng.gauss(0, 0.7)
            count = subject.regular_count(grade)
            terms = []
            for term_no in (1, 2):
                in_progress = current and term_no == 2
                terms.append(self._term(subject.kind, count, ability + offset, in_progress))
            subjects[subject.code] = SubjectYear(
                kind="score" if subject.kind is AssessmentKind.SCORE else "comment",
                teacher=self.staff.teacher_of.get((cls, subject.code)),
                hk1=terms[0],
                hk2=terms[1],
            )
        year = SchoolYearRecord(
            grade=grade,
            class_name=cls,
            homeroom_teacher=self.staff.homeroom_of.get(cls),
            subjects=subjects,
            conduct=TermLevels(
                hk1=_conduct(rng, ability), hk2=None if current else _conduct(rng, ability)
            ),
            absences={
                "hk1": Absences(excused=_absences(rng), unexcused=_absences(rng) // 3),
                "hk2": Absences(excused=0 if current else _absences(rng)),
            },
        )
        derive_year(year)
        if not current:
            self._close_year(year)
        year.locks = Locks(
            hk1=Lock(locked=True, by="bgh", at=LOCK_TIME),
            year=Lock(
                locked=not current, by=None if current else "bgh", at=None if current else LOCK_TIME
            ),
        )
        if current:
            # Term I: every book approved (its own lock) before the school locked the term;
            # term II: the demo books handed in are closed to entry (seed/workflow.py).
            year.homeroom_locks.hk1 = Lock(locked=True, by="bgh", at=BOOK_LOCK_TIME)
            for code, book in year.subjects.items():
                book.locks.hk1 = Lock(locked=True, by="bgh", at=BOOK_LOCK_TIME)
                book.locks.hk2.submitted = demo_stage(cls, code) is not None
        return year

    def _term(
        self, kind: AssessmentKind, count: int, centre: float, in_progress: bool
    ) -> SubjectTerm:
        rng = self.rng
        if kind is AssessmentKind.SCORE:

            def mark() -> Any:
                return _score(rng, centre)
        else:

            def mark() -> Any:
                return _level(rng, centre)

        if not in_progress:
            return SubjectTerm(tx=[mark() for _ in range(count)], gk=mark(), ck=mark())
        # Term II under way: some regular assessments in, mid-term partly, no finals yet.
        entered = rng.randint(0, count)
        return SubjectTerm(
            tx=[mark() for _ in range(entered)],
            gk=mark() if rng.random() < 0.6 else None,
        )

    def _close_year(self, year: SchoolYearRecord) -> None:
        """Past years end decided: summer steps passed, so the pupil moved up as in life."""
        if year.promotion.outcome in ("summer_training", "summer_training_then_reassessment"):
            year.conduct.after_summer = "Đ"
        derive_year(year)
        if year.promotion.outcome == "reassessment":
            for subject in year.subjects.values():
                if subject.year_result == "CĐ":
                    subject.reassessment = "Đ"
                elif subject.year_average is not None and subject.year_average < Decimal(5):
                    subject.reassessment = Decimal("5.5")
            derive_year(year)
        if year.title:
            label = "Học sinh Xuất sắc" if year.title == "XUATSAC" else "Học sinh Giỏi"
            year.awards.append(Award(title=label, level="Trường"))
        if self.rng.random() < 0.03:
            year.awards.append(Award(title="Giải Ba Hội khỏe Phù Đổng cấp huyện", level="Huyện"))
        if self.rng.random() < 0.015:
            year.discipline.append(
                Discipline(form="Khiển trách trước lớp", reason="Tự ý rời ký túc xá buổi tối")
            )
        year.homeroom_comment = _homeroom_comment(year)


def _absences(rng: random.Random) -> int:
    return min(18, int(rng.expovariate(0.5)))


def _policy(rng: random.Random, person: PersonName) -> str | None:
    if person.ethnicity == "Kinh":
        return None if rng.random() < 0.8 else "Hộ nghèo"
    return "Dân tộc thiểu số, vùng đặc biệt khó khăn" if rng.random() < 0.6 else "Dân tộc thiểu số"


def _homeroom_comment(year: SchoolYearRecord) -> str:
    if year.learning.year == "T":
        return "Chăm ngoan, học tập tích cực, là tấm gương cho các bạn."
    if year.learning.year == "K":
        return "Ngoan, có ý thức học tập; cần mạnh dạn phát biểu hơn."
    return "Cần cố gắng hơn trong học tập, chú ý các môn còn yếu."


__all__ = ["GRADES", "PupilFactory"]
