"""Recompute a record's derived results with the grading engine.

The computed values are stored next to the inputs they came from, so exports and the change log
show exactly what staff saw. What cannot be computed yet is left empty and listed in ``pending``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from pydantic import BaseModel

from app.grading import (
    DEFAULT_RULES,
    CommentLevel,
    Computed,
    GradingRules,
    Level,
    SubjectInput,
    TermAssessments,
    YearInput,
    YearResult,
    compute_year,
    recompute_subjects,
)
from app.grading.scores import Mark as GradingMark
from models.student import StudentRecord
from models.student_parts import SchoolYearRecord, SubjectTerm, SubjectYear

_COMMENT_LEVELS = {level.code: level for level in CommentLevel}


def _mark(value: Decimal | str | None) -> GradingMark | None:
    if value is None or isinstance(value, Decimal):
        return value
    return _COMMENT_LEVELS.get(value) or CommentLevel(value)


def _term(term: SubjectTerm) -> TermAssessments:
    return TermAssessments(
        regular=tuple(map(_mark, term.tx)), mid=_mark(term.gk), final=_mark(term.ck)
    )


def _level(code: str | None) -> Level | None:
    return Level(code) if code else None


def subject_input(code: str, subject: SubjectYear) -> SubjectInput:
    """What the grading engine needs of one subject of a school year."""
    return SubjectInput(
        code=code,
        term1=_term(subject.hk1),
        term2=_term(subject.hk2),
        reassessment=_mark(subject.reassessment),
    )


class Derivation(NamedTuple):
    changed: list[str]  # paths (relative to the year) of the computed fields whose value changed
    result: YearResult  # the computation the year's computed fields now hold


def derive_year(
    year: SchoolYearRecord,
    *,
    rules: GradingRules = DEFAULT_RULES,
    refresh: Collection[str] | None = None,
    inputs: Mapping[str, SubjectInput] | None = None,
) -> list[str]:
    """Fill the computed fields of one school year in place: the year's own, and those of the
    subjects in ``refresh`` (None: every subject; the others are left as they are, for a change
    that touched none of their inputs). ``inputs``: subjects' inputs already built from the
    very subject objects of ``year``. Returns the paths (relative to the year) of the fields
    whose value it changed: each other one is as it was, digit for digit."""
    return derive_year_from(year, rules=rules, refresh=refresh, inputs=inputs).changed


def derive_year_from(
    year: SchoolYearRecord,
    *,
    rules: GradingRules = DEFAULT_RULES,
    refresh: Collection[str] | None = None,
    inputs: Mapping[str, SubjectInput] | None = None,
    before: YearResult | None = None,
) -> Derivation:
    """``derive_year``, with the computation as well. ``before``: the computation of this very
    year before the subjects in ``refresh`` changed, which its own computed fields (learning,
    conduct, title, promotion, pending) hold; when the refreshed subjects' results come out the
    same, the year's own results are not worked out again and those fields are left as they
    are."""
    absences = year.absences
    beside = YearInput(  # every input but the subjects
        grade=year.grade,
        subjects=(),
        conduct_term1=_level(year.conduct.hk1),
        conduct_term2=_level(year.conduct.hk2),
        absences_excused=sum(a.excused for a in absences.values()),
        absences_unexcused=sum(a.unexcused for a in absences.values()),
        conduct_after_training=_level(year.conduct.after_summer),
    )
    changed: list[str] = []

    def put(target: BaseModel, name: str, value: Any, path: str) -> None:
        if not _same(getattr(target, name), value):
            setattr(target, name, value)
            changed.append(path)

    def put_in(owner: BaseModel, name: str, values: dict[str, Any], path: str) -> None:
        # A part (a subject's term, the year's learning, conduct or promotion) is replaced by
        # a changed copy, never changed in place: it may be shared (app.records.parsed).
        held = getattr(owner, name)
        update = {key: v for key, v in values.items() if not _same(getattr(held, key), v)}
        if update:
            setattr(owner, name, held.model_copy(update=update))
            changed.extend(f"{path}.{key}" for key in update)

    def put_subjects(result: YearResult) -> None:
        for entry in result.subjects:
            code = entry.subject.code
            if refresh is not None and code not in refresh:
                continue
            subject = year.subjects[code]
            for term, outcome in (("hk1", entry.term1), ("hk2", entry.term2), ("", entry.year)):
                value = outcome.value if isinstance(outcome, Computed) else None
                average = value if isinstance(value, Decimal) else None
                level = value.code if isinstance(value, CommentLevel) else None  # "Đ" or "CĐ"
                if term:
                    values = {"average": average, "result": level}
                    put_in(subject, term, values, f"subjects.{code}.{term}")
                else:
                    put(subject, "year_average", average, f"subjects.{code}.year_average")
                    put(subject, "year_result", level, f"subjects.{code}.year_result")

    if (
        before is not None
        and refresh is not None
        and before.rules is rules
        and before.inputs.beside_subjects() == beside.beside_subjects()
        and all(code in year.subjects for code in refresh)
    ):
        fresh = {code: subject_input(code, year.subjects[code]) for code in refresh}
        same = recompute_subjects(before, fresh)
        if same is not None:
            put_subjects(same)
            return Derivation(changed, same)
    known = inputs or {}
    given = beside.with_subjects(
        tuple(
            known.get(code) or subject_input(code, subject)
            for code, subject in year.subjects.items()
        )
    )
    result = compute_year(inputs=given, rules=rules)
    put_subjects(result)

    def level_code(res: object) -> Any:  # a level code: "T", "K", "Đ" or "CĐ"
        return res.value.code if isinstance(res, Computed) else None

    after = result.learning_after_reassessment
    put_in(
        year,
        "learning",
        {
            "hk1": level_code(result.learning_term1),
            "hk2": level_code(result.learning_term2),
            "year": level_code(result.learning_year),
            "after_summer": level_code(after) if after is not None else None,
        },
        "learning",
    )
    put_in(year, "conduct", {"year": level_code(result.conduct_year)}, "conduct")
    title = result.title.value if isinstance(result.title, Computed) else None
    put(year, "title", title.value if title is not None else None, "title")
    promotion = result.promotion.value if isinstance(result.promotion, Computed) else None
    put_in(
        year,
        "promotion",
        {
            "outcome": promotion.outcome.value if promotion else None,
            "label_vi": promotion.label if promotion else None,
            "promoted": promotion.promoted if promotion else None,
            "reasons": list(promotion.reasons) if promotion else [],
        },
        "promotion",
    )
    put(year, "pending", [m.message for m in result.missing], "pending")
    return Derivation(changed, result)


def _same(old: Any, new: Any) -> bool:
    """Whether a computed field holds ``new`` already, as it would be stored (a score with the
    same digits: 8.0 is not 8)."""
    if type(old) is not type(new):
        return False
    if isinstance(new, Decimal):
        return str(old) == str(new)
    return bool(old == new)


def touched_subjects(changed: Iterable[str]) -> set[str] | None:
    """The subjects a change at ``changed`` (paths relative to a school year) touches; None
    when it touches more than subjects (the grade, conduct, …: every subject is recomputed).
    A subject's results follow from its own assessments and the year's grade alone."""
    touched: set[str] = set()
    for path in changed:
        parts = path.split(".")
        if parts[0] != "subjects" or len(parts) < 2:
            return None
        touched.add(parts[1])
    return touched


def derive(record: StudentRecord) -> None:
    """Recompute every school year of the record."""
    for year in record.years.values():
        derive_year(year)
