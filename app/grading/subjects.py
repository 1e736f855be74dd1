"""Subject catalogue of the 2018 programme for grades 6–9 (Thông tư 22/2021/TT-BGDĐT).

The number of regular assessments (ĐĐGtx) per term is derived from the periods per year by
``regular_assessment_count``, never written per subject.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import cache
from types import MappingProxyType

from app.errors import InvalidInput
from app.grading.levels import Member
from app.grading.rules import DEFAULT_RULES, GradingRules

GRADES = (6, 7, 8, 9)


class AssessmentKind(Member, Enum):
    """Graded with scores on a 10-point scale, or with comments (Đạt / Chưa đạt)."""

    SCORE = "score"
    COMMENT = "comment"

    @property
    def label(self) -> str:
        return "Đánh giá bằng điểm số" if self is AssessmentKind.SCORE else "Đánh giá bằng nhận xét"


def regular_assessment_count(*, kind: AssessmentKind, periods: int) -> int:
    """ĐĐGtx per term: comment subjects 2; score subjects ≤ 35 periods 2, 36–70 3, > 70 4."""
    if kind is AssessmentKind.COMMENT or periods <= 35:
        return 2
    if periods <= 70:
        return 3
    return 4


@dataclass(frozen=True, slots=True)
class Subject:
    """One subject; ``periods`` holds the periods per year for grades 6, 7, 8, 9."""

    code: str
    name: str
    kind: AssessmentKind
    periods: tuple[int, int, int, int]
    elective: bool = False

    # Derived from kind and periods once, because it is asked for every subject and term.
    _counts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        counts = tuple(regular_assessment_count(kind=self.kind, periods=p) for p in self.periods)
        object.__setattr__(self, "_counts", counts)

    def periods_for(self, grade: int) -> int:
        return self.periods[check_grade(grade) - 6]

    def regular_count(self, grade: int) -> int:
        """Required ĐĐGtx per term in ``grade``."""
        if grade not in GRADES:
            check_grade(grade)
        return self._counts[grade - 6]


def check_grade(grade: int) -> int:
    if grade not in GRADES:
        raise InvalidInput(f"Khối lớp {grade} không thuộc cấp THCS (chỉ từ lớp 6 đến lớp 9)")
    return grade


_S, _C = AssessmentKind.SCORE, AssessmentKind.COMMENT

# Order is the order of the record book.
SUBJECTS: dict[str, Subject] = {
    s.code: s
    for s in (
        Subject("NGUVAN", "Ngữ văn", _S, (140, 140, 140, 140)),
        Subject("TOAN", "Toán", _S, (140, 140, 140, 140)),
        Subject("NGOAINGU1", "Ngoại ngữ 1", _S, (105, 105, 105, 105)),
        Subject("GDCD", "Giáo dục công dân", _S, (35, 35, 35, 35)),
        Subject("LSDL", "Lịch sử và Địa lí", _S, (105, 105, 105, 105)),
        Subject("KHTN", "Khoa học tự nhiên", _S, (140, 140, 140, 140)),
        Subject("CONGNGHE", "Công nghệ", _S, (35, 35, 52, 52)),
        Subject("TINHOC", "Tin học", _S, (35, 35, 35, 35)),
        Subject("GDTC", "Giáo dục thể chất", _C, (70, 70, 70, 70)),
        Subject("NGHETHUAT", "Nghệ thuật", _C, (70, 70, 70, 70)),
        Subject("HDTN", "Hoạt động trải nghiệm, hướng nghiệp", _C, (105, 105, 105, 105)),
        Subject("GDDP", "Nội dung giáo dục của địa phương", _C, (35, 35, 35, 35)),
        Subject("TIENGDANTOC", "Tiếng dân tộc thiểu số", _S, (105, 105, 105, 105), True),
        Subject("NGOAINGU2", "Ngoại ngữ 2", _S, (105, 105, 105, 105), True),
    )
}

# Used instead of NGHETHUAT when GradingRules.art_split is on (the 70 periods split evenly).
ART_SPLIT_SUBJECTS = (
    Subject("AMNHAC", "Âm nhạc", _C, (35, 35, 35, 35)),
    Subject("MITHUAT", "Mĩ thuật", _C, (35, 35, 35, 35)),
)


@cache
def catalogue(*, rules: GradingRules = DEFAULT_RULES) -> Mapping[str, Subject]:
    """Subjects in force under ``rules``, by code, in record-book order (read-only)."""
    result: dict[str, Subject] = {}
    for code, subject in SUBJECTS.items():
        if code == "NGHETHUAT" and rules.art_split:
            result.update((s.code, s) for s in ART_SPLIT_SUBJECTS)
            continue
        scored = {
            "TIENGDANTOC": rules.ethnic_language_scored,
            "NGOAINGU2": rules.second_foreign_language_scored,
        }.get(code)
        if scored is not None:
            subject = replace(subject, kind=_S if scored else _C)
        result[code] = subject
    return MappingProxyType(result)
