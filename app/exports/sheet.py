"""A pupil's record as the official documents print it: Vietnamese labels and marks as teachers
write them, subjects in record-book order. Pure functions on a plain record (already reduced to
what is approved and what the reader may read); no web or database imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bson.decimal128 import Decimal128

from app.grading import catalogue
from models.student_parts import LEVEL_LABELS, SEX_LABELS, STATUS_LABELS, TERM_LABELS, TERMS

TITLE_LABELS = {"XUATSAC": "Học sinh Xuất sắc", "GIOI": "Học sinh Giỏi"}
RELATION_LABELS = {"cha": "Cha", "me": "Mẹ", "giam_ho": "Người giám hộ"}
RESULT_LABELS = {"Đ": "Đạt", "CĐ": "Chưa đạt"}
PERIODS = (*TERMS, "year")
PERIOD_LABELS = TERM_LABELS
# Inside a sentence: «Phiếu báo học kỳ I», «Kết quả cả năm».
PERIOD_NAMES = {"hk1": "học kỳ I", "hk2": "học kỳ II", "year": "cả năm"}


_DECIMALS: dict[bytes, Decimal] = {}  # marks take few distinct values: convert each once
_DECIMALS_MAX = 100_000


def plain(value: Any) -> Any:
    """A stored value in Python terms (Decimal128 -> Decimal)."""
    if not isinstance(value, Decimal128):
        return value
    found = _DECIMALS.get(value.bid)
    if found is None:
        found = value.to_decimal()
        if len(_DECIMALS) < _DECIMALS_MAX:
            _DECIMALS[value.bid] = found
    return found


def mark(value: Any) -> str:
    """A score with a decimal comma («8,5»), or a comment result's label («Đạt»)."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return f"{Decimal(str(value)).normalize():f}".replace(".", ",")
    return RESULT_LABELS.get(str(value), str(value))


def level(code: Any) -> str:
    return LEVEL_LABELS.get(code, "") if code else ""


def day(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value or "")


@dataclass(frozen=True)
class SubjectLine:
    code: str
    name: str
    kind: str  # "score" or "comment"
    hk1: str
    hk2: str
    year: str
    reassessment: str
    comment: str

    def period(self, period: str) -> str:
        return {"hk1": self.hk1, "hk2": self.hk2, "year": self.year}[period]


@dataclass(frozen=True)
class YearSheet:
    school_year: str
    grade: int | None
    class_name: str
    homeroom_teacher: str
    subjects: list[SubjectLine]
    conduct: dict[str, str]  # hk1, hk2, year, after_summer -> label
    learning: dict[str, str]
    absences: dict[str, tuple[int, int]]  # hk1, hk2, year -> (excused, unexcused)
    title: str
    promotion: str
    homeroom_comment: str
    awards: list[str]
    discipline: list[str]

    def absent(self, period: str) -> str:
        excused, unexcused = self.absences.get(period, (0, 0))
        total = excused + unexcused
        return f"{total} (có phép: {excused}, không phép: {unexcused})"


@dataclass(frozen=True)
class PupilSheet:
    code: str
    moet_id: str
    full_name: str
    sex: str
    birth_date: str
    birth_place: str
    ethnicity: str
    nationality: str
    policy_category: str
    address: str
    current_address: str
    status: str
    guardians: list[tuple[str, str, str]]  # relation, name, occupation
    years: list[YearSheet] = field(default_factory=list)

    def year(self, school_year: str) -> YearSheet | None:
        return next((y for y in self.years if y.school_year == school_year), None)


