"""Parsing typed scores and comment levels; the enums' Vietnamese labels and codes."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from app.errors import InvalidInput, InvalidScore
from app.grading import (
    CommentLevel,
    Level,
    Title,
    check_score,
    parse_comment_level,
    parse_level,
    parse_score,
)


def nfd(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text, "test input must really change under NFD"
    return decomposed


RANGE = "Điểm phải nằm trong khoảng 0 đến 10"
DECIMALS = "Điểm chỉ được có tối đa một chữ số thập phân"
EMPTY = "Chưa nhập điểm"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8,5", "8.5"),
        ("8.5", "8.5"),
        (" 9 ", "9"),
        ("10", "10"),
        ("0", "0"),
        ("0,0", "0"),
        ("10.0", "10"),
        ("10,0", "10"),
        ("8,50", "8.5"),
        ("05", "5"),
        ("\t7,3\n", "7.3"),
        ("\u00a06,1\u00a0", "6.1"),
        ("3.5", "3.5"),
    ],
)
def test_scores_accepted(text: str, expected: str) -> None:
    value = parse_score(text)
    assert type(value) is Decimal
    assert value == Decimal(expected)
    assert str(value) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("11", RANGE),
        ("-1", RANGE),
        ("10,5", RANGE),
        ("10.1", RANGE),
        ("100", RANGE),
        ("8,55", DECIMALS),
        ("0.05", DECIMALS),
        ("9,99", DECIMALS),
        ("", EMPTY),
        ("  ", EMPTY),
        ("\t\n", EMPTY),
        ("abc", "«abc» không phải là điểm hợp lệ"),
        ("1e1", "«1e1» không phải là điểm hợp lệ"),
        ("nan", "«nan» không phải là điểm hợp lệ"),
        ("NaN", "«NaN» không phải là điểm hợp lệ"),
        ("inf", "«inf» không phải là điểm hợp lệ"),
        ("Infinity", "«Infinity» không phải là điểm hợp lệ"),
        ("8,5,1", "«8,5,1» không phải là điểm hợp lệ"),
        ("8 5", "«8 5» không phải là điểm hợp lệ"),
        ("8,", "«8,» không phải là điểm hợp lệ"),
        (",5", "«,5» không phải là điểm hợp lệ"),
        ("０", "«０» không phải là điểm hợp lệ"),  # full-width digit
        ("٨", "«٨» không phải là điểm hợp lệ"),  # Arabic-Indic digit
        ("½", "«½» không phải là điểm hợp lệ"),
        ("Tốt", "«Tốt» không phải là điểm hợp lệ"),
        (nfd("Tốt"), "«Tốt» không phải là điểm hợp lệ"),  # quoted back in NFC
    ],
)
def test_scores_rejected_with_vietnamese_message(text: str, message: str) -> None:
    with pytest.raises(InvalidScore) as caught:
        parse_score(text)
    assert caught.value.message == message
    assert caught.value.status_code == 422


def test_long_garbage_is_shortened_in_the_message() -> None:
    with pytest.raises(InvalidScore) as caught:
        parse_score("x" * 200)
    assert caught.value.message == "«" + "x" * 20 + "…» không phải là điểm hợp lệ"


def test_field_is_passed_to_the_error() -> None:
    with pytest.raises(InvalidScore) as caught:
        parse_score("12", field="TOAN.hk1.ck")
    assert caught.value.field == "TOAN.hk1.ck"


@pytest.mark.parametrize("value", [Decimal("8.5"), Decimal("8.50"), Decimal("10"), Decimal("0")])
def test_check_score_accepts(value: Decimal) -> None:
    assert check_score(value) == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal("10.1"), RANGE),
        (Decimal("-0.1"), RANGE),
        (Decimal("8.55"), DECIMALS),
        (Decimal("NaN"), "«NaN» không phải là điểm hợp lệ"),
        (Decimal("Infinity"), "«Infinity» không phải là điểm hợp lệ"),
        (Decimal("sNaN"), "«sNaN» không phải là điểm hợp lệ"),
        (True, "«True» không phải là điểm hợp lệ"),
        (8.5, "«8.5» không phải là điểm hợp lệ"),
        ("8.5", "«8.5» không phải là điểm hợp lệ"),
    ],
)
def test_check_score_rejects(value: object, message: str) -> None:
    with pytest.raises(InvalidScore) as caught:
        check_score(value)  # type: ignore[arg-type]
    assert caught.value.message == message


PASS_SPELLINGS = ["Đ", "đ", "Đạt", "đạt", "ĐẠT", "đẠt", "  Đạt ", "Dat", "d"]
FAIL_SPELLINGS = [
    "CĐ",
    "cđ",
    "Cđ",
    "Chưa đạt",
    "chưa đạt",
    "CHƯA ĐẠT",
    "Chưa  đạt",
    " chưa đạt\t",
    "CD",
    "chua dat",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [(t, CommentLevel.PASS) for t in PASS_SPELLINGS]
    + [(nfd(t), CommentLevel.PASS) for t in ("Đạt", "đạt", "ĐẠT")]
    + [(t, CommentLevel.FAIL) for t in FAIL_SPELLINGS]
    + [(nfd(t), CommentLevel.FAIL) for t in ("Chưa đạt", "chưa đạt", "CHƯA ĐẠT")],
)
def test_comment_levels_accepted(text: str, expected: CommentLevel) -> None:
    assert parse_comment_level(text) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Chưa nhập mức đánh giá"),
        ("   ", "Chưa nhập mức đánh giá"),
        ("Tốt", "«Tốt» không phải là mức đánh giá hợp lệ (Đạt/Đ hoặc Chưa đạt/CĐ)"),
        ("8", "«8» không phải là mức đánh giá hợp lệ (Đạt/Đ hoặc Chưa đạt/CĐ)"),
        ("Chưa", "«Chưa» không phải là mức đánh giá hợp lệ (Đạt/Đ hoặc Chưa đạt/CĐ)"),
        ("Đạt yêu cầu", "«Đạt yêu cầu» không phải là mức đánh giá hợp lệ (Đạt/Đ hoặc Chưa đạt/CĐ)"),
        (nfd("Khá"), "«Khá» không phải là mức đánh giá hợp lệ (Đạt/Đ hoặc Chưa đạt/CĐ)"),
    ],
)
def test_comment_levels_rejected(text: str, message: str) -> None:
    with pytest.raises(InvalidScore) as caught:
        parse_comment_level(text)
    assert caught.value.message == message


def test_comment_level_labels_and_codes() -> None:
    assert (CommentLevel.PASS.label, CommentLevel.PASS.code) == ("Đạt", "Đ")
    assert (CommentLevel.FAIL.label, CommentLevel.FAIL.code) == ("Chưa đạt", "CĐ")


@pytest.mark.parametrize(
    ("level", "label", "code", "rank"),
    [
        (Level.GOOD, "Tốt", "T", 3),
        (Level.FAIR, "Khá", "K", 2),
        (Level.PASS, "Đạt", "Đ", 1),
        (Level.FAIL, "Chưa đạt", "CĐ", 0),
    ],
)
def test_level_labels_codes_ranks(level: Level, label: str, code: str, rank: int) -> None:
    assert (level.label, level.code, level.rank) == (label, code, rank)
    assert Level.from_rank(rank) is level
    assert Level(code) is level


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("T", Level.GOOD),
        ("tốt", Level.GOOD),
        (nfd("TỐT"), Level.GOOD),
        ("K", Level.FAIR),
        ("Khá", Level.FAIR),
        (nfd("khá"), Level.FAIR),
        ("Đ", Level.PASS),
        (nfd("Đạt"), Level.PASS),
        ("CĐ", Level.FAIL),
        (nfd("Chưa đạt"), Level.FAIL),
    ],
)
def test_parse_level(text: str, expected: Level) -> None:
    assert parse_level(text) is expected


@pytest.mark.parametrize("text", ["Giỏi", "Trung bình", "", "A"])
def test_parse_level_rejects(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_level(text)


def test_title_labels() -> None:
    assert Title.EXCELLENT.label == "Học sinh Xuất sắc"
    assert Title.GOOD.label == "Học sinh Giỏi"
