"""Settings for the grading rules that are not confirmed from an official text.

DOMAIN.md marks a few facts with (?): they live here, named, with documented defaults, so that
a school (or a later reading of Thông tư 22/2021/TT-BGDĐT) can change them without touching the
rule code. Confirmed rules are plain constants in their own modules.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GradingRules:
    """Unconfirmed grading choices. The defaults follow the DOMAIN table literally.

    art_split:
        (?) Whether Nghệ thuật is graded as two separate subjects, Âm nhạc (``AMNHAC``) and
        Mĩ thuật (``MITHUAT``), 35 periods each, instead of one subject ``NGHETHUAT`` of 70
        periods. Default ``False``: one subject, as listed in the DOMAIN table.
    ethnic_language_scored:
        (?) Whether the elective Tiếng dân tộc thiểu số (``TIENGDANTOC``) is graded with scores
        (``True``, default, as the DOMAIN table says "score (?)") or with comments.
    second_foreign_language_scored:
        (?) Same question for the elective Ngoại ngữ 2 (``NGOAINGU2``); the DOMAIN table marks
        both electives on one row. Default ``True``.
    lift_one_level:
        (?) NOT CONFIRMED for TT22 (it existed in the older TT58). Off by default. When on: if the
        learning result is lowered by two or more levels because of exactly one subject, it is
        raised by one level. "Because of one subject" is read as: ignoring that subject in the
        "every subject at least …" / "at most one comment subject Chưa đạt" conditions (while
        still counting it, with its real value, in the "at least 6 subjects …" conditions) would
        give a result two or more levels higher. See ``learning.learning_result``.
    """

    art_split: bool = False
    ethnic_language_scored: bool = True
    second_foreign_language_scored: bool = True
    lift_one_level: bool = False


DEFAULT_RULES = GradingRules()