def pupil_sheet(record: Mapping[str, Any], staff: Mapping[str, str] | None = None) -> PupilSheet:
    """The printable shape of ``record``; ``staff`` names teachers by login name."""
    profile = record.get("profile") or {}
    status = record.get("status")
    return PupilSheet(
        code=str(record.get("code") or ""),
        moet_id=str(record.get("moet_id") or ""),
        full_name=str(profile.get("full_name") or ""),
        sex=_label(SEX_LABELS, profile.get("sex")),
        birth_date=day(profile.get("birth_date")),
        birth_place=str(profile.get("birth_place") or ""),
        ethnicity=str(profile.get("ethnicity") or ""),
        nationality=str(profile.get("nationality") or ""),
        policy_category=str(profile.get("policy_category") or ""),
        address=str(profile.get("address") or ""),
        current_address=str(profile.get("current_address") or ""),
        status=_label(STATUS_LABELS, status),
        guardians=[
            (
                RELATION_LABELS.get(g.get("relation", ""), ""),
                str(g.get("full_name") or ""),
                str(g.get("occupation") or ""),
            )
            for g in profile.get("guardians") or []
        ],
        years=[
            year_sheet(key, year, staff or {})
            for key, year in sorted((record.get("years") or {}).items())
            if isinstance(year, Mapping)
        ],
    )


def _label(labels: Mapping[Any, str], code: Any) -> str:
    return labels.get(str(code), "") if code else ""


def year_sheet(school_year: str, year: Mapping[str, Any], staff: Mapping[str, str]) -> YearSheet:
    names = {code: s.name for code, s in catalogue().items()}
    order = {code: i for i, code in enumerate(names)}
    subjects = [
        subject_line(code, names.get(code, code), subject)
        for code, subject in sorted(
            (year.get("subjects") or {}).items(), key=lambda item: (order.get(item[0], 99), item[0])
        )
        if isinstance(subject, Mapping)
    ]
    conduct = year.get("conduct") or {}
    learning = year.get("learning") or {}
    absences = {
        term: (int(a.get("excused") or 0), int(a.get("unexcused") or 0))
        for term, a in (year.get("absences") or {}).items()
        if isinstance(a, Mapping)
    }
    absences["year"] = (
        sum(e for e, _ in absences.values()),
        sum(u for _, u in absences.values()),
    )
    promotion = year.get("promotion") or {}
    teacher = str(year.get("homeroom_teacher") or "")
    return YearSheet(
        school_year=school_year,
        grade=year.get("grade"),
        class_name=str(year.get("class_name") or ""),
        homeroom_teacher=staff.get(teacher, teacher),
        subjects=subjects,
        conduct={k: level(conduct.get(k)) for k in (*PERIODS, "after_summer")},
        learning={k: level(learning.get(k)) for k in (*PERIODS, "after_summer")},
        absences=absences,
        title=TITLE_LABELS.get(str(year.get("title") or ""), ""),
        promotion=str(promotion.get("label_vi") or ""),
        homeroom_comment=str(year.get("homeroom_comment") or ""),
        awards=[_award(a) for a in year.get("awards") or []],
        discipline=[_discipline(d) for d in year.get("discipline") or []],
    )


def subject_line(code: str, name: str, subject: Mapping[str, Any]) -> SubjectLine:
    def term(key: str) -> str:
        values = subject.get(key) or {}
        value = values.get("average")
        return mark(value if value is not None else values.get("result"))

    year = subject.get("year_average")
    return SubjectLine(
        code=code,
        name=name,
        kind=str(subject.get("kind") or "score"),
        hk1=term("hk1"),
        hk2=term("hk2"),
        year=mark(year if year is not None else subject.get("year_result")),
        reassessment=mark(subject.get("reassessment")),
        comment=str(subject.get("comment") or ""),
    )


def _award(award: Mapping[str, Any]) -> str:
    parts = [str(award.get("title") or "")]
    if award.get("level"):
        parts.append(f"cấp {award['level']}")
    if award.get("decision_no"):
        parts.append(f"QĐ số {award['decision_no']}")
    if award.get("decided_on"):
        parts.append(f"ngày {day(award['decided_on'])}")
    return ", ".join(parts)


def _discipline(item: Mapping[str, Any]) -> str:
    parts = [str(item.get("form") or "")]
    if item.get("reason"):
        parts.append(f"lý do: {item['reason']}")
    if item.get("decision_no"):
        parts.append(f"QĐ số {item['decision_no']}")
    if item.get("decided_on"):
        parts.append(f"ngày {day(item['decided_on'])}")
    return ", ".join(parts)
