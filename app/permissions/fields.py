"""Field rules: which paths of a record a user may read or write.

Patterns are parsed once and their variables resolved against the user's context when the
rules are built; only ``$assigned_subject`` needs the record (its ``current.class_name``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from models.rules.patterns import Segment, parse_pattern
from models.rules.variables import UserContext

ALWAYS_KEPT = frozenset({"_id", "id"})
NONE, ABOVE, COVERED = 0, 1, 2  # how a path relates to a pattern
RELATIONS_REMEMBERED = 4096


@dataclass(frozen=True)
class _Step:
    kind: str  # name | one | rest | set | assigned
    values: frozenset[str] = frozenset()


def _compile(segments: tuple[Segment, ...], ctx: UserContext) -> tuple[_Step, ...]:
    steps = []
    for segment in segments:
        if segment.kind == "name":
            steps.append(_Step("name", frozenset({segment.name})))
        elif segment.kind == "var":
            value = ctx.value(segment.name)
            values = value if isinstance(value, list) else [] if value is None else [value]
            steps.append(_Step("set", frozenset(str(v) for v in values)))
        elif segment.kind == "current_year":
            year = ctx.current_school_year
            steps.append(_Step("set", frozenset({year} if year else ())))
        else:
            steps.append(_Step(segment.kind))
    return tuple(steps)


def class_of(record: Any) -> str | None:
    """The record's ``current.class_name``, from a raw dict or a model."""
    if record is None:
        return None
    current = (
        record.get("current") if isinstance(record, dict) else getattr(record, "current", None)
    )
    if isinstance(current, dict):
        return current.get("class_name")
    return getattr(current, "class_name", None) if current is not None else None


class FieldRules:
    """The union of some field patterns for one user; cheap to query many times."""

    def __init__(self, patterns: Iterable[str], ctx: UserContext, record: Any = None) -> None:
        self.patterns: tuple[str, ...] = tuple(dict.fromkeys(patterns))
        self.ctx = ctx
        # The subjects assigned for the record these rules were bound to (Scope.fields_for):
        # the default for the record-aware segments, so callers asking about a path need not
        # pass the record again.
        self._bound_assigned: frozenset[str] | None = None
        self._steps = [_compile(parse_pattern(p), ctx) for p in self.patterns]
        self.everything = any(s == (_Step("rest"),) for s in self._steps)
        self._record_aware = any(step.kind == "assigned" for s in self._steps for step in s)
        # (path, assigned subjects) -> relation: the same few paths are asked of every row of
        # a page or a save; shared by the copies bound to each row.
        self._relations: dict[tuple[str, frozenset[str]], int] = {}
        self._bound: dict[frozenset[str], FieldRules] = {}  # shared by the bound copies
        if record is not None:
            self._bound_assigned = self._assigned(record)

    def bound_to(self, record: Any) -> FieldRules:
        """The same compiled rules, answering for ``record`` by default (records with the
        same subjects assigned in their class share one copy)."""
        assigned = self._assigned(record) if self._record_aware else frozenset()
        bound = self._bound.get(assigned)
        if bound is None:
            bound = self._bound[assigned] = copy.copy(self)
            bound._bound_assigned = assigned
        return bound

    @classmethod
    def nothing(cls, ctx: UserContext) -> FieldRules:
        return cls((), ctx)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def __repr__(self) -> str:
        return f"FieldRules({list(self.patterns)!r})"

    def union(self, *others: FieldRules) -> FieldRules:
        patterns = [*self.patterns, *(p for o in others for p in o.patterns)]
        return FieldRules(patterns, self.ctx)

    def _assigned(self, record: Any) -> frozenset[str]:
        if not self._record_aware:
            return frozenset()
        if record is None and self._bound_assigned is not None:
            return self._bound_assigned  # set by bound_to for its record
        return self.ctx.assigned_subjects(class_of(record))

    def _relation(self, parts: list[str], assigned: frozenset[str]) -> int:
        best = NONE
        for steps in self._steps:
            relation = _relate(steps, parts, assigned)
            if relation == COVERED:
                return COVERED
            best = max(best, relation)
        return best

    def _path_relation(self, path: str, assigned: frozenset[str]) -> int:
        key = (path, assigned)
        relation = self._relations.get(key)
        if relation is None:
            if len(self._relations) >= RELATIONS_REMEMBERED:
                self._relations.clear()
            relation = self._relations[key] = self._relation(path.split("."), assigned)
        return relation

    def allows(self, path: str, record: Any = None) -> bool:
        """Whether the whole of ``path`` (and everything below it) is granted."""
        if self.everything:
            return True
        return self._path_relation(path, self._assigned(record)) == COVERED

    def touches(self, path: str, record: Any = None) -> bool:
        """Whether ``path`` or something below it is granted (a container worth showing)."""
        if self.everything:
            return True
        return self._path_relation(path, self._assigned(record)) != NONE

    may_reach = touches  # the name the admin views use

    def filter_document(
        self, doc: dict[str, Any] | BaseModel, record: Any = None
    ) -> dict[str, Any]:
        """A copy of ``doc`` without the values the rules do not grant; ``_id``/``id`` stay."""
        raw = doc.model_dump(by_alias=True) if isinstance(doc, BaseModel) else doc
        if self.everything:
            return dict(raw)
        bound = record is None and self._bound_assigned is not None
        assigned = self._assigned(None if bound else (record if record is not None else raw))
        result = {k: v for k, v in raw.items() if k in ALWAYS_KEPT}
        kept = self._walk({k: v for k, v in raw.items() if k not in ALWAYS_KEPT}, [], assigned)
        result.update(kept or {})
        return result

    def _walk(self, value: Any, parts: list[str], assigned: frozenset[str]) -> Any:
        items = value.items() if isinstance(value, dict) else enumerate(value)
        kept: list[tuple[Any, Any]] = []
        for key, item in items:
            path = [*parts, str(key)]
            relation = self._relation(path, assigned)
            if relation == COVERED:
                kept.append((key, item))
            elif relation == ABOVE and isinstance(item, (dict, list)):
                inner = self._walk(item, path, assigned)
                if inner:
                    kept.append((key, inner))
        if isinstance(value, dict):
            return dict(kept)
        return [item for _, item in kept]


def _relate(steps: tuple[_Step, ...], parts: list[str], assigned: frozenset[str]) -> int:
    for index, step in enumerate(steps):
        if step.kind == "rest":
            return COVERED
        if index >= len(parts):
            return ABOVE
        part = parts[index]
        if step.kind == "one":
            continue
        if step.kind == "assigned":
            if part not in assigned:
                return NONE
        elif part not in step.values:
            return NONE
    return COVERED
