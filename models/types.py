"""Field types shared by the documents: decimals that survive BSON, normalised names."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from bson.decimal128 import Decimal128
from pydantic import BeforeValidator

from app.errors import InvalidInput
from app.grading.levels import CommentLevel
from app.grading.scores import check_score, parse_comment_level, parse_score

# Stored scores are few distinct values read over and over (a class's records hold thousands):
# each is converted once, keyed by its 128 bits (``__getstate__``, cheaper than ``bid``).
# Decimals are immutable, so one object serves every reader.
_DECIMALS: dict[tuple[int, int], Decimal] = {}
_MARKS: dict[tuple[int, int], Decimal] = {}  # the same, checked as scores
_KEPT = 4096
# A comment level as stored is its code: nothing to parse.
_LEVEL_CODES = frozenset(level.code for level in CommentLevel)


K = TypeVar("K")
V = TypeVar("V")
A = TypeVar("A")


def remembered(kept: dict[K, V], key: K, make: Callable[[A], V], value: A) -> V:
    """``make(value)``, remembered in ``kept`` under ``key`` while it holds fewer than a few
    thousand (for the few distinct immutable values stored over and over: scores)."""
    found = kept.get(key)
    if found is None:
        found = make(value)
        if len(kept) < _KEPT:
            kept[key] = found
    return found


def from_decimal128(value: Any) -> Any:
    """A stored Decimal128 as a Decimal (each distinct value converted once); any other
    value as it is. Beanie stores Decimal as Decimal128; pydantic does not read it back."""
    if not isinstance(value, Decimal128):
        return value
    return remembered(_DECIMALS, value.__getstate__(), Decimal128.to_decimal, value)


def _to_mark(value: Any) -> Any:
    """What a teacher typed or storage holds -> a Decimal score or a comment level code."""
    kind = type(value)
    if kind is Decimal128:  # a stored score, checked once
        return remembered(_MARKS, value.__getstate__(), _checked, value)
    if kind is str and value in _LEVEL_CODES:  # a stored comment level
        return value
    return _checked(value)


def _checked(value: Any) -> Any:
    value = from_decimal128(value)
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


Dec = Annotated[Decimal, BeforeValidator(from_decimal128)]
# A mark is a score (0–10, one decimal) or a comment level code.
LevelCode = Literal["Đ", "CĐ"]
Mark = Annotated[Decimal | LevelCode, BeforeValidator(_to_mark)]
Text = Annotated[str, BeforeValidator(nfc)]
DateField = Annotated[date, BeforeValidator(_to_date)]
