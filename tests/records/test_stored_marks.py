"""Marks as stored (Decimal128, level codes) read back into a school year: the fast path for
the common forms answers exactly what the full check answers."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest
from bson.decimal128 import Decimal128
from pydantic import ValidationError

from models.student_parts import SubjectTerm
from models.types import from_decimal128


def read(**term: object) -> SubjectTerm:
    return SubjectTerm.model_validate(term)


def test_stored_scores_read_back_as_decimals() -> None:
    for _ in range(2):  # the second read comes from what the first one remembered
        parsed = read(tx=[Decimal128("8.5"), Decimal128("10"), None], gk=Decimal128("0"))
        assert parsed.tx == [Decimal("8.5"), Decimal("10"), None]
        assert [str(v) for v in parsed.tx if v is not None] == ["8.5", "10"]
        assert parsed.gk == Decimal(0)
    # 8 and 8.0 stay as they were stored.
    assert str(read(ck=Decimal128("8.0")).ck) == "8.0"
    assert str(read(ck=Decimal128("8")).ck) == "8"


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ("10.5", "khoảng 0 đến 10"),
        ("8.25", "một chữ số thập phân"),
        ("NaN", "không phải là điểm hợp lệ"),
    ],
)
def test_a_wrong_stored_score_is_refused_every_time(stored: str, message: str) -> None:
    for _ in range(2):
        with pytest.raises(ValidationError, match=message):
            read(gk=Decimal128(stored))


def test_level_codes_and_typed_levels() -> None:
    assert read(tx=["Đ", "CĐ"]).tx == ["Đ", "CĐ"]
    assert read(tx=[unicodedata.normalize("NFD", "Đạt"), "chua dat", " cđ "]).tx == [
        "Đ",
        "CĐ",
        "CĐ",
    ]
    with pytest.raises(ValidationError, match="mức đánh giá hợp lệ"):
        read(gk="Tốt")


def test_typed_scores_still_go_through_the_full_check() -> None:
    assert read(gk="8,5", ck=7, tx=[9.5, Decimal("6")]).model_dump() == {
        "tx": [Decimal("9.5"), Decimal("6")],
        "gk": Decimal("8.5"),
        "ck": Decimal("7"),
        "average": None,
        "result": None,
        "comment": None,
    }
    with pytest.raises(ValidationError, match="không phải là điểm"):
        read(gk=True)


def test_a_stored_decimal_reads_as_the_same_number_every_time() -> None:
    for text in ("8.5", "8.50", "10", "0.0", "NaN"):
        first, again = from_decimal128(Decimal128(text)), from_decimal128(Decimal128(text))
        assert str(first) == str(again) == str(Decimal128(text).to_decimal())
    assert from_decimal128("8.5") == "8.5"
    assert from_decimal128(None) is None
