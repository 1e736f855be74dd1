"""Catalogue data of the demo school: school years, subjects with their groups, classes."""

from __future__ import annotations

from datetime import date

from app.grading import catalogue
from app.grading.subjects import AssessmentKind
from models.catalogue import SchoolYear, Subject

CURRENT_YEAR = "2025-2026"
GRADES = (6, 7, 8, 9)

# Tổ chuyên môn of the demo school and the subjects each checks.
SUBJECT_GROUPS: dict[str, tuple[str, ...]] = {
    "Tổ Toán – Tin học": ("TOAN", "TINHOC"),
    "Tổ Khoa học tự nhiên – Công nghệ": ("KHTN", "CONGNGHE"),
    "Tổ Ngữ văn – Lịch sử và Địa lí – GDCD": ("NGUVAN", "LSDL", "GDCD", "GDDP", "TIENGDANTOC"),
    "Tổ Ngoại ngữ": ("NGOAINGU1", "NGOAINGU2"),
    "Tổ Nghệ thuật – Thể chất – Trải nghiệm": ("GDTC", "NGHETHUAT", "HDTN"),
}
GROUP_OF = {code: group for group, codes in SUBJECT_GROUPS.items() for code in codes}


def year_code(start: int) -> str:
    return f"{start}-{start + 1}"


def start_of(code: str) -> int:
    return int(code.split("-")[0])


def school_years() -> list[SchoolYear]:
    current = start_of(CURRENT_YEAR)
    return [
        SchoolYear(
            code=year_code(start),
            starts_on=date(start, 9, 5),
            term1_ends_on=date(start + 1, 1, 15),
            ends_on=date(start + 1, 5, 31),
            is_current=start == current,
        )
        for start in range(current - 3, current + 1)
    ]


def subjects() -> list[Subject]:
    return [
        Subject(
            code=s.code,
            name=s.name,
            kind="score" if s.kind is AssessmentKind.SCORE else "comment",
            periods={str(g): s.periods_for(g) for g in GRADES},
            elective=s.elective,
            group=GROUP_OF.get(s.code),
            order=index,
        )
        for index, s in enumerate(catalogue().values())
    ]


def compulsory_subjects() -> list[str]:
    return [code for code, s in catalogue().items() if not s.elective]
