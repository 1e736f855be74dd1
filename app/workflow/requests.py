"""Correction requests after a lock (phiếu đề nghị điều chỉnh, Art. 7.2), complaints from staff
and mistakes parents report: one queue.

A teacher proposes new values for cells of a locked book, with a reason and evidence; the
subject group checks (the board for the homeroom book and for requests outside any subject);
the board approves or refuses with a reason. On approval exactly the listed cells are written,
through their locks, each only if it still holds the value the request saw, in one atomic write
of the pupil's record stamped with the request (the change log links back to it).

Rights are role rules on resource "corrections": submit (propose), check, approve (approve or
refuse), with row filters (the proposer's own requests, the group's subjects, everything).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from app.clock import utcnow
from app.context import Actor
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.records.approved import is_closed
from app.scorebook.books import BookKey, load_book
from app.scorebook.columns import parse_cell, raw_value, subject_of
from app.store import Access, system_writer
from app.store.directory import subject_group
from app.store.writes import StaleValue
from models.common import WriteSource
from models.role import ACTION_LABELS, Action
from models.workflow import (
    REQUEST_STATUS_LABELS,
    CellChange,
    CorrectionRequest,
    RequestKind,
    RequestStatus,
    Step,
    StepKind,
)

from .books import book_lock, gradebook

NOT_FOUND = "Không tìm thấy phiếu này hoặc phiếu không thuộc phạm vi của bạn"
NOT_LOCKED = "Ô «{cell}» chưa khóa sổ: hãy sửa trực tiếp trên sổ điểm"
NOTHING = "Hãy chọn ít nhất một ô và ghi giá trị mới khác giá trị cũ"
REASON_NEEDED = "Cần ghi lý do đề nghị điều chỉnh"
REFUSAL_NEEDED = "Cần ghi lý do từ chối"
STALE = (
    "Ô «{cell}» đã thay đổi sau khi lập phiếu (nay là «{now}»): phiếu không được áp dụng. "
    "Hãy từ chối phiếu này và lập phiếu mới nếu vẫn cần sửa."
)


@dataclass(frozen=True)
class Proposal:
    """One cell of a book and the value the teacher proposes (as typed)."""

    column: str
    text: str


def _step(actor: Actor, kind: StepKind, comment: str | None = None) -> Step:
    return Step(kind=kind, actor_id=actor.id, actor_name=actor.name, at=utcnow(), comment=comment)


def _text(value: str | None, limit: int = 2000) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise InvalidInput(f"Nội dung quá dài (tối đa {limit} ký tự)")
    return text or None


async def file_request(
    *,
    kind: RequestKind,
    school_year: str,
    class_name: str,
    student_id: str,
    student_name: str,
    reason: str,
    requested_by: str,
    requested_by_name: str,
    actor: Actor,
    cells: Sequence[CellChange] = (),
    subject: str | None = None,
    term: str | None = None,
    evidence: str | None = None,
) -> CorrectionRequest:
    """Put a request in the queue (the service other parts file through, e.g. parents'
    reports): checked by the subject's group when it names a subject, else by the board."""
    why = _text(reason)
    if why is None:
        raise InvalidInput(REASON_NEEDED, field="reason")
    request = CorrectionRequest(
        kind=kind,
        school_year=school_year,
        class_name=class_name,
        subject=subject,
        term=term,  # type: ignore[arg-type]
        subject_group=await subject_group(subject) if subject else None,
        student_id=student_id,
        student_name=student_name,
        cells=list(cells),
        reason=why,
        evidence=_text(evidence),
        requested_by=requested_by,
        requested_by_name=requested_by_name,
        steps=[_step(actor, StepKind.SUBMIT, why)],
    )
    writer = system_writer(
        "corrections", actor, source=WriteSource.ADMIN, reason="Gửi phiếu đề nghị điều chỉnh"
    )
    return await writer.insert(request)


def _same(new: Any, old: Any) -> bool:
    """Whether a proposed cell holds what the book holds: 9 is 9,0 (scores compare as
    numbers), a blank is None."""
    typed, held = ("" if v is None else str(v) for v in (new, old))
    try:
        return Decimal(typed) == Decimal(held)
    except InvalidOperation:
        return typed == held


