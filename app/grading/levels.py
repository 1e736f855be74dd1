"""Enumerations with Vietnamese labels: result levels, comment levels, titles, terms.

Learning result (kết quả học tập) and conduct (kết quả rèn luyện) use the same four levels, with
the ministry codes T, K, Đ, CĐ as enum values (the export field ``canam`` uses them).
"""

from __future__ import annotations

from enum import Enum


class Member:
    """Mixin for the engine's enumerations: members are singletons compared by identity, so
    they hash by identity too, in C (``Enum`` hashes the member name in Python, and a year's
    computation hashes thousands of them in missing lists and memo keys)."""

    __hash__ = object.__hash__


class Level(Member, Enum):
    """Tốt / Khá / Đạt / Chưa đạt, for learning results and conduct alike."""

    GOOD = "T"
    FAIR = "K"
    PASS = "Đ"
    FAIL = "CĐ"

    @property
    def code(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self]

    @property
    def rank(self) -> int:
        """3 for Tốt down to 0 for Chưa đạt; higher is better."""
        return _LEVEL_RANKS[self]

    @classmethod
    def from_rank(cls, rank: int) -> Level:
        return _LEVELS_BY_RANK[rank]


_LEVEL_LABELS = {
    Level.GOOD: "Tốt",
    Level.FAIR: "Khá",
    Level.PASS: "Đạt",
    Level.FAIL: "Chưa đạt",
}
_LEVEL_RANKS = {Level.GOOD: 3, Level.FAIR: 2, Level.PASS: 1, Level.FAIL: 0}
_LEVELS_BY_RANK = {rank: level for level, rank in _LEVEL_RANKS.items()}

# The two judgements share one scale; the aliases keep signatures self-explanatory.
LearningResult = Level
ConductResult = Level


class CommentLevel(Member, Enum):
    """Result of one assessment (or a term/year) in a comment-graded subject."""

    PASS = "Đ"
    FAIL = "CĐ"

    @property
    def code(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        return "Đạt" if self is CommentLevel.PASS else "Chưa đạt"


class Title(Member, Enum):
    """Year title (danh hiệu). A pupil without a title has ``None``."""

    EXCELLENT = "XUATSAC"
    GOOD = "GIOI"

    @property
    def label(self) -> str:
        return "Học sinh Xuất sắc" if self is Title.EXCELLENT else "Học sinh Giỏi"


class Term(Member, Enum):
    """Học kỳ I and học kỳ II."""

    I = 1  # noqa: E741 - the Roman numeral is the domain's own name
    II = 2

    @property
    def label(self) -> str:
        return "học kỳ I" if self is Term.I else "học kỳ II"
