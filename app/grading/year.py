"""``compute_year``: everything the record book shows for one pupil's year, from plain data.

The result carries the inputs and the rules used, so that it can be stored on the record as is
(see ``record.year_record`` for a JSON-ready form). Whatever cannot be computed yet is
``Pending`` with the list of what is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from app.errors import InvalidInput
from app.grading.conduct import year_conduct
from app.grading.learning import learning_result
from app.grading.levels import CommentLevel, Level, Term, Title
from app.grading.promotion import Promotion, decide_promotion
from app.grading.reassessment import learning_after_reassessment, reassessment_subjects
from app.grading.result import Computed, Missing, MissingItem, Pending, Result, missing_in
from app.grading.rules import DEFAULT_RULES, GradingRules
from app.grading.scores import Mark
from app.grading.subject_results import (
    TermAssessments,
    check_mark,
    check_term,
    subject_term_result,
    subject_year_result,
)
from app.grading.subjects import Subject, catalogue, check_grade
from app.grading.titles import year_title


@dataclass(frozen=True, slots=True)
class SubjectInput:
    """One subject the pupil studies; ``reassessment`` is the kiểm tra lại result, if any."""

    code: str
    term1: TermAssessments = field(default_factory=TermAssessments)
    term2: TermAssessments = field(default_factory=TermAssessments)
    reassessment: Mark | None = None


@dataclass(frozen=True, slots=True)
class YearInput:
    """One pupil's year as entered. Conduct ``None`` means not yet judged.

    Every compulsory subject of the catalogue must appear (else the year is ``Pending``);
    electives appear only when the pupil takes them.
    """

    grade: int
    subjects: tuple[SubjectInput, ...]
    conduct_term1: Level | None
    conduct_term2: Level | None
    absences_excused: int
    absences_unexcused: int
    conduct_after_training: Level | None = None

    @property
    def absent_sessions(self) -> int:
        """Excused and unexcused absences count together for promotion."""
        return self.absences_excused + self.absences_unexcused

    def beside_subjects(self) -> tuple[object, ...]:
        """Every input other than the subjects (what the year's own results also follow from)."""
        return (
            self.grade,
            self.conduct_term1,
            self.conduct_term2,
            self.absences_excused,
            self.absences_unexcused,
            self.conduct_after_training,
        )

    def with_subjects(self, subjects: tuple[SubjectInput, ...]) -> YearInput:
        """The same year with these subjects."""
        return YearInput(
            grade=self.grade,
            subjects=subjects,
            conduct_term1=self.conduct_term1,
            conduct_term2=self.conduct_term2,
            absences_excused=self.absences_excused,
            absences_unexcused=self.absences_unexcused,
            conduct_after_training=self.conduct_after_training,
        )


@dataclass(frozen=True, slots=True)
class SubjectResult:
    """Term averages (score subjects) or levels (comment subjects) and the year result."""

    subject: Subject
    term1: Result[Mark]
    term2: Result[Mark]
    year: Result[Mark]
    reassessment: Mark | None = None


@dataclass(frozen=True, slots=True)
class YearResult:
    """Everything computed for the year, plus the inputs and rules it was computed from."""

    inputs: YearInput
    rules: GradingRules
    subjects: tuple[SubjectResult, ...]
    learning_term1: Result[Level]
    learning_term2: Result[Level]
    learning_year: Result[Level]
    conduct_year: Result[Level]
    title: Result[Title | None]
    reassessment_subjects: tuple[str, ...]
    # None when no re-assessment applies (year learning not Chưa đạt, or not yet known).
    learning_after_reassessment: Result[Level] | None
    promotion: Result[Promotion]

    @property
    def missing(self) -> tuple[Missing, ...]:
        """Every input still missing: assessments, subjects, conduct, awaited re-assessment
        results. (An outstanding summer re-training shows in ``promotion`` instead.)"""
        results: list[Computed[object] | Pending] = [
            self.learning_term1,
            self.learning_term2,
            self.learning_year,
            self.conduct_year,
        ]
        if self.learning_after_reassessment is not None:
            results.append(self.learning_after_reassessment)
        return missing_in(results)


def compute_year(*, inputs: YearInput, rules: GradingRules = DEFAULT_RULES) -> YearResult:
    """Compute a pupil's year. Raises ``InvalidInput`` / ``InvalidScore`` for malformed input
    (unknown or repeated subject, mark of the wrong kind or off the scale, negative absences)."""
    grade = check_grade(inputs.grade)
    subjects = catalogue(rules=rules)
    given = _index_subjects(inputs.subjects, subjects)
    if inputs.absences_excused < 0 or inputs.absences_unexcused < 0:
        raise InvalidInput("Số buổi nghỉ không được âm", field="absences")

    absent = tuple(
        Missing(MissingItem.SUBJECT, code, s.name)
        for code, s in subjects.items()
        if not s.elective and code not in given
    )
    results = tuple(_subject_result(subjects[code], given[code], grade) for code in given)

    learning_term1 = _learning([r.term1 for r in results], absent, rules)
    learning_term2 = _learning([r.term2 for r in results], absent, rules)
    learning_year = _learning([r.year for r in results], absent, rules)
    conduct = _conduct(inputs.conduct_term1, inputs.conduct_term2)

    year_values = {r.subject.code: r.year.value for r in results if isinstance(r.year, Computed)}
    due: tuple[str, ...] = ()
    after: Result[Level] | None = None
    if isinstance(learning_year, Computed) and learning_year.value is Level.FAIL:
        due = reassessment_subjects(year_results=year_values)
        reassessed = {r.subject.code: r.reassessment for r in results}
        after = learning_after_reassessment(
            year_results=year_values,
            reassessment={c: m for c, m in reassessed.items() if m is not None},
            rules=rules,
        )

    title: Result[Title | None]
    promotion: Result[Promotion]
    if isinstance(learning_year, Computed) and isinstance(conduct, Computed):
        title = Computed(
            year_title(
                conduct=conduct.value,
                learning=learning_year.value,
                year_scores=[v for v in year_values.values() if isinstance(v, Decimal)],
            )
        )
        promotion = Computed(
            decide_promotion(
                grade=grade,
                conduct=conduct.value,
                learning=learning_year.value,
                absent_sessions=inputs.absent_sessions,
                conduct_after_training=inputs.conduct_after_training,
                learning_after_reassessment=after.value if isinstance(after, Computed) else None,
            )
        )
    else:
        title = promotion = Pending(missing_in((learning_year, conduct)))

    return YearResult(
        inputs=inputs,
        rules=rules,
        subjects=results,
        learning_term1=learning_term1,
        learning_term2=learning_term2,
        learning_year=learning_year,
        conduct_year=conduct,
        title=title,
        reassessment_subjects=due,
        learning_after_reassessment=after,
        promotion=promotion,
    )


def recompute_subjects(
    before: YearResult, subjects: Mapping[str, SubjectInput]
) -> YearResult | None:
    """``before`` with the inputs of some of its subjects replaced by ``subjects`` (by code),
    when each of their results comes out the same. The year's own results (learning, conduct,
    title, re-assessment, promotion) follow from the subjects' results and the inputs beside
    the subjects alone: they are then ``before``'s, the very objects. None when a result
    differs, or a subject is not one of ``before``'s: the year is to be computed again
    (``compute_year``). Raises as ``compute_year`` does for a malformed mark."""
    catalog = catalogue(rules=before.rules)
    grade = before.inputs.grade
    given = list(before.inputs.subjects)
    results = list(before.subjects)
    for code, entry in subjects.items():
        where = next((i for i, s in enumerate(given) if s.code == code), None)
        at = next((i for i, r in enumerate(results) if r.subject.code == code), None)
        if where is None or at is None or entry.code != code:
            return None
        result = _subject_result(catalog[code], entry, grade)
        if result != results[at]:
            return None
        given[where], results[at] = entry, result
    return YearResult(
        before.inputs.with_subjects(tuple(given)),
        before.rules,
        tuple(results),
        before.learning_term1,
        before.learning_term2,
        before.learning_year,
        before.conduct_year,
        before.title,
        before.reassessment_subjects,
        before.learning_after_reassessment,
        before.promotion,
    )


def _index_subjects(
    given: Sequence[SubjectInput], subjects: Mapping[str, Subject]
) -> dict[str, SubjectInput]:
    """Given subjects by code, in catalogue order; rejects unknown and repeated codes."""
    by_code = {entry.code: entry for entry in given}
    if len(by_code) < len(given) or not by_code.keys() <= subjects.keys():
        seen: set[str] = set()
        for entry in given:  # the first unknown or repeated code, as given
            if entry.code not in subjects:
                raise InvalidInput(f"Mã môn «{entry.code}» không có trong danh mục môn học")
            if entry.code in seen:
                raise InvalidInput(f"Môn {subjects[entry.code].name} được nhập hai lần")
            seen.add(entry.code)
    return {code: by_code[code] for code in subjects if code in by_code}


def _subject_result(subject: Subject, entry: SubjectInput, grade: int) -> SubjectResult:
    # The same input object (frozen, its assessments in tuples) gives the same result: a
    # pupil's untouched subjects, handed in again as the very objects of the last computation,
    # are neither checked nor computed twice. Equal inputs of other objects are still checked.
    seen = _BY_INPUT.get(id(entry))
    if seen is not None and seen[0] is entry and seen[1] is subject and seen[2] == grade:
        return seen[3]
    check_term(subject, Term.I, entry.term1)
    check_term(subject, Term.II, entry.term2)
    reassessment = entry.reassessment
    if reassessment is not None:
        reassessment = check_mark(subject, reassessment, slot="kiemtralai")
    try:
        term1, term2, year = _remembered_terms(subject, grade, entry.term1, entry.term2)
    except TypeError:  # assessments given as lists, not tuples: nothing to remember them by
        term1, term2, year = _terms(subject, grade, entry.term1, entry.term2)
        return SubjectResult(subject, term1, term2, year, reassessment)
    result = SubjectResult(subject, term1, term2, year, reassessment)
    if len(_BY_INPUT) >= SUBJECTS_REMEMBERED:
        _BY_INPUT.clear()
    _BY_INPUT[id(entry)] = (entry, subject, grade, result)
    return result


def _terms(
    subject: Subject, grade: int, term1: TermAssessments, term2: TermAssessments
) -> tuple[Result[Mark], Result[Mark], Result[Mark]]:
    """One subject's term and year results from its checked assessments."""
    first = subject_term_result(subject=subject, grade=grade, term=Term.I, assessments=term1)
    second = subject_term_result(subject=subject, grade=grade, term=Term.II, assessments=term2)
    return first, second, subject_year_result(term1=first, term2=second)


# A save recomputes a pupil's whole year for a change in one subject: the other subjects'
# results, unchanged, are looked up (a pure function of frozen inputs; a bounded memory).
SUBJECTS_REMEMBERED = 4096
_remembered_terms = lru_cache(maxsize=SUBJECTS_REMEMBERED)(_terms)
# id(input) -> (the input itself, held so its id is not reused; subject; grade; result).
_BY_INPUT: dict[int, tuple[SubjectInput, Subject, int, SubjectResult]] = {}


def _learning(
    values: list[Result[Mark]], absent: tuple[Missing, ...], rules: GradingRules
) -> Result[Level]:
    scores: list[Decimal] = []
    comments: list[CommentLevel] = []
    missing: list[Missing] = list(absent)
    for value in values:
        if isinstance(value, Pending):
            missing.extend(value.missing)
        elif isinstance(value.value, Decimal):
            scores.append(value.value)
        else:
            comments.append(value.value)
    if missing:
        # Without repeats as they are: each subject's own are, and every item names its subject.
        return Pending(tuple(missing))
    return Computed(learning_result(scores=scores, comments=comments, rules=rules))


# A term's conduct not yet judged: the same for every pupil, made once.
_NOT_JUDGED = {
    (True, False): Pending((Missing(MissingItem.CONDUCT, term=Term.I),)),
    (False, True): Pending((Missing(MissingItem.CONDUCT, term=Term.II),)),
    (True, True): Pending(
        (Missing(MissingItem.CONDUCT, term=Term.I), Missing(MissingItem.CONDUCT, term=Term.II))
    ),
}


def _conduct(term1: Level | None, term2: Level | None) -> Result[Level]:
    if term1 is None or term2 is None:
        return _NOT_JUDGED[term1 is None, term2 is None]
    return Computed(year_conduct(term1=term1, term2=term2))
