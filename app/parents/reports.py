"""«Báo sai sót»: a parent reports a mistake on one item of a child's page; the homeroom
teacher of the child's class answers it. Both sides read and write through their own access,
so the roles' data decide who sees which report (a parent their own, a homeroom teacher their
classes')."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from app.clock import utcnow
from app.context import Actor
from app.errors import Forbidden, InvalidInput, TooMany
from app.store import Access, system_writer
from app.workflow import inbox
from app.workflow.requests import file_request
from models.common import WriteSource
from models.feedback import (
    ANSWER_MAX,
    MESSAGE_MAX,
    OPEN_STATUSES,
    ParentReport,
    ReportStatus,
)
from models.role import Action
from models.student_parts import TERMS
from models.workflow import CellChange, RequestKind

from .page import ChildPage, Item, child_page

log = logging.getLogger(__name__)

RESOURCE = "parent_reports"
REPORTS_PER_DAY = 5
PAGE_SIZE = 20
LIMIT_REACHED = (
    "Mỗi tài khoản gửi được tối đa {n} báo sai sót trong 24 giờ để nhà trường kịp xem xét. "
    "Bạn đã gửi đủ {n}; vui lòng gửi tiếp sau."
)
NO_ITEM = "Mục này không có trên trang hoặc chưa được duyệt nên chưa báo sai sót được"
EMPTY_MESSAGE = "Hãy ghi rõ sai sót: giá trị đúng theo bạn là gì, vì sao"
LONG_MESSAGE = f"Nội dung dài quá {MESSAGE_MAX} ký tự; hãy viết ngắn gọn hơn"
EMPTY_ANSWER = "Hãy ghi câu trả lời cho phụ huynh"
LONG_ANSWER = f"Câu trả lời dài quá {ANSWER_MAX} ký tự"
REPORT_NOT_FOUND = "Không tìm thấy báo sai sót này"
PREVIEW_SENDS_NOTHING = "Đang xem thử như phụ huynh: chế độ chỉ đọc, báo sai sót không được gửi đi"
BAD_STATUS = "Trạng thái không hợp lệ"


@dataclass(frozen=True)
class ReportPage:
    reports: list[ParentReport]
    total: int
    page: int
    pages: int


def _text(value: str, *, empty: str, too_long: str, limit: int, field: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput(empty, field=field)
    if len(text) > limit:
        raise InvalidInput(too_long, field=field)
    return text


async def report_target(access: Access, student_id: str, path: str) -> tuple[ChildPage, Item]:
    """The child's page and the approved item a report would be about (NotFound outside the
    parent's children; InvalidInput for an item not shown)."""
    page = await child_page(access, student_id)
    item = page.items().get(path)
    if item is None or not item.approved:
        raise InvalidInput(NO_ITEM, field="path")
    return page, item


async def submit_report(access: Access, student_id: str, path: str, message: str) -> ParentReport:
    """Store a parent's report on one item of one child, within the daily limit."""
    if access.read_only:
        raise Forbidden(PREVIEW_SENDS_NOTHING)
    page, item = await report_target(access, student_id, path)
    text = _text(
        message, empty=EMPTY_MESSAGE, too_long=LONG_MESSAGE, limit=MESSAGE_MAX, field="message"
    )
    now = utcnow()
    reports = access.handle(RESOURCE, Action.VIEW)
    sent = await reports.count({"created_at": {"$gte": now - timedelta(days=1)}})
    if sent >= REPORTS_PER_DAY:
        raise TooMany(LIMIT_REACHED.format(n=REPORTS_PER_DAY))
    user = access.user
    assert user is not None  # a report is always someone's (the writer's scope says whose)
    pupil = page.pupil
    school_year, class_name = pupil.school_year, pupil.class_name
    if not school_year:  # no current class (left the school): the item's year and class
        year = page.year(path.split(".")[1])
        school_year, class_name = (year.key, year.class_name) if year else ("", "")
    report = ParentReport(
        student_id=pupil.id,
        student_name=pupil.name,
        school_year=school_year,
        class_name=class_name,
        path=item.path,
        item_label=item.label,
        value_shown=item.value[:500],
        message=text,
        account_id=str(user.id),
        account_name=user.full_name,
        created_at=now,
    )
    writer = access.writer(RESOURCE, Action.CREATE, source=WriteSource.PARENT, reason="Báo sai sót")
    await writer.insert(
        report,
        set_by_app=(
            "student_id",
            "student_name",
            "school_year",
            "class_name",
            "account_id",
            "account_name",
            "created_at",
        ),
    )
    log.info("parent report %s by %s on pupil %s at %s", report.id, user.username, pupil.id, path)
    return await _queue(report, Actor(id=str(user.id), name=user.full_name, role="phuhuynh"))


