"""The one pattern for "computed or not yet computable": ``Result[T] = Computed[T] | Pending``.

When a required input is missing, grading functions return ``Pending`` listing what is missing,
in machine form (``Missing.key``) and readable Vietnamese (``Missing.message``), never a number
computed from partial data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, TypeAlias, TypeVar

from app.grading.levels import Member, Term

T = TypeVar("T")
# Every missing input made, by its values (a few thousand at most: kinds x subjects x terms).
_MADE: dict[tuple[Any, ...], Missing] = {}
T_co = TypeVar("T_co", covariant=True)


class MissingItem(Member, Enum):
    """What kind of input is missing."""

    REGULAR = "tx"  # ĐĐGtx, regular assessments
    MID = "gk"  # ĐĐGgk, mid-term assessment
    FINAL = "ck"  # ĐĐGck, end-of-term assessment
    SUBJECT = "subject"  # a compulsory subject has no entry at all
    CONDUCT = "conduct"  # term conduct not yet judged
    REASSESSMENT = "reassessment"  # re-assessment result awaited


@dataclass(frozen=True, slots=True, eq=False)
class Missing:
    """One missing input. ``subject`` is a subject code, ``subject_name`` its Vietnamese name.

    Missing inputs are gathered without repeats, many times for every year computed: each is
    made once (equal inputs are the very same object), so it compares and hashes as fast as
    an object can, and is worded once."""

    item: MissingItem
    subject: str | None = None
    subject_name: str | None = None
    term: Term | None = None
    count: int = 1
    _message: str = field(init=False, repr=False)

    def __new__(
        cls,
        item: MissingItem,
        subject: str | None = None,
        subject_name: str | None = None,
        term: Term | None = None,
        count: int = 1,
    ) -> Missing:
        key = (item, subject, subject_name, term, count)
        made = _MADE.get(key)
        if made is None:
            made = object.__new__(cls)
            object.__setattr__(made, "_message", "")  # worded by __init__, below
            made = _MADE.setdefault(key, made)
        return made

    def __post_init__(self) -> None:
        if not self._message:
            object.__setattr__(self, "_message", self._worded())

    def __reduce__(self) -> tuple[type[Missing], tuple[Any, ...]]:
        # Copied or unpickled, it is made again: the one object for these values.
        return Missing, (self.item, self.subject, self.subject_name, self.term, self.count)

    @property
    def key(self) -> str:
        """Machine form, e.g. ``TOAN.hk1.ck`` or ``conduct.hk2``."""
        parts = [self.subject or "", f"hk{self.term.value}" if self.term else "", self.item.value]
        if self.item is MissingItem.CONDUCT:
            parts = [self.item.value, parts[1]]
        return ".".join(p for p in parts if p)

    @property
    def message(self) -> str:
        """Readable Vietnamese, e.g. "Toán: thiếu ĐĐGck học kỳ I"."""
        return self._message

    def _worded(self) -> str:
        term = f" {self.term.label}" if self.term else ""
        name = self.subject_name or self.subject or ""
        match self.item:
            case MissingItem.REGULAR:
                return f"{name}: thiếu {self.count} ĐĐGtx{term}"
            case MissingItem.MID:
                return f"{name}: thiếu ĐĐGgk{term}"
            case MissingItem.FINAL:
                return f"{name}: thiếu ĐĐGck{term}"
            case MissingItem.SUBJECT:
                return f"{name}: chưa có kết quả môn học"
            case MissingItem.CONDUCT:
                return f"Thiếu kết quả rèn luyện{term}"
            case MissingItem.REASSESSMENT:
                return f"{name}: chưa có kết quả kiểm tra lại"
        raise AssertionError(self.item)  # pragma: no cover - the match is exhaustive


@dataclass(frozen=True, slots=True)
class Computed(Generic[T_co]):
    """A value computed from complete inputs."""

    value: T_co


@dataclass(frozen=True, slots=True)
class Pending:
    """Not yet computable; ``missing`` says why."""

    missing: tuple[Missing, ...]

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(m.message for m in self.missing)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(m.key for m in self.missing)


Result: TypeAlias = Computed[T] | Pending


def missing_in(results: Iterable[Computed[Any] | Pending]) -> tuple[Missing, ...]:
    """Everything missing across ``results``, in order, without duplicates."""
    missing: dict[Missing, None] = {}
    for result in results:
        if isinstance(result, Pending):
            missing.update(dict.fromkeys(result.missing))
    return tuple(missing)
