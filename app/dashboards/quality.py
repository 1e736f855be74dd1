"""Data quality of the books (Art. 6.3): cells still missing and columns whose scores are all the
same, next to the pupils' own findings (see ``rules``)."""

from __future__ import annotations

from dataclasses import dataclass

from .progress import BookState
from .rules import as_text

IDENTICAL_MIN = 5  # scores in a column before "all the same" is worth a look
COLUMN_NAMES = {"gk": "ĐĐGgk", "ck": "ĐĐGck"}


@dataclass
class BookIssue:
    state: BookState
    kind: str  # "missing" or "identical"
    detail: str


def column_name(key: str) -> str:
    return COLUMN_NAMES.get(key) or "ĐĐGtx" + key.removeprefix("tx")


def book_issues(states: list[BookState]) -> list[BookIssue]:
    found = []
    for state in states:
        cells = state.cells
        if cells.missing:
            detail = (
                f"Thiếu {cells.missing}/{cells.expected} ô; "
                f"{cells.short}/{cells.pupils} học sinh chưa đủ"
            )
            found.append(BookIssue(state, "missing", detail))
        for key in sorted(cells.columns):
            values = [(v, n) for v, n in cells.columns[key].items() if n > 0]
            if len(values) == 1 and values[0][1] >= IDENTICAL_MIN:
                value, count = values[0]
                detail = f"Cột {column_name(key)}: cả {count} điểm đều là {as_text(value)}"
                found.append(BookIssue(state, "identical", detail))
    return found