async def _queue(report: ParentReport, parent: Actor) -> ParentReport:
    """File the report in the approval chain's correction queue too (Art. 6.4: the board
    triages every complaint in one place), and remember the request on the report."""
    parts = report.path.split(".")
    subject = parts[3] if len(parts) > 4 and parts[2] == "subjects" else None
    term = next((p for p in parts[2:6] if p in (*TERMS, "year")), None)
    request = await file_request(
        kind=RequestKind.PARENT_REPORT,
        school_year=report.school_year,
        class_name=report.class_name,
        student_id=report.student_id,
        student_name=report.student_name,
        reason=report.message,
        requested_by=report.account_id,
        requested_by_name=report.account_name,
        actor=parent,
        cells=[CellChange(path=report.path, title=report.item_label, old=report.value_shown)],
        subject=subject,
        term=term,
    )
    writer = system_writer(
        RESOURCE, parent, source=WriteSource.PARENT, reason="Báo sai sót vào hàng chờ điều chỉnh"
    )
    assert report.id is not None  # inserted just before
    queued: ParentReport = await writer.update(report.id, {"request_id": str(request.id)})
    return queued


async def list_reports(
    access: Access, *, status: str | None = None, student_id: str | None = None, page: int = 1
) -> ReportPage:
    """Reports this user may read, newest first: a parent's own, a homeroom teacher's
    classes'. ``status`` limits to one status, or "open" to those still waiting."""
    query: dict[str, Any] = {}
    if status == "open":
        query["status"] = {"$in": [s.value for s in OPEN_STATUSES]}
    elif status:
        if status not in {s.value for s in ReportStatus}:
            raise InvalidInput(BAD_STATUS, field="status")
        query["status"] = status
    if student_id:
        query["student_id"] = student_id
    handle = access.handle(RESOURCE, Action.VIEW)
    total = await handle.count(query)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    found = await handle.find(
        query, sort=[("created_at", -1)], skip=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    return ReportPage([ParentReport.model_validate(f.visible) for f in found], total, page, pages)


async def open_report_count(access: Access) -> int:
    """How many reports this user may read are still waiting for the school (an inbox's
    count): a homeroom teacher's to answer, a parent's not answered yet."""
    handle = access.handle(RESOURCE, Action.VIEW)
    return await handle.count({"status": {"$in": [s.value for s in OPEN_STATUSES]}})


@inbox.register("parent_reports", "Phụ huynh báo sai sót chờ trả lời")
async def reports_to_answer(access: Access) -> list[inbox.Item]:
    """Reports the user may answer (a homeroom teacher's classes') that wait for an answer."""
    handle = access.handle(RESOURCE, Action.EDIT)
    found = await handle.find(
        {"status": {"$in": [s.value for s in OPEN_STATUSES]}},
        sort=[("created_at", 1)],
        limit=inbox.MAX_ITEMS,
    )
    items = []
    for each in found:
        report = ParentReport.model_validate(each.visible)
        title = f"{report.student_name} ({report.class_name}): {report.item_label}"
        items.append(inbox.Item("parent_reports", title, report.message, report_id=str(report.id)))
    return items


async def answer_report(
    access: Access,
    report_id: str,
    *,
    status: str,
    answer: str,
    expected_version: int | None = None,
) -> ParentReport:
    """The homeroom teacher's answer and the report's new status (their edit scope decides
    which reports they may answer)."""
    await access.handle(RESOURCE, Action.EDIT).get_or_404(report_id, REPORT_NOT_FOUND)
    try:
        new_status = ReportStatus(status)
    except ValueError as exc:
        raise InvalidInput(BAD_STATUS, field="status") from exc
    changes: dict[str, Any] = {"status": new_status}
    follow: dict[str, Any] = {}
    if new_status is not ReportStatus.NEW or answer.strip():
        text = _text(
            answer, empty=EMPTY_ANSWER, too_long=LONG_ANSWER, limit=ANSWER_MAX, field="answer"
        )
        changes["answer"] = text
        user = access.user
        follow = {"answered_by": user.full_name if user else "", "answered_at": utcnow()}
    writer = access.writer(
        RESOURCE, Action.EDIT, source=WriteSource.ADMIN, reason="Trả lời phụ huynh báo sai sót"
    )
    updated: ParentReport = await writer.update(
        report_id, changes, expected_version=expected_version, follow=follow or None
    )
    log.info("parent report %s answered (%s)", report_id, new_status.value)
    return updated


async def get_report(access: Access, report_id: str) -> ParentReport:
    found = await access.handle(RESOURCE, Action.VIEW).get_or_404(report_id, REPORT_NOT_FOUND)
    return ParentReport.model_validate(found.visible)


__all__ = [
    "REPORTS_PER_DAY",
    "ReportPage",
    "answer_report",
    "get_report",
    "list_reports",
    "open_report_count",
    "report_target",
    "submit_report",
]
