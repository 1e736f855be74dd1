"""A readable shape of one pupil's record book for the detail page (no web or DB imports).

Input is the record as a plain dict already reduced to what the viewer may read; output is rows
with Vietnamese labels, in record-book order, ready for the template.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.grading import catalogue
from app.grading.scores import format_score
from models.student_parts import (
    LEVEL_LABELS,
    SEX_LABELS,
    STATUS_LABELS,
    TITLE_LABELS,
    Sex,
    Status,
)

RELATION_LABELS = {"cha": "Cha", "me": "Mẹ", "giam_ho": "Người giám hộ"}
COMMENT_LABELS = {"Đ": "Đạt", "CĐ": "Chưa đạt"}


def mark(value: Any) -> str:
    """A score as teachers write it (comma decimal) or a comment level's label."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int | float):
        return format_score(value)
    return COMMENT_LABELS.get(str(value), str(value))


def level(code: Any) -> str:
    return LEVEL_LABELS.get(code, "") if code else ""


def _date(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value is not None and hasattr(value, "strftime") else ""


def profile_rows(record: dict[str, Any]) -> list[tuple[str, str]]:
    profile = record.get("profile") or {}
    rows = [
        ("Mã học sinh", record.get("code", "")),
        ("Mã định danh", record.get("moet_id") or ""),
        ("Họ và tên", profile.get("full_name", "")),
        ("Giới tính", SEX_LABELS.get(Sex(profile["sex"]), "") if profile.get("sex") else ""),
        ("Ngày sinh", _date(profile.get("birth_date"))),
        ("Nơi sinh", profile.get("birth_place") or ""),
        ("Dân tộc", profile.get("ethnicity") or ""),
        ("Quốc tịch", profile.get("nationality") or ""),
        ("Đối tượng chính sách", profile.get("policy_category") or ""),
        ("Nơi thường trú", profile.get("address") or ""),
        (
            "Tình trạng",
            STATUS_LABELS.get(Status(record["status"]), "") if record.get("status") else "",
        ),
    ]
    arrival = record.get("transfer_in") or {}
    if arrival:
        came = f"{_date(arrival.get('on'))} từ {arrival.get('from_school', '')}"
        details = [
            arrival.get("reason"),
            arrival.get("decision_no") and f"QĐ số {arrival['decision_no']}",
        ]
        rows.append(("Chuyển đến", "; ".join([came, *(d for d in details if d)])))
    transfer = record.get("transfer_out") or {}
    if transfer:
        moved = f"{_date(transfer.get('on'))} đến {transfer.get('to_school', '')}"
        details = [
            transfer.get("reason"),
            transfer.get("decision_no") and f"QĐ số {transfer['decision_no']}",
        ]
        rows.append(("Chuyển trường", "; ".join([moved, *(d for d in details if d)])))
    keys = {"code", "moet_id", "status"}
    return [
        (label, value)
        for label, value in rows
        if value or label in ("Họ và tên",) or (label in keys and value)
    ]


def guardian_rows(record: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "relation": RELATION_LABELS.get(g.get("relation", ""), ""),
            "name": g.get("full_name", ""),
            "occupation": g.get("occupation") or "",
            "phone": g.get("phone") or "",
        }
        for g in (record.get("profile") or {}).get("guardians", [])
    ]


TX_SEPARATOR = " · "


def _term(term: dict[str, Any] | None) -> dict[str, Any]:
    term = term or {}
    result = term.get("average") if term.get("average") is not None else term.get("result")
    return {
        # A middle dot between marks: "5 · 5 · 5,5" (a comma is the decimal separator).
        "tx": TX_SEPARATOR.join(mark(v) for v in term.get("tx", []) if v is not None),
        "gk": mark(term.get("gk")),
        "ck": mark(term.get("ck")),
        "result": mark(result),
        "comment": term.get("comment") or "",
    }


def year_blocks(record: dict[str, Any]) -> list[dict[str, Any]]:
    """One block per school year, newest first."""
    names = {code: s.name for code, s in catalogue().items()}
    order = {code: i for i, code in enumerate(names)}
    blocks = []
    for key, year in sorted((record.get("years") or {}).items(), reverse=True):
        subjects = []
        for code, subject in sorted(
            (year.get("subjects") or {}).items(), key=lambda item: order.get(item[0], 99)
        ):
            year_value = subject.get("year_average")
            if year_value is None:
                year_value = subject.get("year_result")
            subjects.append(
                {
                    "code": code,
                    "name": names.get(code, code),
                    "hk1": _term(subject.get("hk1")),
                    "hk2": _term(subject.get("hk2")),
                    "year": mark(year_value),
                    "reassessment": mark(subject.get("reassessment")),
                    "teacher": subject.get("teacher") or "",
                    "kind": subject.get("kind") or "score",
                }
            )
        conduct = year.get("conduct") or {}
        learning = year.get("learning") or {}
        absences = year.get("absences") or {}
        promotion = year.get("promotion") or {}
        locks = year.get("locks") or {}
        blocks.append(
            {
                "key": key,
                "grade": year.get("grade"),
                "class_name": year.get("class_name", ""),
                "homeroom_teacher": year.get("homeroom_teacher") or "",
                "subjects": subjects,
                "scored": [s for s in subjects if s["kind"] != "comment"],
                "commented": [s for s in subjects if s["kind"] == "comment"],
                "conduct": {
                    t: level(conduct.get(t)) for t in ("hk1", "hk2", "year", "after_summer")
                },
                "learning": {
                    t: level(learning.get(t)) for t in ("hk1", "hk2", "year", "after_summer")
                },
                "absences": {
                    t: (absences.get(t) or {}).get("excused", 0)
                    + (absences.get(t) or {}).get("unexcused", 0)
                    for t in ("hk1", "hk2")
                },
                "promotion": promotion.get("label_vi") or "",
                "title": TITLE_LABELS.get(year.get("title") or "", ""),
                "homeroom_comment": year.get("homeroom_comment") or "",
                "awards": year.get("awards") or [],
                "discipline": year.get("discipline") or [],
                "pending": year.get("pending") or [],
                "locked": {
                    t: bool((locks.get(t) or {}).get("locked")) for t in ("hk1", "hk2", "year")
                },
                "has_conduct": "conduct" in year,
                "has_learning": "learning" in year,
            }
        )
    return blocks
