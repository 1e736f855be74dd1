"""Data-quality rules on one pupil's year (Art. 6.3: accuracy and completeness).

Each rule names what is wrong in Vietnamese; the dashboards link every finding to the pupil.

- ``pending``: results the grading engine cannot compute yet (the record's pending list);
- ``no_conduct``: a learning result is set for a period whose conduct is missing;
- ``learning``: a term's stored learning result is not the one the grading engine gives for the
  stored subject results of that term (TT22, Art. 9);
- ``title``: a title (Học sinh Giỏi / Xuất sắc) without learning and conduct Tốt for the year;
- ``promotion``: promoted although the year's learning or conduct (after the summer, when
  there is one) is Chưa đạt;
- ``outlier``: a score 5 points or more away from the average of the pupil's other scores in
  the same subject this year (at least three other scores).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.grading import DEFAULT_RULES, CommentLevel, learning_result
from app.grading.subjects import SUBJECTS
from models.student_parts import LEVEL_LABELS, TERM_LABELS

OUTLIER_GAP = Decimal(5)
OUTLIER_MIN_OTHERS = 3
TERMS = ("hk1", "hk2")

# In the order the dashboards list them: contradictions first.
KIND_LABELS = {
    "learning": "Kết quả học tập không khớp kết quả các môn",
    "no_conduct": "Có kết quả học tập nhưng thiếu rèn luyện",
    "title": "Danh hiệu không khớp kết quả",
    "promotion": "Lên lớp không khớp kết quả",
    "outlier": "Điểm lệch bất thường",
    "pending": "Chưa tính được kết quả",
}
KIND_ORDER = {kind: index for index, kind in enumerate(KIND_LABELS)}


@dataclass(frozen=True)
class PupilIssue:
    pupil_id: str
    code: str
    name: str
    class_name: str
    kind: str
    detail: str
    subject: str | None = None
    term: str | None = None
    items: tuple[str, ...] = ()  # what the detail sums up (the pending list)

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def _issue(
    base: dict[str, str],
    *,
    kind: str,
    detail: str,
    subject: str | None = None,
    term: str | None = None,
    items: tuple[str, ...] = (),
) -> PupilIssue:
    return PupilIssue(
        base["pupil_id"],
        base["code"],
        base["name"],
        base["class_name"],
        kind,
        detail,
        subject,
        term,
        items,
    )


def pupil_issues(
    doc: dict[str, Any],
    school_year: str,
    readable: Collection[str],
    number: Callable[[Any], Decimal | None] | None = None,
) -> list[PupilIssue]:
    """What is wrong in one pupil's ``school_year``; only rules whose fields the reader may
    read are applied (``readable``: which of the year's result fields they may read).
    ``number`` reads a stored score (``as_decimal`` by default)."""
    number = number or as_decimal
    year = (doc.get("years") or {}).get(school_year) or {}
    profile = doc.get("profile") or {}
    base = {
        "pupil_id": str(doc.get("_id")),
        "code": str(doc.get("code") or ""),
        "name": str(profile.get("full_name") or ""),
        "class_name": str(year.get("class_name") or ""),
    }
    found: list[PupilIssue] = []
    learning = year.get("learning") or {}
    conduct = year.get("conduct") or {}
    if "pending" in readable:
        pending = [str(p) for p in year.get("pending") or []]
        if pending:
            detail = f"Còn thiếu {len(pending)} mục để tính kết quả"
            found.append(_issue(base, kind="pending", detail=detail, items=tuple(pending)))
    if {"learning", "conduct"} <= set(readable):
        for period in ("hk1", "hk2", "year"):
            if learning.get(period) and not conduct.get(period):
                detail = f"{TERM_LABELS[period]}: học tập {LEVEL_LABELS[learning[period]]}"
                found.append(_issue(base, kind="no_conduct", detail=detail, term=period))
    if "learning" in readable:
        found += _learning(base, year, number)
    titled = {"title", "learning", "conduct"} <= set(readable) and bool(year.get("title"))
    if titled and (learning.get("year") != "T" or conduct.get("year") != "T"):
        found.append(_issue(base, kind="title", detail=_year_levels(year)))
    if {"promotion", "learning", "conduct"} <= set(readable):
        promotion = year.get("promotion") or {}
        final_learning = learning.get("after_summer") or learning.get("year")
        final_conduct = conduct.get("after_summer") or conduct.get("year")
        if promotion.get("promoted") is True and "CĐ" in (final_learning, final_conduct):
            found.append(_issue(base, kind="promotion", detail=_year_levels(year)))
    found += _outliers(base, year, number)
    return found


def _year_levels(year: dict[str, Any]) -> str:
    learning = (year.get("learning") or {}).get("year")
    conduct = (year.get("conduct") or {}).get("year")
    shown = [
        f"học tập cả năm {LEVEL_LABELS.get(str(learning), 'chưa có')}",
        f"rèn luyện cả năm {LEVEL_LABELS.get(str(conduct), 'chưa có')}",
    ]
    return ", ".join(shown)


def _learning(
    base: dict[str, str], year: dict[str, Any], number: Callable[[Any], Decimal | None]
) -> list[PupilIssue]:
    """A stored term learning result that the stored subject results do not give."""
    found = []
    subjects = year.get("subjects") or {}
    for term in TERMS:
        stored = (year.get("learning") or {}).get(term)
        if not stored or not subjects:
            continue
        scores: list[Decimal] = []
        comments: list[CommentLevel] = []
        complete = True
        for subject in subjects.values():
            part = (subject or {}).get(term) or {}
            if (subject or {}).get("kind") == "comment":
                value = part.get("result")
                if value not in ("Đ", "CĐ"):
                    complete = False
                    break
                comments.append(CommentLevel(value))
            else:
                average = number(part.get("average"))
                if average is None:
                    complete = False
                    break
                scores.append(average)
        if not complete:
            continue
        expected = learning_result(scores=scores, comments=comments, rules=DEFAULT_RULES)
        if expected.code != stored:
            detail = (
                f"{TERM_LABELS[term]}: ghi {LEVEL_LABELS.get(stored, stored)}, "
                f"theo kết quả các môn là {expected.label}"
            )
            found.append(_issue(base, kind="learning", detail=detail, term=term))
    return found


def _outliers(
    base: dict[str, str], year: dict[str, Any], number: Callable[[Any], Decimal | None]
) -> list[PupilIssue]:
    found = []
    for code, subject in (year.get("subjects") or {}).items():
        if not isinstance(subject, dict) or subject.get("kind") == "comment":
            continue
        marks: list[tuple[str, str, Decimal]] = []
        for term in TERMS:
            part = subject.get(term) or {}
            cells = [(f"ĐĐGtx{i + 1}", v) for i, v in enumerate(part.get("tx") or [])]
            for column, value in [*cells, ("ĐĐGgk", part.get("gk")), ("ĐĐGck", part.get("ck"))]:
                score = number(value)
                if score is not None:
                    marks.append((term, column, score))
        if len(marks) <= OUTLIER_MIN_OTHERS:
            continue
        total = sum((m[2] for m in marks), Decimal(0))
        for term, column, score in marks:
            others = (total - score) / (len(marks) - 1)
            if abs(score - others) >= OUTLIER_GAP:
                name = SUBJECTS[code].name if code in SUBJECTS else code
                detail = (
                    f"{name}, {TERM_LABELS[term]}, {column}: {as_text(score)} "
                    f"(trung bình các điểm khác của môn: {as_text(others)})"
                )
                found.append(_issue(base, kind="outlier", detail=detail, subject=code, term=term))
    return found


def as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    to_decimal = getattr(value, "to_decimal", None)  # bson's Decimal128
    if callable(to_decimal):
        result: Decimal = to_decimal()
        return result
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    return None


def as_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'))}".replace(".", ",")
