"""What differs between resources on the write path: derived values and locks.

Pupil records recompute their results with the grading engine and refuse changes to locked
terms; other resources have neither.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from app.grading import YearResult
from app.records.compute import derive, derive_year_from, touched_subjects
from app.records.diff import get_path
from app.records.parsed import PARSED, YEARS
from app.records.paths import LockScope, lock_scopes
from models.student import StudentRecord
from models.student_parts import TERMS, SchoolYearRecord, Status, SubjectTerm, SubjectYear

TRANSFER_FIELDS = frozenset({"status", "transfer_out"})

# (model, data, where it lies in the record) -> data parsed as the model; refused with the
# message of the first error at its full path (the writer's).
Validate = Callable[[type[BaseModel], Any, str], BaseModel]


@dataclass(frozen=True, slots=True)
class Built:
    """One part of a record with a change applied: parsed, and its computed fields filled."""

    model: BaseModel
    # The relative paths of the computed fields whose value changed (None: not known; the
    # whole part is compared).
    derived: list[str] | None
    computation: Any = None  # what the computed fields were filled from (handed to ``parsed``)
    from_year: bool = False  # made from a remembered year (app.records.parsed)


class Policy:
    def derive(self, doc: BaseModel) -> None:
        """Fill the computed fields of ``doc`` in place."""

    def locks(self, leaves: Iterable[str]) -> frozenset[LockScope]:
        return frozenset()

    def frozen(self, stored: dict[str, Any], paths: Iterable[str]) -> str | None:
        """Why ``stored`` may not change at ``paths`` whatever the writer's rights (None:
        it may)."""
        return None

    def refusal(self, after: dict[str, Any], leaves: Iterable[str]) -> str | None:
        """Why the record as it would be after a write is not acceptable (None: it is)."""
        return None

    def part_of(self, path: str) -> str | None:
        """The self-contained part of the record ``path`` lies in (validated and derived on
        its own, so a score edit need not load, check and encode the whole record); None
        when a change there concerns the whole record."""
        return None

    def part_model(self, part: str) -> type[BaseModel]:
        raise KeyError(part)

    def build_part(
        self,
        part: str,
        stored: dict[str, Any],
        data: dict[str, Any],
        changed: list[str],
        validate: Validate,
        *,
        derive: bool,
    ) -> Built:
        """The part ``data`` (the ``stored`` part with the changes at ``changed``, relative
        paths, applied) parsed with ``validate`` and, when ``derive``, its computed fields
        filled in place."""
        return Built(validate(self.part_model(part), data, part), None if derive else [])

    def parsed(
        self,
        part: str,
        stored: dict[str, Any],
        encoded: dict[str, Any],
        built: Built,
        changed: list[str],
    ) -> None:
        """``built`` was made for a change at ``changed``; ``encoded`` is the part as it will
        be stored in place of ``stored`` (a policy may remember what it parses to)."""

    def dumped_at(
        self, model: BaseModel, paths: Iterable[str], stored: dict[str, Any]
    ) -> dict[str, Any]:
        """``model.model_dump(mode="python")`` as far as ``paths`` go: along each path, as deep
        as ``stored`` (the part as stored) holds sub-documents, and whole from there on, so a
        diff with ``stored`` at those paths (``diff_at``) sees what the full dump holds."""
        include: dict[str, Any] = {}
        for path in paths:
            _reach(include, stored, path.split("."))
        return model.model_dump(mode="python", include=include)


class StudentPolicy(Policy):
    def derive(self, doc: BaseModel) -> None:
        assert isinstance(doc, StudentRecord)
        derive(doc)

    def locks(self, leaves: Iterable[str]) -> frozenset[LockScope]:
        return _locks_of(tuple(leaves))

    def frozen(self, stored: dict[str, Any], paths: Iterable[str]) -> str | None:
        # A pupil who transferred out keeps a read-only record; only the transfer itself
        # (its details, or undoing it) may change.
        if stored.get("status") != Status.TRANSFERRED.value:
            return None
        if all(p.split(".", 1)[0] in TRANSFER_FIELDS for p in paths):
            return None
        return (
            "Học sinh đã chuyển trường: hồ sơ chỉ còn để xem. Muốn sửa, hãy hủy chuyển trường "
            "trước (đổi tình trạng về «Đang học»)"
        )

    def refusal(self, after: dict[str, Any], leaves: Iterable[str]) -> str | None:
        transferring = after.get("status") == Status.TRANSFERRED.value
        if transferring and "status" in leaves and not after.get("transfer_out"):
            return (
                "Chuyển trường cần ngày chuyển, trường chuyển đến và lý do: hãy dùng nút "
                "«Chuyển trường» trên trang hồ sơ"
            )
        return None

    # Each school year is computed from its own inputs alone.
    def part_of(self, path: str) -> str | None:
        parts = path.split(".")
        return f"years.{parts[1]}" if len(parts) > 2 and parts[0] == "years" else None

    def part_model(self, part: str) -> type[BaseModel]:
        return SchoolYearRecord

    # A score book's change lies in one subject of each pupil's year: the others, unchanged
    # since they were last parsed from the very same stored sub-documents, are not parsed again
    # and are left as they are; a year the app wrote itself is not parsed again at all, and its
    # own results are worked out again only when the touched subjects' results differ
    # (app.records.parsed).
    def build_part(
        self,
        part: str,
        stored: dict[str, Any],
        data: dict[str, Any],
        changed: list[str],
        validate: Validate,
        *,
        derive: bool,
    ) -> Built:
        touched = touched_subjects(changed)
        known = YEARS.get(stored) if touched is not None else None
        model: BaseModel | None = None
        if known is not None and touched is not None:
            model = _from_known(known[0], part, data, changed, validate)
        if model is None:
            known = None
            given = _with_known_subjects(stored, data, touched)
            model = validate(self.part_model(part), given, part)
        assert isinstance(model, SchoolYearRecord)
        if not derive:
            return Built(model, [])
        if touched is None:
            derivation = derive_year_from(model)
        elif known is not None:  # the untouched subjects are those its computation had
            before = known[1]
            inputs = {s.code: s for s in before.inputs.subjects if s.code not in touched}
            derivation = derive_year_from(model, refresh=touched, inputs=inputs, before=before)
        else:
            inputs = {
                code: remembered
                for code, subject in model.subjects.items()
                if code not in touched and (remembered := PARSED.inputs(code, subject)) is not None
            }
            derivation = derive_year_from(model, refresh=touched, inputs=inputs)
        return Built(model, derivation.changed, derivation.result, from_year=known is not None)

    def parsed(
        self,
        part: str,
        stored: dict[str, Any],
        encoded: dict[str, Any],
        built: Built,
        changed: list[str],
    ) -> None:
        model = built.model
        assert isinstance(model, SchoolYearRecord)
        YEARS.forget(stored)  # what the record held before this write
        if isinstance(built.computation, YearResult):
            YEARS.remember(encoded, model, built.computation)
        subjects, before = encoded.get("subjects"), stored.get("subjects")
        touched = touched_subjects(changed)
        if touched is None or not isinstance(subjects, dict):
            return
        # From a remembered year, only the touched subjects are new: the others were remembered
        # when that year was written, with the very sub-documents written here again.
        for code in touched if built.from_year else model.subjects:
            subject = model.subjects.get(code)
            if subject is not None and isinstance(written := subjects.get(code), dict):
                PARSED.remember(code, written, subject)
        if isinstance(before, dict):
            for code in touched:
                if before.get(code) is not subjects.get(code):
                    PARSED.forget(before.get(code))  # what the record held before this write


def _reach(include: dict[str, Any], stored: Any, parts: list[str]) -> None:
    """Add ``parts`` to ``include`` (a ``model_dump`` include): down the sub-documents
    ``stored`` holds along them, then the whole value (where ``diff_at`` cuts the path)."""
    node, spec = stored, include
    for index, part in enumerate(parts):
        if spec.get(part) is True:
            return  # included whole already
        child = node.get(part) if isinstance(node, dict) else None
        if index == len(parts) - 1 or not isinstance(child, dict):
            spec[part] = True
            return
        spec = spec.setdefault(part, {})
        node = child


def _with_known_subjects(
    stored: dict[str, Any], data: dict[str, Any], touched: set[str] | None
) -> dict[str, Any]:
    """What to validate as a school year: ``data``, its untouched subjects replaced by what
    their very stored sub-documents were parsed to, where remembered."""
    subjects, before = data.get("subjects"), stored.get("subjects")
    if touched is None or not isinstance(subjects, dict) or not isinstance(before, dict):
        return data
    given: dict[str, Any] = {}
    for code, value in subjects.items():
        untouched = code not in touched and value is before.get(code)
        given[code] = (PARSED.model(code, value) or value) if untouched else value
    return {**data, "subjects": given}


_ABSENT = object()


def _from_known(
    year: SchoolYearRecord,
    part: str,
    data: dict[str, Any],
    changed: list[str],
    validate: Validate,
) -> SchoolYearRecord | None:
    """The year ``data`` describes, made from ``year`` (what its stored form was parsed to) by
    parsing only what ``changed`` (paths in the year's subjects) lies in: a term of a subject,
    or the whole subject; None when ``data`` is not a year with subjects. ``year`` itself is
    shared: it is never changed."""
    subjects = data.get("subjects")
    if not isinstance(subjects, dict):
        return None
    terms: dict[str, set[str] | None] = {}  # subject -> the terms changed (None: more)
    for path in changed:
        parts = path.split(".")
        code, term = parts[1], parts[2] if len(parts) > 3 else None
        known = terms.get(code, set())
        terms[code] = None if known is None or term not in TERMS else {*known, term}
    fresh = dict(year.subjects)
    for code, changed_terms in terms.items():
        value = subjects.get(code, _ABSENT)
        if value is _ABSENT:
            fresh.pop(code, None)  # the change removed the subject
            continue
        at = f"{part}.subjects.{code}"
        held = year.subjects.get(code)
        if (
            held is None
            or changed_terms is None
            or not isinstance(value, dict)
            or not all(isinstance(value.get(term), dict) for term in changed_terms)
        ):
            parsed = validate(SubjectYear, value, at)
            assert isinstance(parsed, SubjectYear)
            fresh[code] = parsed
            continue
        # Only the terms changed are parsed; the rest of the subject is as ``year`` has it.
        update = {
            term: validate(SubjectTerm, value[term], f"{at}.{term}") for term in changed_terms
        }
        fresh[code] = held.model_copy(update=update)
    # The year's derivation replaces the parts it changes (app.records.compute): the copy
    # shares the rest with ``year``, untouched.
    return year.model_copy(update={"subjects": fresh})


# The records of a batch are written at the same paths: their locks are worked out once.
@lru_cache(maxsize=1024)
def _locks_of(leaves: tuple[str, ...]) -> frozenset[LockScope]:
    return frozenset(scope for leaf in leaves for scope in lock_scopes(leaf))


@lru_cache(maxsize=1024)
def _in_order(scopes: frozenset[LockScope]) -> tuple[LockScope, ...]:
    return tuple(sorted(scopes, key=_lock_order))


def locked_scope(raw: dict[str, Any], scopes: AbstractSet[LockScope]) -> LockScope | None:
    """The first of ``scopes`` that is closed in the stored record (the school's locks before a
    book's, the year before terms): locked, or a book submitted and waiting for approval."""
    for scope in _in_order(frozenset(scopes)):
        lock = get_path(raw, scope.path)
        if isinstance(lock, dict) and (lock.get("locked") or _submitted(lock, scope)):
            return scope
    return None


def _submitted(lock: dict[str, Any], scope: LockScope) -> bool:
    """Whether a book's lock (``lock``, as stored) says it is submitted and waiting."""
    return scope.book is not None and bool(lock.get("submitted"))


def lock_refusal(locked: LockScope, raw: dict[str, Any] | None = None) -> str:
    """Why a write under a closed lock is refused, and what to do instead (``raw``, the stored
    record, tells a submitted book from a locked one)."""
    lock = get_path(raw, locked.path) if raw is not None else None
    if isinstance(lock, dict) and not lock.get("locked") and _submitted(lock, locked):
        return (
            f"{locked.describe()} đã nộp, đang chờ kiểm tra và duyệt; chỉ sửa được khi sổ "
            "được trả lại"
        )
    return f"{locked.describe()} đã khóa sổ; muốn sửa cần có yêu cầu điều chỉnh được duyệt"


def _lock_order(scope: LockScope) -> tuple[str, bool, str, bool]:
    return (scope.school_year, scope.book is not None, scope.book or "", scope.scope != "year")


def lock_guards(scopes: AbstractSet[LockScope]) -> dict[str, Any]:
    """The atomic filter's clause: none of these locks may be closed at the moment of writing."""
    guards = {f"{scope.path}.locked": {"$ne": True} for scope in scopes}
    guards |= {f"{s.path}.submitted": {"$ne": True} for s in scopes if s.book is not None}
    return guards


POLICIES: dict[str, Policy] = {"students": StudentPolicy()}
DEFAULT = Policy()


def policy_for(resource: str) -> Policy:
    return POLICIES.get(resource, DEFAULT)
