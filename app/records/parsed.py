"""School years and their subjects parsed once for the stored form they were parsed from.

A score book's save changes one subject of each pupil's year, yet the year is checked and
computed whole: its other subjects would be parsed, and turned into the grading engine's inputs,
at every save. Here a subject parsed from a stored sub-document is remembered with that very
sub-document (by identity: records kept from one save to the next share their untouched
sub-documents, and nothing changes a stored sub-document in place), so an untouched subject is
parsed, and its inputs built, once.

A remembered subject is shared by every year parsed with it: nobody changes it. The write path
refreshes the computed fields only of the subjects a change touches.

A whole school year is remembered the same way, once the write path has parsed, derived and
written it: with the computation its own computed fields (learning, conduct, title, promotion,
what is pending) came from. The year's next change in its subjects starts from a copy of it:
only what the change lies in is parsed, and the year's own results are worked out again only
when the touched subjects' results differ (``app.grading.recompute_subjects``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from app.grading import SubjectInput, YearResult
from models.student_parts import SchoolYearRecord, SubjectYear

from .compute import subject_input

# 256 kept pupils with about 13 subjects each.
REMEMBERED = 4096
YEARS_REMEMBERED = 256  # as many as pupils are kept (app.scorebook.kept)


class _Entry(Protocol):
    stored: dict[str, Any]


E = TypeVar("E", bound=_Entry)


def _held(table: Mapping[int, E], stored: Any) -> E | None:
    """The entry remembered for exactly ``stored`` (by identity: an id may be reused once
    its object is gone, so the entry holds the object and is checked against it)."""
    entry = table.get(id(stored))
    return entry if entry is not None and entry.stored is stored else None


@dataclass(slots=True)
class _Parsed:
    code: str
    stored: dict[str, Any]  # held, so that its id is not reused while remembered
    model: SubjectYear
    inputs: SubjectInput | None = None  # built when first asked for


class ParsedSubjects:
    """Parsed subjects by the stored sub-document they came from; the least recently
    remembered go first."""

    def __init__(self, limit: int = REMEMBERED) -> None:
        self.limit = limit
        self._by_stored: OrderedDict[int, _Parsed] = OrderedDict()
        self._by_model: dict[int, _Parsed] = {}

    def __len__(self) -> int:
        return len(self._by_stored)

    def model(self, code: str, stored: Any) -> SubjectYear | None:
        """The subject ``code`` parsed from exactly ``stored``, if remembered."""
        entry = _held(self._by_stored, stored)
        return entry.model if entry is not None and entry.code == code else None

    def inputs(self, code: str, model: SubjectYear) -> SubjectInput | None:
        """The grading inputs of a remembered subject (the very object ``model`` returned)."""
        entry = self._by_model.get(id(model))
        if entry is None or entry.model is not model or entry.code != code:
            return None
        if entry.inputs is None:
            entry.inputs = subject_input(code, model)
        return entry.inputs

    def remember(self, code: str, stored: dict[str, Any], model: SubjectYear) -> None:
        """Remember ``model`` as what ``stored`` parses to (the caller vouches for it); what is
        remembered already stays as it is."""
        if id(stored) in self._by_stored:
            entry = self._by_stored[id(stored)]
            if entry.stored is stored and entry.model is model:
                return
            self._forget(id(stored))
        entry = _Parsed(code, stored, model)
        self._by_stored[id(stored)] = entry
        self._by_model[id(model)] = entry
        while len(self._by_stored) > self.limit:
            self._forget(next(iter(self._by_stored)))

    def forget(self, stored: Any) -> None:
        """Forget what ``stored`` parsed to (a record no longer holds it)."""
        if _held(self._by_stored, stored) is not None:
            self._forget(id(stored))

    def _forget(self, key: int) -> None:
        entry = self._by_stored.pop(key)
        if self._by_model.get(id(entry.model)) is entry:
            del self._by_model[id(entry.model)]

    def clear(self) -> None:
        self._by_stored.clear()
        self._by_model.clear()


PARSED = ParsedSubjects()


@dataclass(slots=True)
class _Year:
    stored: dict[str, Any]  # held, so that its id is not reused while remembered
    model: SchoolYearRecord
    result: YearResult


class ParsedYears:
    """Parsed and derived school years by the stored sub-document they were written as, each
    with the computation its own computed fields hold; the least recently used go first."""

    def __init__(self, limit: int = YEARS_REMEMBERED) -> None:
        self.limit = limit
        self._by_stored: OrderedDict[int, _Year] = OrderedDict()

    def __len__(self) -> int:
        return len(self._by_stored)

    def get(self, stored: Any) -> tuple[SchoolYearRecord, YearResult] | None:
        """The year parsed from exactly ``stored`` and its computation, if remembered (both
        shared: a change starts from a copy)."""
        entry = _held(self._by_stored, stored)
        if entry is None:
            return None
        self._by_stored.move_to_end(id(stored))
        return entry.model, entry.result

    def remember(self, stored: dict[str, Any], model: SchoolYearRecord, result: YearResult) -> None:
        """Remember ``model`` as what ``stored`` parses to, its own computed fields holding
        ``result`` (the caller vouches for both)."""
        self._by_stored[id(stored)] = _Year(stored, model, result)
        self._by_stored.move_to_end(id(stored))
        while len(self._by_stored) > self.limit:
            self._by_stored.popitem(last=False)

    def forget(self, stored: Any) -> None:
        """Forget what ``stored`` parsed to (a record no longer holds it)."""
        if _held(self._by_stored, stored) is not None:
            del self._by_stored[id(stored)]

    def clear(self) -> None:
        self._by_stored.clear()


YEARS = ParsedYears()
