"""Field types shared by the documents: decimals that survive BSON, normalised names."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from bson.decimal128 import Decimal128
from pydantic import BeforeValidator

from app.errors import InvalidInput
from app.grading.levels import CommentLevel
from app.grading.scores import check_score, parse_comment_level, parse_score

# Stored scores are few distinct values read over and over (a class's records hold thousands):
# each is converted once. Decimals are immutable, so one object serves every reader.
_DECIMALS: dict[bytes, Decimal] = {}
_DECIMALS_KEPT = 4096


def _from_decimal128(value: Any) -> Any:
    # Beanie stores Decimal as Decimal128; pydantic does not read it back on its own.
    if not isinstance(value, Decimal128):
        return value
    key = value.bid
    found = _DECIMALS.get(key)
    if found is None:
        found = value.to_decimal()
        if len(_DECIMALS) < _DECIMALS_KEPT:
            _DECIMALS[key] = found
    return found


def _to_mark(value: Any) -> Any:
    """What a teacher typed or storage holds -> a Decimal score or a comment level code."""
    value = _from_decimal128(value)
    try:
        if isinstance(value, CommentLevel):
            return value.code
        if isinstance(value, str):
            if any(ch.isdigit() for ch in value):
                return parse_score(value)
            return parse_comment_level(value).code
        if isinstance(value, bool):
            raise ValueError("Giá trị không phải là điểm")
        if isinstance(value, (int, float)):
            value = Decimal(str(value))
        if isinstance(value, Decimal):
            return check_score(value)
    except InvalidInput as exc:
        raise ValueError(exc.message) from exc
    return value


def _to_date(value: Any) -> Any:
    # BSON has no date type: a date is stored as midnight UTC and read back as datetime.
    return value.date() if isinstance(value, datetime) else value


def nfc(value: Any) -> Any:
    """Composed Unicode, single spaces, trimmed; other values pass through unchanged."""
    if not isinstance(value, str):
        return value
    return " ".join(unicodedata.normalize("NFC", value).split())


def search_key(text: str) -> str:
    """Lower-case, no diacritics, đ→d: "Nguyễn Thị H'Lan" -> "nguyen thi h'lan"."""
    decomposed = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(stripped.split())


Dec = Annotated[Decimal, BeforeValidator(_from_decimal128)]
# A mark is a score (0–10, one decimal) or a comment level code.
LevelCode = Literal["Đ", "CĐ"]
Mark = Annotated[Decimal | LevelCode, BeforeValidator(_to_mark)]
Text = Annotated[str, BeforeValidator(nfc)]
DateField = Annotated[date, BeforeValidator(_to_date)]
