"""The steps of one book: submit, check or return, approve (which locks the book in every
pupil record), and unlock.

Who may take a step is the reader's role rules on resource "gradebooks" (one action per step:
submit, check, approve, unlock). Each step is one stamped write of the book's document (stage,
the step with actor, time and comment), and the pupil records carry the book's lock: on submit
the lock's ``submitted`` flag closes the book to entry until it is returned, on approval the
lock itself closes it for good. The board approves exactly the records it loaded: each record is
locked only at the version the board saw, so a change that slipped in is never approved unseen.

Homeroom books are checked by the board (the subject groups check subject books; there is no
group for conduct and absences), then approved by the board like any book.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.clock import utcnow
from app.errors import Conflict, HocBaError, InvalidInput
from app.scorebook.books import Book, BookKey, Row, load_book
from app.scorebook.progress import missing_cells
from app.store import Access, system_writer
from models.common import WriteSource
from models.role import Action
from models.workflow import STEP_LABELS, Gradebook, Note, Stage, Step, StepKind

from .books import book_lock, book_name, gradebook, granted, require, stage_label

REASON_NEEDED = "Cần ghi lý do cho mỗi học sinh còn thiếu điểm: {names}"
COMMENT_NEEDED = "Cần ghi nhận xét khi trả lại sổ (chung, hoặc cho từng học sinh)"
UNLOCK_REASON = "Cần ghi lý do mở khóa"
CHANGED = (
    "Dữ liệu của {count} học sinh đã thay đổi sau khi bạn mở sổ ({names}); sổ chưa được duyệt. "
    "Hãy tải lại trang, xem lại rồi duyệt."
)
MAX_COMMENT = 2000
PARALLEL_WRITES = 8  # records written at a time when a book's lock changes


class ChangedSinceLoaded(Conflict):
    """Records of the book changed after the board loaded it: nothing was approved."""

    def __init__(self, names: list[str]) -> None:
        shown = ", ".join(names[:10]) + (
            f" và {len(names) - 10} học sinh khác" if len(names) > 10 else ""
        )
        super().__init__(CHANGED.format(count=len(names), names=shown))
        self.names = names


def wrong_stage(doc: Gradebook, step: StepKind) -> Conflict:
    return Conflict(
        f"Không thể «{STEP_LABELS[step]}»: sổ đang ở trạng thái «{stage_label(doc.stage)}»"
    )


@dataclass
class GapReasons:
    """What a teacher wrote for each pupil still missing cells at submission."""

    by_pupil: dict[str, str] = field(default_factory=dict)  # record id -> reason


def _clean(text: str | None, limit: int = MAX_COMMENT) -> str | None:
    value = (text or "").strip()
    if len(value) > limit:
        raise InvalidInput(f"Nội dung quá dài (tối đa {limit} ký tự)")
    return value or None


def _step(access: Access, kind: StepKind, comment: str | None, notes: list[Note]) -> Step:
    actor = access.actor()
    return Step(
        kind=kind,
        actor_id=actor.id,
        actor_name=actor.name,
        at=utcnow(),
        comment=comment,
        notes=notes,
    )


async def _stored(access: Access, doc: Gradebook) -> Gradebook:
    """The book's document in the database: created (by the app, for the acting user) at its
    first step."""
    if doc.id is not None:
        return doc
    writer = system_writer(
        "gradebooks", access.actor(), source=WriteSource.SYSTEM, reason="Mở sổ để nộp và duyệt"
    )
    try:
        return await writer.insert(doc)
    except Conflict:  # created meanwhile by someone else: theirs
        return await gradebook(_key(doc))


def _key(doc: Gradebook) -> BookKey:
    return BookKey(doc.kind, doc.school_year, doc.class_name, doc.term, doc.subject)


async def _write_step(
    access: Access,
    action: Action,
    doc: Gradebook,
    step: Step,
    changes: Mapping[str, Any],
) -> Gradebook:
    """One step: the stage and what goes with it, and the step appended, as one write checked
    against the book as the step saw it."""
    writer = access.writer(
        "gradebooks", action, source=WriteSource.ADMIN, reason=STEP_LABELS[step.kind]
    )
    all_changes = {
        **changes,
        f"steps.{len(doc.steps)}": step.model_dump(mode="python"),
    }
    saved = await writer.update(doc.id, all_changes, expected_version=doc.version)  # type: ignore[arg-type]
    assert isinstance(saved, Gradebook)
    return saved


async def _set_lock(
    access: Access,
    book: Book,
    values: Mapping[str, Any],
    reason: str,
    expected: Mapping[str, int] | None = None,
) -> tuple[list[Row], list[Row]]:
    """Write the book's lock fields into every pupil record of the book, each record
    atomically (several records at a time); with ``expected`` (record id -> version) a record
    at another version is refused. Returns (the rows written, the rows refused)."""
    scope = book_lock(book.key)
    writer = system_writer("students", access.actor(), source=WriteSource.SYSTEM, reason=reason)
    changes = {f"{scope.path}.{name}": value for name, value in values.items()}
    slots = asyncio.Semaphore(PARALLEL_WRITES)

    async def one(row: Row) -> bool:
        async with slots:
            try:
                await writer.update_stored(
                    row.id,
                    changes,
                    expected_version=expected.get(row.id, -1) if expected is not None else None,
                    allow_lock_paths=True,
                )
            except Conflict:
                if expected is None:
                    raise
                return False
            return True

    done = await asyncio.gather(*(one(row) for row in book.rows))
    written = [row for row, ok in zip(book.rows, done, strict=True) if ok]
    refused = [row for row, ok in zip(book.rows, done, strict=True) if not ok]
    return written, refused


# -- submit --------------------------------------------------------------------------------------
async def submit(
    access: Access, key: BookKey, reasons: GapReasons, comment: str | None = None
) -> Gradebook:
    """The teacher hands the book in: every pupil still missing cells needs a reason; the book
    is closed to entry until it is returned."""
    book = await load_book(access, key)
    doc = await gradebook(key)
    require(access, Action.SUBMIT, doc)
    if doc.stage is not Stage.ENTERING:
        raise wrong_stage(doc, StepKind.SUBMIT)
    gaps: list[Note] = []
    unexplained: list[str] = []
    for row, columns in missing_cells(book):
        text = _clean(reasons.by_pupil.get(row.id), 1000)
        if text is None:
            unexplained.append(row.name)
            continue
        cells = ", ".join(c.label for c in columns)
        gaps.append(Note(student_id=row.id, student_name=row.name, path=cells, text=text))
    if unexplained:
        raise InvalidInput(REASON_NEEDED.format(names=", ".join(unexplained)), field="gaps")
    doc = await _stored(access, doc)
    step = _step(access, StepKind.SUBMIT, _clean(comment), gaps)
    # Who would check it as it stands: if that is the one submitting (a group head's own book),
    # the board checks it instead.
    as_routed = doc.model_copy(update={"checked_by_board": False})
    by_board = granted(access, Action.CHECK, as_routed)
    # The step first: of two submissions at once only one is written (the document's version
    # guards it); then the book closes to entry in every record.
    saved = await _write_step(
        access,
        Action.SUBMIT,
        doc,
        step,
        {
            "stage": Stage.SUBMITTED.value,
            "gaps": [g.model_dump() for g in gaps],
            "returned": [],
            "checked_by_board": by_board,
        },
    )
    await _set_lock(access, book, {"submitted": True}, f"Nộp {book_name(key)}")
    return saved


# -- check or return -----------------------------------------------------------------------------
async def check(access: Access, key: BookKey, comment: str | None = None) -> Gradebook:
    """The checker (the subject's group head; the board for homeroom books) finds the book
    right; the versions it checked are recorded."""
    book = await load_book(access, key)
    doc = await gradebook(key)
    require(access, Action.CHECK, doc)
    if doc.stage is not Stage.SUBMITTED:
        raise wrong_stage(doc, StepKind.CHECK)
    step = _step(access, StepKind.CHECK, _clean(comment), [])
    versions = {row.id: row.version for row in book.rows}
    return await _write_step(
        access,
        Action.CHECK,
        doc,
        step,
        {"stage": Stage.CHECKED.value, "checked_versions": versions},
    )


async def return_book(
    access: Access, key: BookKey, comment: str | None, notes: Mapping[str, str]
) -> Gradebook:
    """Back to the teacher with comments (overall and per pupil): open to entry again. The
    checker returns a submitted book; the board may return a checked one."""
    book = await load_book(access, key)
    doc = await gradebook(key)
    action = Action.CHECK if doc.stage is Stage.SUBMITTED else Action.APPROVE
    require(access, action, doc)
    if doc.stage not in (Stage.SUBMITTED, Stage.CHECKED):
        raise wrong_stage(doc, StepKind.RETURN)
    names = {row.id: row.name for row in book.rows}
    per_pupil = [
        Note(student_id=rid, student_name=names[rid], text=text)
        for rid, raw in notes.items()
        if rid in names and (text := _clean(raw, 1000)) is not None
    ]
    said = _clean(comment)
    if said is None and not per_pupil:
        raise InvalidInput(COMMENT_NEEDED, field="comment")
    step = _step(access, StepKind.RETURN, said, per_pupil)
    saved = await _write_step(
        access,
        action,
        doc,
        step,
        {
            "stage": Stage.ENTERING.value,
            "returned": [n.model_dump() for n in per_pupil],
            "checked_versions": {},
        },
    )
    await _set_lock(access, book, {"submitted": False}, f"Trả lại {book_name(key)}")
    return saved


# -- approve -------------------------------------------------------------------------------------
async def approve(
    access: Access, key: BookKey, seen: Mapping[str, int], comment: str | None = None
) -> Gradebook:
    """The board approves the book exactly as it loaded it (``seen``: record id -> version)
    and the book is locked in every pupil record. A record that changed since (or a pupil the
    board did not see) refuses the approval and nothing stays locked."""
    book = await load_book(access, key)
    doc = await gradebook(key)
    require(access, Action.APPROVE, doc)
    if doc.stage is not Stage.CHECKED:
        raise wrong_stage(doc, StepKind.APPROVE)
    changed = [row.name for row in book.rows if seen.get(row.id) != row.version]
    if changed:
        raise ChangedSinceLoaded(changed)
    at = utcnow()
    lock = {"locked": True, "by": access.actor().name, "at": at, "submitted": False}
    written, refused = await _set_lock(
        access, book, lock, f"Duyệt và khóa {book_name(key)}", expected=seen
    )
    reopen = {"locked": False, "by": None, "at": None, "submitted": True}
    undo_reason = f"Hủy duyệt dở dang {book_name(key)}"
    if refused:
        # Nothing stays approved: what was locked is opened again (still submitted).
        await _set_lock(access, Book(key, book.columns, written, book.subject), reopen, undo_reason)
        raise ChangedSinceLoaded([row.name for row in refused])
    step = _step(access, StepKind.APPROVE, _clean(comment), [])
    try:
        return await _write_step(
            access,
            Action.APPROVE,
            doc,
            step,
            {
                "stage": Stage.APPROVED.value,
                "approved_versions": {row.id: seen[row.id] for row in book.rows},
            },
        )
    except HocBaError:
        # The book changed meanwhile (returned, say): no lock of ours stays, and the book is
        # closed to entry only if it still waits in the chain.
        now = await gradebook(key)
        waiting = now.stage in (Stage.SUBMITTED, Stage.CHECKED)
        await _set_lock(access, book, {**reopen, "submitted": waiting}, undo_reason)
        raise


# -- unlock --------------------------------------------------------------------------------------
async def unlock(access: Access, key: BookKey, reason: str) -> Gradebook:
    """The board opens an approved book again (with a reason): back to entry. A book whose
    term the school has locked opens only after the school's lock."""
    book = await load_book(access, key)
    doc = await gradebook(key)
    require(access, Action.UNLOCK, doc)
    why = _clean(reason)
    if why is None:
        raise InvalidInput(UNLOCK_REASON, field="reason")
    if doc.stage is not Stage.APPROVED:
        if doc.stage is Stage.LOCKED:
            raise Conflict(
                "Học kỳ này đã khóa toàn trường: hãy mở khóa toàn trường trước khi mở một sổ"
            )
        raise wrong_stage(doc, StepKind.UNLOCK)
    step = _step(access, StepKind.UNLOCK, why, [])
    saved = await _write_step(
        access,
        Action.UNLOCK,
        doc,
        step,
        {"stage": Stage.ENTERING.value, "approved_versions": {}, "checked_versions": {}},
    )
    await _set_lock(
        access,
        book,
        {"locked": False, "by": None, "at": None, "submitted": False},
        f"Mở khóa {book_name(key)}: {why}",
    )
    return saved
