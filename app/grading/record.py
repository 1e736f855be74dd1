"""A JSON-ready form of ``YearResult`` to store on the pupil's record.

Scores are strings ("8.5", never floats), levels are ministry codes (T, K, Đ, CĐ), a value not
yet computable is ``{"pending": [{"key": …, "message": …}, …]}``.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from enum import Enum
from typing import Any

from app.grading.promotion import Promotion
from app.grading.result import Computed, Pending
from app.grading.subject_results import TermAssessments
from app.grading.year import YearResult


def year_record(result: YearResult) -> dict[str, Any]:
    """Inputs, rules and every computed value of the year, as plain JSON types."""
    inputs = result.inputs
    return {
        "grade": inputs.grade,
        "rules": asdict(result.rules),
        "inputs": {
            "subjects": [
                {
                    "code": s.code,
                    "term1": _assessments(s.term1),
                    "term2": _assessments(s.term2),
                    "reassessment": _plain(s.reassessment),
                }
                for s in inputs.subjects
            ],
            "conduct_term1": _plain(inputs.conduct_term1),
            "conduct_term2": _plain(inputs.conduct_term2),
            "conduct_after_training": _plain(inputs.conduct_after_training),
            "absences_excused": inputs.absences_excused,
            "absences_unexcused": inputs.absences_unexcused,
        },
        "subjects": [
            {
                "code": r.subject.code,
                "name": r.subject.name,
                "kind": r.subject.kind.value,
                "term1": _plain(r.term1),
                "term2": _plain(r.term2),
                "year": _plain(r.year),
                "reassessment": _plain(r.reassessment),
            }
            for r in result.subjects
        ],
        "learning": {
            "term1": _plain(result.learning_term1),
            "term2": _plain(result.learning_term2),
            "year": _plain(result.learning_year),
            "after_reassessment": _plain(result.learning_after_reassessment),
        },
        "conduct_year": _plain(result.conduct_year),
        "absent_sessions": inputs.absent_sessions,
        "title": _plain(result.title),
        "reassessment_subjects": list(result.reassessment_subjects),
        "promotion": _plain(result.promotion),
    }


def _assessments(term: TermAssessments) -> dict[str, Any]:
    return {
        "regular": [_plain(m) for m in term.regular],
        "mid": _plain(term.mid),
        "final": _plain(term.final),
    }


def _plain(value: object) -> Any:
    if value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Computed):
        return _plain(value.value)
    if isinstance(value, Pending):
        return {"pending": [{"key": m.key, "message": m.message} for m in value.missing]}
    if isinstance(value, Promotion):
        return {
            "outcome": value.outcome.value,
            "label": value.label,
            "promoted": value.promoted,
            "conduct": value.conduct.value,
            "learning": value.learning.value,
            "reasons": list(value.reasons),
        }
    raise TypeError(f"cannot store {type(value).__name__}")
