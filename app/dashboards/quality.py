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
            values = cells.columns[key]
            if len(values) >= IDENTICAL_MIN and len(set(values)) == 1:
                detail = (
                    f"Cột {column_name(key)}: cả {len(values)} điểm đều là {as_text(values[0])}"
                )
                found.append(BookIssue(state, "identical", detail))
    return found
