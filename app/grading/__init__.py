"""Grading engine (Thông tư 22/2021/TT-BGDĐT, grades 6–9): pure functions, no DB or web imports.

Entry point: ``compute_year(inputs=YearInput(...))``. The pieces are importable on their own:
parsing (``scores``), averages, comment subjects, learning result, conduct, titles, promotion.
Unconfirmed rules are settings of ``GradingRules``.
"""

from app.grading.averages import term_average, year_average
from app.grading.comments import comment_term_level, comment_year_level
from app.grading.conduct import year_conduct
from app.grading.learning import learning_result
from app.grading.levels import (
    CommentLevel,
    ConductResult,
    LearningResult,
    Level,
    Term,
    Title,
)
from app.grading.promotion import Outcome, Promotion, decide_promotion
from app.grading.reassessment import learning_after_reassessment, reassessment_subjects
from app.grading.record import year_record
from app.grading.result import Computed, Missing, MissingItem, Pending, Result
from app.grading.rounding import round1
from app.grading.rules import DEFAULT_RULES, GradingRules
from app.grading.scores import Mark, check_score, parse_comment_level, parse_level, parse_score
from app.grading.subject_results import (
    TermAssessments,
    subject_term_result,
    subject_year_result,
)
from app.grading.subjects import (
    SUBJECTS,
    AssessmentKind,
    Subject,
    catalogue,
    regular_assessment_count,
)
from app.grading.titles import year_title
from app.grading.year import (
    SubjectInput,
    SubjectResult,
    YearInput,
    YearResult,
    compute_year,
    recompute_subjects,
)

__all__ = [
    "DEFAULT_RULES",
    "SUBJECTS",
    "AssessmentKind",
    "CommentLevel",
    "Computed",
    "ConductResult",
    "GradingRules",
    "LearningResult",
    "Level",
    "Mark",
    "Missing",
    "MissingItem",
    "Outcome",
    "Pending",
    "Promotion",
    "Result",
    "Subject",
    "SubjectInput",
    "SubjectResult",
    "Term",
    "TermAssessments",
    "Title",
    "YearInput",
    "YearResult",
    "catalogue",
    "check_score",
    "comment_term_level",
    "comment_year_level",
    "compute_year",
    "recompute_subjects",
    "decide_promotion",
    "learning_after_reassessment",
    "learning_result",
    "parse_comment_level",
    "parse_level",
    "parse_score",
    "reassessment_subjects",
    "regular_assessment_count",
    "round1",
    "subject_term_result",
    "subject_year_result",
    "term_average",
    "year_average",
    "year_conduct",
    "year_record",
    "year_title",
]
