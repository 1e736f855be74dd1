"""The school's books of a term, and the board's lock of a whole term or year (Art. 10.4).

A term can be locked for the school once every book of it is approved (a year: every book of
both terms and of the year view); until then the board sees the books that block it. Locking
writes the school's lock into every pupil record of the year and moves the books from
«Ban giám hiệu đã duyệt» to «Đã khóa» (stored officially); unlocking, with a reason, moves
them back. Both are logged: a step on each book and a stamped write of each record.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.clock import utcnow
from app.errors import Conflict, Forbidden, InvalidInput
from app.records.paths import LockScope
from app.scorebook.books import BookKey
from app.scorebook.columns import BookTerm
from app.scorebook.names import class_list_key
from app.store import Access, system_writer
from app.store.directory import class_subjects
from models.common import WriteSource
from models.role import Action
from models.student_parts import TERM_LABELS
from models.workflow import Gradebook, Stage, Step, StepKind

from .books import BookStatus, new_gradebook
from .chain import PARALLEL_WRITES

DONE = (Stage.APPROVED, Stage.LOCKED)
NO_RIGHT = "Bạn không có quyền khóa hoặc mở khóa sổ toàn trường"
TERMS_OF: dict[str, tuple[BookTerm, ...]] = {
    "hk1": ("hk1",),
    "hk2": ("hk2",),
    "year": ("hk1", "hk2", "year"),
}


def _order(status: BookStatus) -> tuple[object, ...]:
    key = status.key
    return (key.term, class_list_key(key.class_name), key.kind == "homeroom", key.subject or "")


async def school_books(
    access: Access,
    school_year: str,
    terms: tuple[str, ...],
) -> list[BookStatus]:
    """Every book of the year in ``terms``: one per class × subject its pupils take and one
    homeroom book per class, each with its stage (a book no step was taken on is being
    entered). Documents the reader may not view are shown by stage only. A page showing
    several terms asks for them at once (``lock_state`` sorts them out)."""
    stored = {
        (d.stored["class_name"], d.stored["kind"], d.stored.get("subject"), d.stored["term"]): d
        for d in await access.handle("gradebooks").find(
            {"school_year": school_year, "term": {"$in": list(terms)}}
        )
    }
    found: list[BookStatus] = []
    for class_name, codes in (await class_subjects(school_year)).items():
        books = [("subject", s) for s in sorted(codes)] + [("homeroom", None)]
        for term in terms:
            for kind, subject in books:
                key = BookKey(kind, school_year, class_name, term, subject)  # type: ignore[arg-type]
                doc = stored.get((class_name, kind, subject, term))
                model = Gradebook.model_validate(doc.stored) if doc is not None else None
                stage = model.stage if model is not None else Stage.ENTERING
                found.append(BookStatus(key, stage, model))
    return sorted(found, key=_order)


@dataclass
class SchoolLock:
    school_year: str
    period: str  # hk1 | hk2 | year
    locked: bool
    books: list[BookStatus]

    @property
    def label(self) -> str:
        return TERM_LABELS[self.period]

    @property
    def blockers(self) -> list[BookStatus]:
        return [b for b in self.books if b.stage not in DONE]


async def school_lock(access: Access, school_year: str, period: str) -> SchoolLock:
    books = await school_books(access, school_year, _terms_of(period))
    return lock_state(school_year, period, books)


def lock_state(school_year: str, period: str, books: Sequence[BookStatus]) -> SchoolLock:
    """The school's lock of ``period`` as ``books`` (the year's books of any terms, in
    ``school_books``' order) say: those of the period's terms are its books."""
    terms = _terms_of(period)
    mine = [b for b in books if b.key.term in terms]
    relevant = [b for b in mine if b.key.term == period]
    locked = bool(relevant) and all(b.stage is Stage.LOCKED for b in relevant)
    return SchoolLock(school_year, period, locked, mine)


def _terms_of(period: str) -> tuple[BookTerm, ...]:
    if period not in TERMS_OF:
        raise InvalidInput("Học kỳ không hợp lệ", field="period")
    return TERMS_OF[period]


def _require(access: Access, action: Action, books: list[BookStatus]) -> None:
    if not access.can("gradebooks", action):
        raise Forbidden(NO_RIGHT)
    scope = access.scope("gradebooks", action)
    if any(b.doc is not None and not scope.matches(b.doc) for b in books):
        raise Forbidden(NO_RIGHT)


async def _pupil_ids(access: Access, school_year: str) -> list[str]:
    found = await access.students().find(
        {f"years.{school_year}.class_name": {"$exists": True}}, only=["version"]
    )
    return [str(f.id) for f in found]


async def _write_school_lock(
    access: Access, school_year: str, period: str, values: Mapping[str, object], reason: str
) -> None:
    """The school's lock of ``period`` into every pupil record of the year, each record
    atomically, several at a time."""
    path = LockScope(school_year, period).path
    writer = system_writer("students", access.actor(), source=WriteSource.SYSTEM, reason=reason)
    changes = {f"{path}.{k}": v for k, v in values.items()}
    slots = asyncio.Semaphore(PARALLEL_WRITES)

    async def one(record_id: str) -> None:
        async with slots:
            await writer.update_stored(record_id, changes, allow_lock_paths=True)

    await asyncio.gather(*(one(r) for r in await _pupil_ids(access, school_year)))


async def _stage_all(
    access: Access, books: list[BookStatus], stage: Stage, kind: StepKind, comment: str
) -> None:
    actor = access.actor()
    action = Action.LOCK if kind is StepKind.LOCK else Action.UNLOCK
    writer = access.writer("gradebooks", action, source=WriteSource.ADMIN, reason=comment)
    creator = system_writer(
        "gradebooks", actor, source=WriteSource.SYSTEM, reason="Mở sổ để nộp và duyệt"
    )
    for status in books:
        doc = status.doc
        if doc is None:
            doc = await creator.insert(await new_gradebook(status.key))
        step = Step(
            kind=kind, actor_id=actor.id, actor_name=actor.name, at=utcnow(), comment=comment
        )
        await writer.update(
            doc.id,  # type: ignore[arg-type]
            {"stage": stage.value, f"steps.{len(doc.steps)}": step.model_dump(mode="python")},
            expected_version=doc.version,
        )


async def lock_school(
    access: Access, school_year: str, period: str, comment: str | None
) -> SchoolLock:
    """Lock ``period`` for the whole school once every book of it is approved."""
    state = await school_lock(access, school_year, period)
    _require(access, Action.LOCK, state.books)
    if state.locked:
        raise Conflict(f"{state.label} năm học {school_year} đã khóa toàn trường")
    if state.blockers:
        raise Conflict(f"Chưa thể khóa: còn {len(state.blockers)} sổ chưa được Ban giám hiệu duyệt")
    if not state.books:
        raise Conflict("Năm học này chưa có sổ nào để khóa")
    actor = access.actor()
    reason = (comment or "").strip() or f"Khóa sổ {state.label.lower()} toàn trường"
    lock = {"locked": True, "by": actor.name, "at": utcnow()}
    await _write_school_lock(access, school_year, period, lock, reason)
    relevant = [b for b in state.books if b.key.term == period and b.stage is not Stage.LOCKED]
    await _stage_all(access, relevant, Stage.LOCKED, StepKind.LOCK, reason)
    return await school_lock(access, school_year, period)


async def unlock_school(access: Access, school_year: str, period: str, reason: str) -> SchoolLock:
    """Open the school's lock of ``period`` again (the board, with a reason): its books go
    back to «Ban giám hiệu đã duyệt», each still locked on its own."""
    why = (reason or "").strip()
    if not why:
        raise InvalidInput("Cần ghi lý do mở khóa", field="reason")
    state = await school_lock(access, school_year, period)
    _require(access, Action.UNLOCK, state.books)
    opened = {"locked": False, "by": None, "at": None}
    await _write_school_lock(access, school_year, period, opened, f"Mở khóa toàn trường: {why}")
    relevant = [b for b in state.books if b.key.term == period and b.stage is Stage.LOCKED]
    await _stage_all(access, relevant, Stage.APPROVED, StepKind.UNLOCK, why)
    return await school_lock(access, school_year, period)
