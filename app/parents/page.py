"""What a parent reads about a child: the approved part of the record (``approved_view``),
through the parent's own restricted handle, shaped per school year and period.

Every shown item has a path, a label and the value as shown, so a report of a mistake names
exactly what the parent saw; the report service rebuilds them from the record rather than
trusting what a browser sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.grading import catalogue
from app.grading.scores import format_score
from app.records.approved import approved_view, book_approved, period_approved
from app.records.paths import HOMEROOM_BOOK
from app.store import Access, Found
from models.role import Action
from models.student_parts import LEVEL_LABELS, TERM_LABELS, TERMS, TITLE_LABELS

from .accounts import PUPIL_NOT_FOUND, Pupil, pupil_of

PERIODS = (*TERMS, "year")
# The period inside a sentence ("Kết quả học kỳ II chưa được duyệt").
PERIOD_PHRASES = {"hk1": "học kỳ I", "hk2": "học kỳ II", "year": "cả năm học"}
NOT_APPROVED = "Chưa được duyệt"
BLANK = "(chưa có)"
TX_SEPARATOR = " · "
# Pupils a parent follows are few (siblings); a safety bound, not a page size.
MAX_CHILDREN = 20


@dataclass(frozen=True)
class Item:
    """One thing shown that a parent may report as wrong."""

    path: str
    label: str
    value: str
    approved: bool


@dataclass
class SubjectRow:
    code: str
    name: str
    kind: str  # "score" or "comment"
    item: Item
    tx: str = ""
    gk: str = ""
    ck: str = ""
    result: str = ""  # ĐTBmhk / ĐTBmcn, or Đạt / Chưa đạt
    reassessment: str = ""


@dataclass
class PeriodView:
    key: str  # hk1, hk2, year
    label: str
    approved: bool  # every book of the period approved
    any_approved: bool
    phrase: str = ""
    scored: list[SubjectRow] = field(default_factory=list)
    commented: list[SubjectRow] = field(default_factory=list)
    summary: list[Item] = field(default_factory=list)  # conduct, learning, absences, …


@dataclass
class YearView:
    key: str
    class_name: str
    grade: int | None
    periods: list[PeriodView]


@dataclass
class ChildPage:
    pupil: Pupil
    years: list[YearView]

    def items(self) -> dict[str, Item]:
        found: dict[str, Item] = {}
        for year in self.years:
            for period in year.periods:
                for row in (*period.scored, *period.commented):
                    found[row.item.path] = row.item
                for item in period.summary:
                    found[item.path] = item
        return found

    def year(self, key: str | None) -> YearView | None:
        if not self.years:
            return None
        return next((y for y in self.years if y.key == key), self.years[0])


async def children(access: Access) -> list[Pupil]:
    """The pupils this parent follows (the role's row filter decides), by name."""
    found = await access.students(Action.VIEW).find(
        sort=[("search_name", 1)],
        limit=MAX_CHILDREN,
        only=("code", "profile.full_name", "current"),
    )
    return [pupil_of(f) for f in found]


async def child_page(access: Access, student_id: str) -> ChildPage:
    """The page of one child; NotFound for any pupil outside the parent's scope."""
    found = await access.students(Action.VIEW).get_or_404(student_id, PUPIL_NOT_FOUND)
    return build_page(found)


def build_page(found: Found) -> ChildPage:
    visible = found.visible
    approved = approved_view(visible)
    years = []
    for key in sorted(approved.get("years") or {}, reverse=True):
        year = approved["years"][key]
        if not isinstance(year, dict):
            continue
        periods = [_period(visible, key, year, period) for period in PERIODS]
        years.append(YearView(key, year.get("class_name", ""), year.get("grade"), periods))
    return ChildPage(pupil_of(found), years)


def _where(school_year: str, period: str) -> str:
    return f"{TERM_LABELS[period]}, năm học {school_year}"


def _level(value: Any) -> str:
    return LEVEL_LABELS.get(str(value), str(value)) if value else ""


def _mark(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str) and value in LEVEL_LABELS:
        return LEVEL_LABELS[value]
    return format_score(value)


def _period(record: dict[str, Any], key: str, year: dict[str, Any], period: str) -> PeriodView:
    books = [*(year.get("subjects") or {}), HOMEROOM_BOOK]
    view = PeriodView(
        key=period,
        label=TERM_LABELS[period],
        approved=period_approved(record, key, period),
        any_approved=any(book_approved(record, key, period, b) for b in books),
        phrase=PERIOD_PHRASES[period],
    )
    names = {code: s.name for code, s in catalogue().items()}
    order = {code: i for i, code in enumerate(names)}
    subjects = sorted((year.get("subjects") or {}).items(), key=lambda kv: order.get(kv[0], 99))
    for code, subject in subjects:
        row = _subject_row(record, key, period, code, names.get(code, code), subject)
        (view.commented if row.kind == "comment" else view.scored).append(row)
    view.summary = _summary(record, key, year, period, view.approved)
    return view


def _subject_row(
    record: dict[str, Any],
    key: str,
    period: str,
    code: str,
    name: str,
    subject: dict[str, Any],
) -> SubjectRow:
    kind = "comment" if subject.get("kind") == "comment" else "score"
    approved = book_approved(record, key, period, code)
    path = f"years.{key}.subjects.{code}.{period}"
    label = f"Môn {name} — {_where(key, period)}"
    row = SubjectRow(code, name, kind, Item(path, label, NOT_APPROVED, approved))
    if not approved:
        return row
    if period == "year":
        value = subject.get("year_result") if kind == "comment" else subject.get("year_average")
        row.result = _mark(value)
        row.reassessment = _mark(subject.get("reassessment"))
        shown = ("Cả năm: " if kind == "comment" else "ĐTBmcn: ") + (row.result or BLANK)
        if row.reassessment:
            shown += f"; kiểm tra lại: {row.reassessment}"
    else:
        term = subject.get(period) or {}
        if kind == "comment":
            row.result = _mark(term.get("result"))
            shown = row.result or BLANK
        else:
            row.tx = TX_SEPARATOR.join(_mark(v) for v in term.get("tx") or [] if v is not None)
            row.gk, row.ck = _mark(term.get("gk")), _mark(term.get("ck"))
            row.result = _mark(term.get("average"))
            shown = (
                f"ĐĐGtx: {row.tx or BLANK}; ĐĐGgk: {row.gk or BLANK}; "
                f"ĐĐGck: {row.ck or BLANK}; ĐTBmhk: {row.result or BLANK}"
            )
    row.item = Item(path, label, shown, True)
    return row


def _summary(
    record: dict[str, Any], key: str, year: dict[str, Any], period: str, whole: bool
) -> list[Item]:
    homeroom = book_approved(record, key, period, HOMEROOM_BOOK)
    where = _where(key, period)
    base = f"years.{key}"

    def item(path: str, label: str, value: str, approved: bool) -> Item:
        shown = (value or BLANK) if approved else NOT_APPROVED
        return Item(f"{base}.{path}", f"{label} — {where}", shown, approved)

    conduct = (year.get("conduct") or {}).get(period)
    learning = (year.get("learning") or {}).get(period)
    items = [
        item(f"conduct.{period}", "Kết quả rèn luyện", _level(conduct), homeroom),
        item(f"learning.{period}", "Kết quả học tập", _level(learning), whole),
    ]
    if period in TERMS:
        absences = (year.get("absences") or {}).get(period) or {}
        text = (
            f"{absences.get('excused', 0)} buổi có phép, "
            f"{absences.get('unexcused', 0)} buổi không phép"
            if absences or homeroom
            else ""
        )
        items.append(item(f"absences.{period}", "Số buổi nghỉ", text, homeroom))
        return items
    title = TITLE_LABELS.get(str(year.get("title") or ""), "")
    promotion = (year.get("promotion") or {}).get("label_vi") or ""
    items += [
        item("title", "Danh hiệu", title or ("Không có" if whole else ""), whole),
        item("promotion", "Xét lên lớp", promotion, whole),
        item("homeroom_comment", "Nhận xét của giáo viên chủ nhiệm",
             year.get("homeroom_comment") or "", homeroom),
        item("awards", "Khen thưởng",
             "; ".join(_award(a) for a in year.get("awards") or []) or "Không có", homeroom),
        item("discipline", "Kỷ luật",
             "; ".join(_discipline(d) for d in year.get("discipline") or []) or "Không có",
             homeroom),
    ]  # fmt: skip
    return items


def _award(award: dict[str, Any]) -> str:
    level = f" ({award['level']})" if award.get("level") else ""
    return f"{award.get('title', '')}{level}"


def _discipline(entry: dict[str, Any]) -> str:
    reason = f": {entry['reason']}" if entry.get("reason") else ""
    return f"{entry.get('form', '')}{reason}"
