"""The columns of a book: where each cell lives in the record, how typed text is read, and how
a stored value is shown. Parsing uses the grading engine's own parsers and messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from bson.decimal128 import Decimal128
from pydantic import BaseModel

from app.errors import HocBaError, InvalidInput
from app.grading import SUBJECTS, CommentLevel, Subject, Term
from app.grading.scores import parse_comment_level, parse_level, parse_score
from app.grading.subject_results import check_mark
from app.records.paths import validate_value
from models.student_parts import LEVEL_LABELS, TERM_LABELS, TITLE_LABELS, Award, Discipline
from models.types import from_decimal128, remembered

# "computed": results of the grading engine; "entries": lists (awards and discipline) shown in
# the cell and edited in a dialog of their own, not typed into the grid.
Kind = Literal["mark", "level", "count", "text", "computed", "entries"]
BookTerm = Literal["hk1", "hk2", "year"]
BOOK_TERMS: tuple[BookTerm, ...] = ("hk1", "hk2", "year")
TERM_OF = {"hk1": Term.I, "hk2": Term.II}


@dataclass(frozen=True)
class Column:
    key: str  # unique in its book: "tx1", "gk", "avg", "conduct", …
    label: str  # the header, as on paper books
    title: str  # the header's long form (a tooltip)
    path: str  # dotted path inside one school year's part of the record
    kind: Kind
    wide: bool = False  # free text: a wider cell

    @property
    def editable(self) -> bool:
        return self.kind not in ("computed", "entries")

    def full_path(self, school_year: str) -> str:
        return f"years.{school_year}.{self.path}"


def subject_of(code: str) -> Subject | None:
    return SUBJECTS.get(code)


def subject_columns(subject: Subject, grade: int, term: BookTerm) -> list[Column]:
    """ĐĐGtx 1…n (n from the catalogue), ĐĐGgk, ĐĐGck, the term result and the comment; or
    the year view: both terms' results, the year's, the re-assessment and the year comment."""
    base = f"subjects.{subject.code}"
    scored = subject.kind.value == "score"
    if term == "year":
        result = "ĐTBmcn" if scored else "KQ cả năm"
        year_path = "year_average" if scored else "year_result"
        term_path = "average" if scored else "result"
        return [
            Column("hk1", "HK I", "Kết quả học kỳ I", f"{base}.hk1.{term_path}", "computed"),
            Column("hk2", "HK II", "Kết quả học kỳ II", f"{base}.hk2.{term_path}", "computed"),
            Column("year", result, "Kết quả cả năm", f"{base}.{year_path}", "computed"),
            Column("re", "KT lại", "Kết quả kiểm tra lại", f"{base}.reassessment", "mark"),
            Column("comment", "Nhận xét", "Nhận xét cả năm", f"{base}.comment", "text", True),
        ]
    count = subject.regular_count(grade)
    columns = [
        Column(
            f"tx{i}",
            f"TX{i}",
            f"Đánh giá thường xuyên {i}",
            f"{base}.{term}.tx.{i - 1}",
            "mark",
        )
        for i in range(1, count + 1)
    ]
    columns += [
        Column("gk", "GK", "Đánh giá giữa kỳ", f"{base}.{term}.gk", "mark"),
        Column("ck", "CK", "Đánh giá cuối kỳ", f"{base}.{term}.ck", "mark"),
    ]
    if scored:
        columns.append(
            Column(
                "avg", "ĐTBmhk", "Điểm trung bình môn học kỳ", f"{base}.{term}.average", "computed"
            )
        )
    else:
        columns.append(
            Column("avg", "KQ học kỳ", "Kết quả học kỳ", f"{base}.{term}.result", "computed")
        )
    columns.append(
        Column("comment", "Nhận xét", "Nhận xét", f"{base}.{term}.comment", "text", True)
    )
    return columns


def homeroom_columns(term: BookTerm) -> list[Column]:
    """Conduct, absences and the homeroom comment; learning result (and in the year view the
    year's conduct, title and promotion) read-only."""
    if term == "year":
        return [
            Column("conduct1", "RL HK I", "Kết quả rèn luyện học kỳ I", "conduct.hk1", "computed"),
            Column(
                "conduct2", "RL HK II", "Kết quả rèn luyện học kỳ II", "conduct.hk2", "computed"
            ),
            Column("conduct", "RL cả năm", "Kết quả rèn luyện cả năm", "conduct.year", "computed"),
            Column("after", "RL sau hè", "Rèn luyện lại trong hè", "conduct.after_summer", "level"),
            Column("learning", "HT cả năm", "Kết quả học tập cả năm", "learning.year", "computed"),
            Column("title", "Danh hiệu", "Danh hiệu", "title", "computed"),
            Column("promotion", "Lên lớp", "Xét lên lớp", "promotion.label_vi", "computed", True),
            Column(
                "comment", "Nhận xét GVCN", "Nhận xét của GVCN", "homeroom_comment", "text", True
            ),
            *RECORDS,
        ]
    label = TERM_LABELS[term].lower()
    return [
        Column("conduct", "Rèn luyện", f"Kết quả rèn luyện {label}", f"conduct.{term}", "level"),
        Column("excused", "Nghỉ CP", "Số buổi nghỉ có phép", f"absences.{term}.excused", "count"),
        Column(
            "unexcused", "Nghỉ KP", "Số buổi nghỉ không phép", f"absences.{term}.unexcused", "count"
        ),
        Column("learning", "Học tập", f"Kết quả học tập {label}", f"learning.{term}", "computed"),
        Column("comment", "Nhận xét GVCN", "Nhận xét của GVCN", "homeroom_comment", "text", True),
        *RECORDS,
    ]


RECORDS = (
    Column("awards", "Khen thưởng", "Khen thưởng trong năm học", "awards", "entries", True),
    Column("discipline", "Kỷ luật", "Kỷ luật trong năm học", "discipline", "entries", True),
)


ENTRY_MODELS: dict[str, type[BaseModel]] = {"awards": Award, "discipline": Discipline}
ENTRY_FIELDS: dict[str, tuple[str, ...]] = {
    kind: tuple(model.model_fields) for kind, model in ENTRY_MODELS.items()
}


def entry_form(kind: str, item: Any) -> dict[str, str]:
    """One stored entry as the page edits it: every field as text (a date as YYYY-MM-DD)."""
    values = item if isinstance(item, Mapping) else {}
    form: dict[str, str] = {}
    for name in ENTRY_FIELDS[kind]:
        value = values.get(name)
        if isinstance(value, datetime):
            value = value.date()
        form[name] = value.isoformat() if isinstance(value, date) else str(value or "")
    return form


def entry_forms(kind: str, items: Any) -> list[dict[str, str]]:
    return [entry_form(kind, item) for item in items] if isinstance(items, list) else []


def _entry(item: Any) -> str:
    """One award ("Học sinh tiêu biểu (cấp trường)") or discipline ("Khiển trách: lý do")."""
    if not isinstance(item, dict):
        return str(item)
    if "title" in item:
        level = item.get("level")
        return f"{item['title']} ({level})" if level else str(item["title"])
    reason = item.get("reason")
    return f"{item.get('form', '')}: {reason}" if reason else str(item.get("form", ""))


def display(column: Column, value: Any) -> str:
    """A stored value as staff read it: "8,5", "Đ", "Tốt" for conduct, a title's name."""
    if value is None:
        return ""
    if column.kind == "entries":
        return "; ".join(_entry(item) for item in value) if isinstance(value, list) else ""
    if isinstance(value, Decimal128):  # a stored score: each distinct one worded once
        return remembered(_SHOWN, value.__getstate__(), _shown_score, value)
    value = from_decimal128(value)
    if isinstance(value, Decimal):
        return _shown_score(value)
    if column.key == "title":
        return TITLE_LABELS.get(str(value), str(value))
    if column.kind == "computed" and column.path.startswith(("conduct.", "learning.")):
        return LEVEL_LABELS.get(str(value), str(value))
    if column.kind == "level":
        return LEVEL_LABELS.get(str(value), str(value))
    return str(value)


_SHOWN: dict[tuple[int, int], str] = {}


def _shown_score(value: Decimal | Decimal128) -> str:
    """A score as staff read it: "8,5", "7" (a whole number without its decimals)."""
    number = from_decimal128(value)
    shown = number.normalize() if number == number.to_integral() else number
    return format(shown, "f").replace(".", ",")


def raw_value(value: Any) -> Any:
    """A stored value in JSON (what the page saw; sent back as the ``seen`` of a save);
    lists shown read-only (awards, discipline) are not sent back."""
    if isinstance(value, list | dict):
        return None
    value = from_decimal128(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass(frozen=True)
class Parsed:
    value: Any = None
    error: str | None = None


def parse_cell(column: Column, text: str, school_year: str, subject: Subject | None) -> Parsed:
    """What a teacher typed, read for ``column``: the value to store, or the reason it cannot
    be stored (in Vietnamese)."""
    typed = (text or "").strip()
    path = column.full_path(school_year)
    try:
        if column.kind == "computed":
            raise InvalidInput("Ô này do hệ thống tính, không nhập trực tiếp")
        if column.kind == "mark":
            if not typed:
                return Parsed(None)
            mark = (
                parse_score(typed)
                if any(ch.isdigit() for ch in typed)
                else parse_comment_level(typed)
            )
            if subject is not None:
                slot: int | str = column.key
                check_mark(subject, mark, slot=slot, term=TERM_OF.get(path.split(".")[4]))
            return Parsed(mark.code if isinstance(mark, CommentLevel) else mark)
        if column.kind == "level":
            if not typed:
                return Parsed(None)
            return Parsed(validate_value(path, parse_level(typed).code))
        if column.kind == "count":
            if not typed:
                return Parsed(0)
            if not typed.isdigit():
                raise InvalidInput("Số buổi nghỉ phải là một số nguyên từ 0 trở lên")
            return Parsed(validate_value(path, int(typed)))
        return Parsed(validate_value(path, typed) if typed else None)
    except HocBaError as exc:
        return Parsed(error=_short(exc.message))


def _short(message: str) -> str:
    """validate_value names the field («Nhận xét»); in a cell under its header that is noise."""
    marker = " không hợp lệ: "
    return message.split(marker, 1)[1] if marker in message else message
