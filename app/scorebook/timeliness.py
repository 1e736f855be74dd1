"""When a book's cells were filled, from the change log (Art. 7.2: «không dồn vào cuối kỳ»).

For each column: when its first and last values were entered and how many; for the term: how
much of its entry happened in its last two weeks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from app.clock import format_date, local
from app.records.diff import get_path
from app.store import Access
from models.role import Action

from .books import Book
from .columns import Column

LAST_WEEKS = timedelta(days=14)


@dataclass
class ColumnTiming:
    first: datetime | None = None
    last: datetime | None = None
    cells: int = 0

    def note(self, at: datetime) -> None:
        self.first = at if self.first is None or at < self.first else self.first
        self.last = at if self.last is None or at > self.last else self.last
        self.cells += 1

    @property
    def span(self) -> str:
        if self.first is None or self.last is None:
            return ""
        first, last = local(self.first).strftime("%d/%m"), local(self.last).strftime("%d/%m")
        return first if first == last else f"{first}–{last}"


@dataclass
class Timeliness:
    columns: dict[str, ColumnTiming] = field(default_factory=dict)
    entered: int = 0  # cells filled during the term, as logged
    late: int = 0  # of which in the term's last two weeks
    term_end: date | None = None

    @property
    def window_start(self) -> date | None:
        return self.term_end - LAST_WEEKS if self.term_end is not None else None

    @property
    def late_percent(self) -> int:
        return round(100 * self.late / self.entered) if self.entered else 0

    @property
    def summary(self) -> str:
        if self.term_end is None:
            return ""
        if not self.entered:
            return "Chưa có lần nhập nào của học kỳ này được ghi trong nhật ký."
        start = format_date(
            datetime.combine(self.window_start or self.term_end, datetime.min.time())
        )
        return (
            f"{self.late_percent}% số ô đã nhập ({self.late}/{self.entered}) được nhập từ {start} "
            "trở đi (hai tuần cuối học kỳ hoặc muộn hơn); quy chế yêu cầu không dồn việc nhập "
            "vào cuối kỳ."
        )


async def term_end(access: Access, book: Book) -> date | None:
    """The last day of the book's term, from the school-year catalogue."""
    if book.key.term == "year":
        return None
    years = await access.handle("school_years", Action.VIEW).find({"code": book.key.school_year})
    if not years:
        return None
    stored = years[0].visible
    value = stored.get("term1_ends_on" if book.key.term == "hk1" else "ends_on")
    return value.date() if isinstance(value, datetime) else value


def _candidates(book: Book) -> dict[str, list[Column]]:
    """Logged paths that may carry a column's value (the path itself, a list it is in, or a
    map created with it) -> the columns."""
    found: dict[str, list[Column]] = {}
    for column in book.columns:
        if not column.editable:
            continue
        parts = column.full_path(book.key.school_year).split(".")
        for depth in range(3, len(parts) + 1):
            found.setdefault(".".join(parts[:depth]), []).append(column)
    return found


def _value_in(change: dict[str, Any], path: str, column_path: str, side: str) -> Any:
    if path == column_path:
        return change.get(side)
    return get_path(change.get(side), column_path[len(path) + 1 :])


async def timeliness(access: Access, book: Book) -> Timeliness:
    result = Timeliness(columns={c.key: ColumnTiming() for c in book.columns if c.editable})
    result.term_end = await term_end(access, book)
    if not book.pupils or not result.columns:
        return result
    candidates = _candidates(book)
    entries = await access.records_log("students", book.pupils).find(
        {"diff.path": {"$in": sorted(candidates)}}, sort=[("seq", 1)]
    )
    readable = {str(f.id): f.rules for f in book.pupils}
    window = result.window_start
    year = book.key.school_year
    for entry in entries:
        rules = readable.get(str(entry.get("record_key")))
        at = entry.get("at")
        if rules is None or not isinstance(at, datetime):
            continue
        for change in entry.get("diff") or []:
            for column in candidates.get(change.get("path"), []):
                column_path = column.full_path(year)
                if not rules.allows(column_path):
                    continue
                new = _value_in(change, change["path"], column_path, "new")
                old = _value_in(change, change["path"], column_path, "old")
                if new is None or new == "" or new == old or (column.kind == "count" and new == 0):
                    continue
                result.columns[column.key].note(at)
                result.entered += 1
                if window is not None and local(at).date() >= window:
                    result.late += 1
    return result