async def propose(
    access: Access,
    key: BookKey,
    student_id: str,
    proposals: Sequence[Proposal],
    reason: str,
    evidence: str | None,
) -> CorrectionRequest:
    """A teacher's request to change cells of a locked book for one pupil."""
    if not access.can("corrections", Action.SUBMIT):
        raise Forbidden("Bạn không có quyền gửi phiếu đề nghị điều chỉnh")
    book = await load_book(access, key)
    # From the book's own teacher (whoever may hand the book in).
    owner = await gradebook(key)
    if not access.scope("gradebooks", Action.SUBMIT).matches(owner):
        raise NotFound("Chỉ giáo viên phụ trách sổ này mới lập phiếu điều chỉnh cho sổ")
    row = next((r for r in book.rows if r.id == student_id), None)
    if row is None:
        raise NotFound("Học sinh này không có trong sổ")
    columns = {c.key: c for c in book.columns}
    pupil = next(f for f in book.pupils if str(f.id) == student_id)
    changes: list[CellChange] = []
    for proposal in proposals:
        column = columns.get(proposal.column)
        if column is None or not column.editable:
            raise InvalidInput("Ô này không sửa được qua phiếu điều chỉnh", field=proposal.column)
        cell = row.cells[column.key]
        if not is_closed(pupil.stored, book_lock(key)):
            raise InvalidInput(NOT_LOCKED.format(cell=column.label), field=column.key)
        parsed = parse_cell(column, proposal.text, key.school_year, book.subject)
        if parsed.error is not None:
            raise InvalidInput(f"«{column.label}»: {parsed.error}", field=column.key)
        new = raw_value(parsed.value)
        if _same(new, cell.raw):
            continue
        path = column.full_path(key.school_year)
        if not pupil.rules.allows(path):
            raise Forbidden("Bạn không được xem ô này", field=column.key)
        changes.append(CellChange(path=path, title=column.title, old=cell.raw, new=new))
    if not changes:
        raise InvalidInput(NOTHING, field="cells")
    user = access.user
    actor = access.actor()
    return await file_request(
        kind=RequestKind.CORRECTION,
        school_year=key.school_year,
        class_name=key.class_name,
        student_id=student_id,
        student_name=row.name,
        reason=reason,
        requested_by=user.username if user is not None else actor.id,
        requested_by_name=actor.name,
        actor=actor,
        cells=changes,
        subject=key.subject,
        term=key.term,
        evidence=evidence,
    )


async def get_request(
    access: Access, request_id: str, action: Action = Action.VIEW
) -> CorrectionRequest:
    """A request the reader may act on (404 outside their rows, 403 without the action)."""
    if not access.can("corrections", action):
        if action is Action.VIEW:
            raise NotFound(NOT_FOUND)
        raise Forbidden(f"Bạn không có quyền «{ACTION_LABELS[action]}» phiếu điều chỉnh")
    found = await access.handle("corrections", action).get_or_404(request_id, NOT_FOUND)
    return CorrectionRequest.model_validate(found.stored)


async def _record(
    access: Access,
    action: Action,
    request: CorrectionRequest,
    changes: Mapping[str, Any],
    step: Step,
) -> CorrectionRequest:
    writer = access.writer("corrections", action, source=WriteSource.ADMIN, reason=step.comment)
    saved = await writer.update(
        request.id,  # type: ignore[arg-type]
        {**changes, f"steps.{len(request.steps)}": step.model_dump(mode="python")},
        expected_version=request.version,
    )
    assert isinstance(saved, CorrectionRequest)
    return saved


def _needs(request: CorrectionRequest, *statuses: RequestStatus) -> None:
    if request.status not in statuses:
        raise Conflict(
            f"Phiếu đang ở trạng thái «{REQUEST_STATUS_LABELS[request.status]}», "
            "không thực hiện được bước này"
        )


async def check_request(access: Access, request_id: str, comment: str | None) -> CorrectionRequest:
    """The subject group (or the board) has checked the request: it goes to the board."""
    request = await get_request(access, request_id, Action.CHECK)
    _needs(request, RequestStatus.SUBMITTED)
    step = _step(access.actor(), StepKind.CHECK, _text(comment))
    return await _record(
        access, Action.CHECK, request, {"status": RequestStatus.CHECKED.value}, step
    )


