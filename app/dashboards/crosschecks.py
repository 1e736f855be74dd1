"""Cross-checks between members of the subject groups (Art. 6.3): who checked whose books and
what they found, from the gradebooks' check and return steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.workflow import StepKind

BookKey = tuple[str, str | None, str]


@dataclass
class CheckEvent:
    class_name: str
    subject: str | None
    term: str
    teacher: str | None
    subject_group: str | None
    checker: str
    returned: bool
    at: datetime | None
    comment: str
    notes: list[dict[str, Any]]


@dataclass
class Checker:
    name: str
    checked: int = 0
    returned: int = 0
    notes: int = 0
    teachers: set[str] = field(default_factory=set)


def cross_checks(books: dict[BookKey, dict[str, Any]] | None, term: str) -> list[CheckEvent]:
    """Every check and return of the term's books, newest first."""
    events = []
    for (class_name, subject, book_term), doc in (books or {}).items():
        if book_term != term:
            continue
        for step in doc.get("steps") or []:
            kind = step.get("kind")
            if kind not in (StepKind.CHECK, StepKind.RETURN):
                continue
            events.append(
                CheckEvent(
                    class_name=class_name,
                    subject=subject,
                    term=book_term,
                    teacher=doc.get("teacher"),
                    subject_group=doc.get("subject_group"),
                    checker=str(step.get("actor_name") or step.get("actor_id") or ""),
                    returned=kind == StepKind.RETURN,
                    at=step.get("at"),
                    comment=str(step.get("comment") or ""),
                    notes=list(step.get("notes") or []),
                )
            )
    events.sort(key=lambda e: e.at or datetime.min, reverse=True)
    return events


def checkers(events: list[CheckEvent]) -> list[Checker]:
    """Per checker: books passed, books returned, notes written, whose books."""
    found: dict[str, Checker] = {}
    for event in events:
        checker = found.setdefault(event.checker, Checker(event.checker))
        checker.returned += event.returned
        checker.checked += not event.returned
        checker.notes += len(event.notes)
        if event.teacher:
            checker.teachers.add(event.teacher)
    return sorted(found.values(), key=lambda c: c.name)
