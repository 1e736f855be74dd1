"""Results statistics per class and grade (learning, conduct, titles, promotion), and the same
tables as an Excel workbook."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from models.student_parts import LEVEL_LABELS, TERM_LABELS

from .progress import percent
from .snapshot import ClassResults, Snapshot

LEVELS = ("T", "K", "Đ", "CĐ", "")  # "" = not set yet
LEVEL_NAMES = {**LEVEL_LABELS, "": "Chưa có"}
TITLES = {"XUATSAC": "Học sinh Xuất sắc", "GIOI": "Học sinh Giỏi"}
NO_OUTCOME = "Chưa xét"


@dataclass
class ResultRow:
    key: str
    label: str
    pupils: int = 0
    learning: Counter[str] = field(default_factory=Counter)
    conduct: Counter[str] = field(default_factory=Counter)
    titles: Counter[str] = field(default_factory=Counter)
    promotion: Counter[str] = field(default_factory=Counter)

    def add(self, counts: ClassResults, period: str) -> None:
        self.pupils += counts.pupils
        self.learning.update(counts.learning[period])
        self.conduct.update(counts.conduct[period])
        self.titles.update(counts.titles)
        self.promotion.update(counts.promotion)

    def share(self, count: int) -> int:
        return percent(count, self.pupils)


@dataclass
class Results:
    period: str
    classes: list[ResultRow]
    grades: list[ResultRow]
    total: ResultRow
    readable: set[str]
    outcomes: list[str]  # the promotion outcomes seen, labelled

    @property
    def period_label(self) -> str:
        return TERM_LABELS[self.period]

    @property
    def period_phrase(self) -> str:
        """Inside a sentence: «học kỳ I», «cả năm» (the numeral keeps its case)."""
        return in_sentence(self.period_label)


def in_sentence(label: str) -> str:
    return label[:1].lower() + label[1:]


def results(snapshot: Snapshot, period: str) -> Results:
    classes: list[ResultRow] = []
    grades: dict[int, ResultRow] = {}
    total = ResultRow("all", "Toàn trường")
    for name in sorted(snapshot.results):
        counts = snapshot.results[name]
        row = ResultRow(name, f"Lớp {name}")
        row.add(counts, period)
        classes.append(row)
        grade = grades.get(counts.grade)
        if grade is None:
            grade = grades[counts.grade] = ResultRow(str(counts.grade), f"Khối {counts.grade}")
        grade.add(counts, period)
        total.add(counts, period)
    outcomes = sorted(k for k in total.promotion if k)
    return Results(
        period,
        classes,
        [grades[g] for g in sorted(grades)],
        total,
        snapshot.readable,
        outcomes,
    )


def _header(stats: Results) -> list[str]:
    header = ["Lớp / khối", "Sĩ số"]
    for part in ("learning", "conduct"):
        if part not in stats.readable:
            continue
        name = "Học tập" if part == "learning" else "Rèn luyện"
        for level in LEVELS:
            header += [f"{name}: {LEVEL_NAMES[level]} (SL)", f"{name}: {LEVEL_NAMES[level]} (%)"]
    if "title" in stats.readable:
        header += [*TITLES.values()]
    if "promotion" in stats.readable:
        header += [*stats.outcomes, NO_OUTCOME]
    return header


def _line(stats: Results, row: ResultRow) -> list[object]:
    line: list[object] = [row.label, row.pupils]
    for part, counts in (("learning", row.learning), ("conduct", row.conduct)):
        if part not in stats.readable:
            continue
        for level in LEVELS:
            line += [counts[level], row.share(counts[level])]
    if "title" in stats.readable:
        line += [row.titles[code] for code in TITLES]
    if "promotion" in stats.readable:
        line += [row.promotion[label] for label in stats.outcomes] + [row.promotion[""]]
    return line


def export_results(stats: Results, *, school_name: str, school_year: str) -> bytes:
    """One sheet per table (by class, by grade); a title row names the school, year and
    period; percentages are whole numbers of the class's pupils."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, rows in (
        ("Theo lớp", [*stats.classes, stats.total]),
        ("Theo khối", [*stats.grades, stats.total]),
    ):
        sheet = book.create_sheet(title)
        sheet.append([school_name or "Học bạ số"])
        period = stats.period_phrase
        sheet.append([f"Thống kê kết quả {period}, năm học {school_year} ({in_sentence(title)})"])
        sheet.append([])
        header = _header(stats)
        sheet.append(header)
        for row in rows:
            sheet.append(_line(stats, row))
        for cell in sheet[1] + sheet[2] + sheet[4]:
            cell.font = Font(bold=True)
        for cell in sheet[4]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions["A"].width = 16
        for index in range(2, len(header) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 11
        sheet.freeze_panes = "B5"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
