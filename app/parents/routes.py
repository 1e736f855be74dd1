"""The parents' pages (``/phu-huynh``): a child's approved results, reporting a mistake, and
the answers. Small mobile-first pages of their own, never the staff panel."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.config import PARENT_HOME, config_for
from app.auth.deps import require_access
from app.auth.flash import set_flash
from app.auth.templates import render, render_message
from app.errors import HocBaError, NotFound
from app.exports.files import summary_of
from app.store import Access, previewing
from models.feedback import REPORT_STATUS_LABELS, ReportStatus
from models.role import Action

from .page import PERIODS, ChildPage, PeriodView, child_page, children
from .reports import REPORTS_PER_DAY, list_reports, report_target, submit_report

router = APIRouter(include_in_schema=False)

PARENTS_ONLY = "Trang này dành cho phụ huynh học sinh."
NO_SUMMARY = "Chưa có phiếu báo kết quả của kỳ này: kết quả chưa được duyệt."
# As in the panel: a preview shows, it takes no file (a file is an export of its own).
PREVIEW_NO_FILE = "Đang xem thử như phụ huynh: không tải được phiếu báo."
SENT = "Đã gửi báo sai sót. Giáo viên chủ nhiệm sẽ xem xét và trả lời tại mục «Báo sai sót đã gửi»."


class NotAParent(Exception):
    """A staff account opened a parents' page: answered with a 404 page."""


async def parent_access(request: Request) -> Access:
    """The signed-in parent's access; any other account gets a 404. An IT user previewing a
    parent's account sees that parent's pages, read-only, under a banner."""
    session = getattr(request.state, "session", None)
    access = await previewing(require_access(request), getattr(session, "preview_user_id", None))
    shown = access.principal.user  # the parent, also while previewed
    if shown is None or not shown.is_parent:
        raise NotAParent
    request.state.preview_of = access.preview_of
    return access


async def _not_a_parent(request: Request, exc: Exception) -> Response:
    return render_message(request, title="Không tìm thấy", message=PARENTS_ONLY, status_code=404)


def install_parent_pages(app: FastAPI) -> None:
    app.include_router(router)
    app.add_exception_handler(NotAParent, _not_a_parent)


ParentAccess = Annotated[Access, Depends(parent_access)]


def _not_found(request: Request, error: HocBaError) -> Response:
    return render_message(
        request, title="Không tìm thấy", message=error.message, status_code=error.status_code
    )


def child_path(student_id: str, **query: str) -> str:
    tail = f"?{urlencode(query)}" if query else ""
    return f"{PARENT_HOME}/con/{student_id}{tail}"


def _default_period(page: ChildPage, year_key: str | None) -> str:
    year = page.year(year_key)
    if year is None:
        return PERIODS[0]
    shown = [p.key for p in year.periods if p.any_approved]
    return shown[-1] if shown else PERIODS[0]


@router.get(PARENT_HOME)
async def home(request: Request, access: ParentAccess) -> Response:
    pupils = await children(access)
    if len(pupils) == 1:
        return RedirectResponse(child_path(pupils[0].id), status_code=303)
    return render(request, "parents/home.html", {"pupils": pupils})


@router.get(PARENT_HOME + "/con/{student_id}")
async def child(
    request: Request,
    access: ParentAccess,
    student_id: str,
    nam: str | None = None,
    ky: str | None = None,
) -> Response:
    try:
        page = await child_page(access, student_id)
    except NotFound as exc:
        return _not_found(request, exc)
    pupils = await children(access)
    year = page.year(nam)
    period_key = ky if ky in PERIODS else _default_period(page, year.key if year else None)
    period: PeriodView | None = (
        next(p for p in year.periods if p.key == period_key) if year is not None else None
    )
    context = {
        "page": page,
        "pupils": pupils,
        "year": year,
        "period": period,
        "child_path": child_path,
        "report_path": report_path,
    }
    return render(request, "parents/child.html", context)


@router.get(PARENT_HOME + "/con/{student_id}/phieu-bao.pdf")
async def summary_pdf(
    request: Request, access: ParentAccess, student_id: str, nam: str, ky: str
) -> Response:
    """The exported summary (phiếu báo kết quả học tập) of one period, approved results only,
    through the parent's own scope; journalled like every export."""
    if access.read_only:
        return render_message(
            request, title="Không tải được", message=PREVIEW_NO_FILE, status_code=403
        )
    try:
        page = await child_page(access, student_id)
        year = page.year(nam)
        period = next((p for p in year.periods if p.key == ky), None) if year else None
        if year is None or year.key != nam or period is None or not period.any_approved:
            raise NotFound(NO_SUMMARY)
        found = await access.students(Action.VIEW).get_or_404(student_id, NO_SUMMARY)
        export = await summary_of(
            access, found, school_year=nam, period=ky, school=request.app.state.settings.school_name
        )
    except NotFound as exc:
        return _not_found(request, exc)
    return Response(export.data, media_type=export.media_type, headers=export.headers)


def report_path(student_id: str, item_path: str) -> str:
    return f"{PARENT_HOME}/con/{student_id}/bao-sai-sot?{urlencode({'muc': item_path})}"


@router.get(PARENT_HOME + "/con/{student_id}/bao-sai-sot")
async def report_form(
    request: Request, access: ParentAccess, student_id: str, muc: str = ""
) -> Response:
    try:
        page, item = await report_target(access, student_id, muc)
    except NotFound as exc:
        return _not_found(request, exc)
    except HocBaError as exc:
        return render_message(
            request, title="Không báo sai sót được", message=exc.message, status_code=422
        )
    context = {"page": page, "item": item, "message": "", "error": None, "limit": REPORTS_PER_DAY}
    return render(request, "parents/report_form.html", context)


@router.post(PARENT_HOME + "/con/{student_id}/bao-sai-sot")
async def send_report(request: Request, access: ParentAccess, student_id: str) -> Response:
    form = await request.form()
    path, message = str(form.get("muc") or ""), str(form.get("message") or "")
    try:
        page, item = await report_target(access, student_id, path)
    except NotFound as exc:
        return _not_found(request, exc)
    except HocBaError as exc:
        return render_message(
            request, title="Không báo sai sót được", message=exc.message, status_code=422
        )
    try:
        await submit_report(access, student_id, path, message)
    except HocBaError as exc:
        # The parent's words are kept: they fix them or send them later.
        context = {
            "page": page,
            "item": item,
            "message": message,
            "error": exc.message,
            "limit": REPORTS_PER_DAY,
        }
        return render(request, "parents/report_form.html", context, status_code=exc.status_code)
    response = RedirectResponse(PARENT_HOME + "/bao-sai-sot", status_code=303)
    set_flash(response, [{"message": SENT, "category": "success"}], config_for(request))
    return response


@router.get(PARENT_HOME + "/bao-sai-sot")
async def my_reports(request: Request, access: ParentAccess, trang: str = "1") -> Response:
    found = await list_reports(access, page=int(trang) if trang.isdigit() else 1)
    context = {
        "found": found,
        "labels": REPORT_STATUS_LABELS,
        "answered": {ReportStatus.ANSWERED, ReportStatus.CORRECTION},
        "child_path": child_path,
    }
    return render(request, "parents/reports.html", context)
