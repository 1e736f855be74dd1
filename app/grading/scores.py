"""Parsing what teachers type: scores ("8,5", "8.5") and comment levels ("Đ", "Chưa đạt").

Scores are ``Decimal`` on the 10-point scale with at most one decimal; never ``float``.
Every rejection raises ``InvalidScore`` with a Vietnamese message naming the problem.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import TypeAlias

from app.errors import InvalidInput, InvalidScore
from app.grading.levels import CommentLevel, Level

# What one assessment (or a term/year result) holds: a score or a comment level.
Mark: TypeAlias = Decimal | CommentLevel

MIN_SCORE = Decimal(0)
MAX_SCORE = Decimal(10)
# The 101 values a score can take; membership compares by value ("8.50" is in, as 8.5).
VALID_SCORES = frozenset(Decimal(n).scaleb(-1) for n in range(101))

# Optional sign (so "-1" gets the range message, not "not a score"), ASCII digits, one separator.
_SCORE_RE = re.compile(r"([+-]?)([0-9]+)(?:[.,]([0-9]+))?", re.ASCII)

MSG_EMPTY = "Chưa nhập điểm"
MSG_RANGE = "Điểm phải nằm trong khoảng 0 đến 10"
MSG_DECIMALS = "Điểm chỉ được có tối đa một chữ số thập phân"


def format_score(value: Decimal | int | float | str) -> str:
    """A score as teachers write it: "8,5", "10" (a comma decimal, no trailing zeros)."""
    return f"{Decimal(str(value)).normalize():f}".replace(".", ",")


def _quote(text: str) -> str:
    shown = unicodedata.normalize("NFC", text)
    return f"«{shown[:20]}…»" if len(shown) > 20 else f"«{shown}»"


def parse_score(text: str, *, field: str | None = None) -> Decimal:
    """Parse a typed score: "8,5", "8.5", " 9 ", "10", "0" → ``Decimal``.

    Trailing zeros are accepted and dropped ("8,50" → 8.5, "9.0" → 9) because spreadsheets
    format numbers that way; a significant second decimal ("8,55") is rejected.
    """
    stripped = text.strip()
    if not stripped:
        raise InvalidScore(MSG_EMPTY, field=field)
    match = _SCORE_RE.fullmatch(stripped)
    if match is None:
        raise InvalidScore(f"{_quote(stripped)} không phải là điểm hợp lệ", field=field)
    sign, whole, fraction = match.groups()
    fraction = (fraction or "").rstrip("0")
    value = Decimal(f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}")
    if not MIN_SCORE <= value <= MAX_SCORE:
        raise InvalidScore(MSG_RANGE, field=field)
    if len(fraction) > 1:
        raise InvalidScore(MSG_DECIMALS, field=field)
    return value + 0  # normalises "-0" to "0"


def check_score(value: Decimal, *, field: str | None = None) -> Decimal:
    """Validate an already-typed score (from storage or an import): finite, 0–10, one decimal."""
    if type(value) is Decimal and value.is_finite() and value in VALID_SCORES:
        return value
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidScore(f"{_quote(str(value))} không phải là điểm hợp lệ", field=field)
    if not MIN_SCORE <= value <= MAX_SCORE:
        raise InvalidScore(MSG_RANGE, field=field)
    if value != value.quantize(Decimal("0.1")):
        raise InvalidScore(MSG_DECIMALS, field=field)
    return value


def _fold(text: str) -> str:
    """NFC, case-folded, inner whitespace collapsed: "  CHƯA   Đạt " → "chưa đạt"."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


# Diacritic-less spellings are accepted too: they are unambiguous and some keyboards lack Telex.
_COMMENT_WORDS = {
    **dict.fromkeys(("đ", "đạt", "d", "dat"), CommentLevel.PASS),
    **dict.fromkeys(("cđ", "chưa đạt", "cd", "chua dat"), CommentLevel.FAIL),
}

_LEVEL_WORDS = {
    **dict.fromkeys(("t", "tốt", "tot"), Level.GOOD),
    **dict.fromkeys(("k", "khá", "kha"), Level.FAIR),
    **dict.fromkeys(("đ", "đạt", "d", "dat"), Level.PASS),
    **dict.fromkeys(("cđ", "chưa đạt", "cd", "chua dat"), Level.FAIL),
}


def parse_comment_level(text: str, *, field: str | None = None) -> CommentLevel:
    """Parse "Đ", "Đạt", "CĐ", "Chưa đạt" (any case, NFC or NFD) into a ``CommentLevel``."""
    folded = _fold(text)
    if not folded:
        raise InvalidScore("Chưa nhập mức đánh giá", field=field)
    level = _COMMENT_WORDS.get(folded)
    if level is None:
        raise InvalidScore(
            f"{_quote(text.strip())} không phải là mức đánh giá hợp lệ (Đạt/Đ hoặc Chưa đạt/CĐ)",
            field=field,
        )
    return level


def parse_level(text: str, *, field: str | None = None) -> Level:
    """Parse a conduct or learning level: "T"/"Tốt", "K"/"Khá", "Đ"/"Đạt", "CĐ"/"Chưa đạt"."""
    folded = _fold(text)
    if not folded:
        raise InvalidInput("Chưa nhập mức đánh giá", field=field)
    level = _LEVEL_WORDS.get(folded)
    if level is None:
        raise InvalidInput(
            f"{_quote(text.strip())} không phải là mức hợp lệ (Tốt, Khá, Đạt, Chưa đạt)",
            field=field,
        )
    return level
