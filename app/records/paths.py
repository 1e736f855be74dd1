"""Dotted paths into a pupil record: which are writable, what type they hold, which lock
guards them, and how to read them to people."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

from app.errors import InvalidInput
from app.grading.subjects import SUBJECTS
from app.validation_vi import first_message
from models.introspect import unwrap
from models.student import StudentRecord
from models.student_parts import TERM_LABELS, TERMS

# Maintained by the write path itself, never by callers.
SYSTEM_FIELDS = {"_id", "id", "revision_id", "version", "meta", "search_name", "schema_version"}
LOCK_SCOPES = (*TERMS, "year")


# The homeroom book's mark in a LockScope (subject codes are upper-case catalogue codes).
HOMEROOM_BOOK = "homeroom"
# What the homeroom teacher enters, per term where the value has a term (conduct, absences)
# and for the whole year otherwise.
HOMEROOM_FIELDS = frozenset({"conduct", "absences", "homeroom_comment", "awards", "discipline"})


@dataclass(frozen=True)
class LockScope:
    """One lock that guards a write: the whole school's term or year (``book`` None), or one
    book's: a subject's (its code) or the homeroom book's (HOMEROOM_BOOK)."""

    school_year: str
    scope: str  # hk1 | hk2 | year
    book: str | None = None

    @cached_property
    def container(self) -> str:
        base = f"years.{self.school_year}"
        if self.book is None:
            return f"{base}.locks"
        if self.book == HOMEROOM_BOOK:
            return f"{base}.homeroom_locks"
        return f"{base}.subjects.{self.book}.locks"

    @cached_property
    def path(self) -> str:
        """The lock's own sub-document (``….locks.hk1``)."""
        return f"{self.container}.{self.scope}"

    def describe(self) -> str:
        period = f"{TERM_LABELS[self.scope]} năm học {self.school_year}"
        if self.book is None:
            return period
        if self.book == HOMEROOM_BOOK:
            return f"Sổ chủ nhiệm {period[0].lower()}{period[1:]}"
        subject = SUBJECTS.get(self.book)
        name = subject.name if subject is not None else self.book
        return f"Sổ điểm môn {name} {period[0].lower()}{period[1:]}"


@lru_cache(maxsize=2048)  # the same paths (a book's columns) are asked for every pupil
def field_info(path: str, model: type[BaseModel] = StudentRecord) -> tuple[Any, str]:
    """The annotation and Vietnamese label of the field a dotted path names in ``model``.

    Raises InvalidInput for a path that does not exist in the record's shape.
    """
    annotation: Any = model
    label = ""
    for part in path.split("."):
        current = unwrap(annotation)
        origin = get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            if field is None:
                raise InvalidInput(f"Trường «{path}» không tồn tại", field=path)
            annotation, label = field.annotation, field.title or part
        elif origin is dict:
            if not part:
                raise InvalidInput(f"Đường dẫn «{path}» không hợp lệ", field=path)
            annotation = get_args(current)[1]
        elif origin is list:
            if not part.isdigit():
                raise InvalidInput(f"Đường dẫn «{path}» không hợp lệ", field=path)
            annotation = get_args(current)[0]
        else:
            raise InvalidInput(f"Trường «{path}» không tồn tại", field=path)
    return annotation, label


@lru_cache(maxsize=512)
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def validate_value(path: str, value: Any, model: type[BaseModel] = StudentRecord) -> Any:
    """Validate ``value`` for the field at ``path``; the message names the field in Vietnamese."""
    root = path.split(".", 1)[0]
    if root in SYSTEM_FIELDS:
        raise InvalidInput(f"Trường «{path}» do hệ thống quản lý, không sửa trực tiếp", field=path)
    annotation, label = field_info(path, model)
    try:
        return _adapter(annotation).validate_python(value)
    except ValidationError as exc:
        detail = first_message(exc)
        raise InvalidInput(
            f"Giá trị của «{label or path}» không hợp lệ: {detail}", field=path
        ) from exc


@lru_cache(maxsize=4096)
def lock_scopes(path: str) -> tuple[LockScope, ...]:
    """The locks that must be open for a write to ``path``: the school's year lock and, for
    a path with a term, its term lock; then the year and term locks of the book the path
    belongs to (a subject's, or the homeroom book's). A write's paths are few and asked of
    every record written: each is worked out once."""
    parts = path.split(".")
    if parts[0] != "years" or len(parts) < 2:
        return ()
    year = parts[1]
    scopes = [LockScope(year, "year")]
    term = next((p for p in parts[2:5] if p in TERMS), None)
    if term is not None:
        scopes.append(LockScope(year, term))
    book = _book_of(parts)
    if book is not None:
        scopes.append(LockScope(year, "year", book))
        if term is not None:
            scopes.append(LockScope(year, term, book))
    return tuple(scopes)


def _book_of(parts: list[str]) -> str | None:
    if len(parts) < 3:
        return None
    if parts[2] == "subjects" and len(parts) >= 5 and parts[4] != "locks":
        return parts[3]
    return HOMEROOM_BOOK if parts[2] in HOMEROOM_FIELDS else None


def is_lock_path(path: str) -> bool:
    parts = path.split(".")
    if len(parts) < 3 or parts[0] != "years":
        return False
    if parts[2] in ("locks", "homeroom_locks"):
        return True
    return parts[2] == "subjects" and len(parts) >= 5 and parts[4] == "locks"