async def refuse_request(access: Access, request_id: str, reason: str) -> CorrectionRequest:
    """The board (or, at its check, the subject group) refuses, with a reason; nothing of the
    record changes."""
    why = _text(reason)
    if why is None:
        raise InvalidInput(REFUSAL_NEEDED, field="reason")
    request = await get_request(access, request_id, Action.VIEW)
    action = Action.APPROVE if access.can("corrections", Action.APPROVE) else Action.CHECK
    request = await get_request(access, request_id, action)
    _needs(request, RequestStatus.SUBMITTED, RequestStatus.CHECKED)
    step = _step(access.actor(), StepKind.REFUSE, why)
    changes = {"status": RequestStatus.REFUSED.value, "decision": why}
    return await _record(access, action, request, changes, step)


def _plain(value: Any) -> Any:
    return value.to_decimal() if hasattr(value, "to_decimal") else value


async def approve_request(
    access: Access, request_id: str, comment: str | None
) -> CorrectionRequest:
    """The board approves: the cells are applied through their locks, all or none, each only
    if it still holds the value the request saw. A correction needs the group's check first;
    a complaint or a parent's report may be decided directly."""
    request = await get_request(access, request_id, Action.APPROVE)
    if request.kind is RequestKind.CORRECTION:
        _needs(request, RequestStatus.CHECKED)
    else:
        _needs(request, RequestStatus.SUBMITTED, RequestStatus.CHECKED)
    actor = access.actor()
    said = _text(comment)
    if request.cells:
        paths = [c.path for c in request.cells]
        writer = system_writer(
            "students",
            actor,
            source=WriteSource.CORRECTION,
            reason=f"Điều chỉnh theo phiếu đã duyệt: {request.reason}",
            correction=str(request.id),
        )
        try:
            await writer.update_stored(
                request.student_id,
                {c.path: _plain(c.new) for c in request.cells},
                seen={c.path: _plain(c.old) for c in request.cells},
                lift_locks=paths,
            )
        except StaleValue as exc:
            path = exc.field or paths[0]
            cell = next((c for c in request.cells if c.path == path), request.cells[0])
            now = raw_value(exc.current.get(path))
            raise Conflict(
                STALE.format(cell=cell.title or path, now=now if now is not None else "trống")
            ) from exc
    steps = [_step(actor, StepKind.APPROVE, said)]
    if request.cells:
        steps.append(_step(actor, StepKind.APPLY, f"Đã sửa {len(request.cells)} ô"))
    writer = access.writer(
        "corrections", Action.APPROVE, source=WriteSource.ADMIN, reason="Duyệt phiếu điều chỉnh"
    )
    changes: dict[str, Any] = {"status": RequestStatus.APPLIED.value, "decision": said}
    for offset, step in enumerate(steps):
        changes[f"steps.{len(request.steps) + offset}"] = step.model_dump(mode="python")
    saved = await writer.update(request.id, changes, expected_version=request.version)  # type: ignore[arg-type]
    assert isinstance(saved, CorrectionRequest)
    return saved


async def file_complaint(
    access: Access,
    pupil_code: str,
    subject: str | None,
    term: str | None,
    reason: str,
    evidence: str | None,
) -> CorrectionRequest:
    """A staff member's complaint about a pupil's data (no cells proposed): into the queue
    for the subject's group, or the board when it names no subject."""
    if not access.can("corrections", Action.SUBMIT):
        raise Forbidden("Bạn không có quyền gửi khiếu nại")
    code = (pupil_code or "").strip()
    if subject and subject_of(subject) is None:
        raise InvalidInput("Môn học không hợp lệ", field="subject")
    if term and term not in ("hk1", "hk2", "year"):
        raise InvalidInput("Học kỳ không hợp lệ", field="term")
    found = (
        await access.students().find({"code": code}, only=["code", "profile.full_name", "current"])
        if code
        else []
    )
    if not found:
        raise InvalidInput("Không tìm thấy học sinh có mã này trong phạm vi của bạn", field="code")
    pupil = found[0].stored
    current = pupil.get("current") or {}
    if not current.get("school_year"):
        raise InvalidInput("Học sinh này không còn xếp lớp trong năm học nào", field="code")
    user = access.user
    actor = access.actor()
    return await file_request(
        kind=RequestKind.COMPLAINT,
        school_year=current["school_year"],
        class_name=current.get("class_name") or "",
        student_id=str(found[0].id),
        student_name=str((pupil.get("profile") or {}).get("full_name") or code),
        reason=reason,
        requested_by=user.username if user is not None else actor.id,
        requested_by_name=actor.name,
        actor=actor,
        subject=subject or None,
        term=term or None,
        evidence=evidence,
    )
