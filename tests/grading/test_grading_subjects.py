"""Subject catalogue, ĐĐGtx counts and the unconfirmed settings."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from app.errors import InvalidInput
from app.grading import (
    DEFAULT_RULES,
    SUBJECTS,
    AssessmentKind,
    GradingRules,
    catalogue,
    regular_assessment_count,
)
from app.grading.subjects import check_grade

SCORE, COMMENT = AssessmentKind.SCORE, AssessmentKind.COMMENT


@pytest.mark.parametrize(
    ("kind", "periods", "expected"),
    [
        (SCORE, 1, 2),
        (SCORE, 35, 2),
        (SCORE, 36, 3),
        (SCORE, 52, 3),
        (SCORE, 70, 3),
        (SCORE, 71, 4),
        (SCORE, 105, 4),
        (SCORE, 140, 4),
        (COMMENT, 35, 2),
        (COMMENT, 70, 2),
        (COMMENT, 105, 2),
        (COMMENT, 140, 2),
    ],
)
def test_regular_assessment_count_from_periods(
    kind: AssessmentKind, periods: int, expected: int
) -> None:
    assert regular_assessment_count(kind=kind, periods=periods) == expected


# The DOMAIN §3 table, column "Regular assessments (ĐĐGtx) per term", grade by grade.
DOMAIN_TABLE = {
    "NGUVAN": (SCORE, (4, 4, 4, 4)),
    "TOAN": (SCORE, (4, 4, 4, 4)),
    "NGOAINGU1": (SCORE, (4, 4, 4, 4)),
    "GDCD": (SCORE, (2, 2, 2, 2)),
    "LSDL": (SCORE, (4, 4, 4, 4)),
    "KHTN": (SCORE, (4, 4, 4, 4)),
    "CONGNGHE": (SCORE, (2, 2, 3, 3)),
    "TINHOC": (SCORE, (2, 2, 2, 2)),
    "GDTC": (COMMENT, (2, 2, 2, 2)),
    "NGHETHUAT": (COMMENT, (2, 2, 2, 2)),
    "HDTN": (COMMENT, (2, 2, 2, 2)),
    "GDDP": (COMMENT, (2, 2, 2, 2)),
    "TIENGDANTOC": (SCORE, (4, 4, 4, 4)),
    "NGOAINGU2": (SCORE, (4, 4, 4, 4)),
}


@pytest.mark.parametrize("code", list(DOMAIN_TABLE))
def test_catalogue_matches_domain_table(code: str) -> None:
    kind, counts = DOMAIN_TABLE[code]
    subject = catalogue()[code]
    assert subject.kind is kind
    assert tuple(subject.regular_count(g) for g in (6, 7, 8, 9)) == counts


def test_catalogue_order_and_electives() -> None:
    subjects = catalogue()
    assert list(subjects) == list(DOMAIN_TABLE)
    assert [c for c, s in subjects.items() if s.elective] == ["TIENGDANTOC", "NGOAINGU2"]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("NGUVAN", "Ngữ văn"),
        ("LSDL", "Lịch sử và Địa lí"),
        ("HDTN", "Hoạt động trải nghiệm, hướng nghiệp"),
        ("GDDP", "Nội dung giáo dục của địa phương"),
        ("TIENGDANTOC", "Tiếng dân tộc thiểu số"),
    ],
)
def test_vietnamese_names(code: str, name: str) -> None:
    assert SUBJECTS[code].name == name


def test_names_are_nfc_and_codes_ascii_upper() -> None:
    for code, subject in SUBJECTS.items():
        assert unicodedata.is_normalized("NFC", subject.name)
        assert code.isascii()
        assert code.isupper()
        assert code == subject.code


def test_congnghe_periods_per_grade() -> None:
    assert [SUBJECTS["CONGNGHE"].periods_for(g) for g in (6, 7, 8, 9)] == [35, 35, 52, 52]


@pytest.mark.parametrize("grade", [5, 10, 0])
def test_grade_outside_thcs_is_rejected(grade: int) -> None:
    with pytest.raises(InvalidInput, match="lớp 6 đến lớp 9"):
        check_grade(grade)


def test_default_rules_follow_domain_literally() -> None:
    assert (
        GradingRules(
            art_split=False,
            ethnic_language_scored=True,
            second_foreign_language_scored=True,
            lift_one_level=False,
        )
        == DEFAULT_RULES
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_RULES.lift_one_level = True  # type: ignore[misc]


def test_art_split_replaces_nghe_thuat_with_two_comment_subjects() -> None:
    subjects = catalogue(rules=GradingRules(art_split=True))
    assert "NGHETHUAT" not in subjects
    codes = list(subjects)
    assert codes[codes.index("GDTC") + 1 : codes.index("GDTC") + 3] == ["AMNHAC", "MITHUAT"]
    assert subjects["AMNHAC"].name == "Âm nhạc"
    assert subjects["MITHUAT"].name == "Mĩ thuật"
    assert subjects["AMNHAC"].kind is COMMENT
    assert subjects["MITHUAT"].regular_count(6) == 2


def test_ethnic_language_as_comment_subject() -> None:
    subjects = catalogue(rules=GradingRules(ethnic_language_scored=False))
    assert subjects["TIENGDANTOC"].kind is COMMENT
    assert subjects["TIENGDANTOC"].regular_count(7) == 2
    assert subjects["NGOAINGU2"].kind is SCORE


def test_second_foreign_language_as_comment_subject() -> None:
    subjects = catalogue(rules=GradingRules(second_foreign_language_scored=False))
    assert subjects["NGOAINGU2"].kind is COMMENT
    assert subjects["TIENGDANTOC"].kind is SCORE


def test_catalogue_is_read_only() -> None:
    with pytest.raises(TypeError):
        catalogue()["X"] = SUBJECTS["TOAN"]  # type: ignore[index]
