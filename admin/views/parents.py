"""Parents' accounts from a pupil's record page, and the parents' reports for the homeroom
teacher. The rules (who may manage which pupil's parents, which reports one may answer) live in
app/parents and the roles' data; these pages only carry the forms."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette_admin.flash import flash
from starlette_admin.routing import route
from starlette_admin.views import CustomView

from app.errors import HocBaError, InvalidInput
from app.parents.accounts import (
    NewAccount,
    Slip,
    create_parent_account,
    link_parent_account,
    new_account,
    reset_parent_password,
    unlink_parent_account,
)
from app.parents.reports import answer_report, list_reports, open_report_count
from models.feedback import REPORT_STATUS_LABELS, ReportStatus
from models.role import Action

from ..access import access_of
from .student_display import RELATION_LABELS

LINKED = "Đã liên kết tài khoản {name} với học sinh này. Phụ huynh dùng tài khoản cũ để xem."
UNLINKED = "Tài khoản {name} không còn theo dõi học sinh này."
ANSWERED = "Đã lưu trả lời cho phụ huynh."
STATUS_FILTERS = [("open", "Chưa xong"), *((s.value, t) for s, t in REPORT_STATUS_LABELS.items())]


def _detail_url(request: Request, student_id: str) -> str:
    return f"{request.url_for('admin:detail', key='students')}?{urlencode({'pk': student_id})}"


class ParentAccountsView(CustomView):
    """Create, link, reset and unlink parents' accounts (forms on the pupil's record page)."""

    menu_label = "Tài khoản phụ huynh"
    path = "/parent-accounts"
    route_name = "parent_accounts"
    add_to_menu = False

    def __init__(self, school_name: str = "") -> None:
        super().__init__()
        self.school_name = school_name

    def is_accessible(self, request: Request) -> bool:
        return access_of(request).can("students", Action.EDIT)

    async def _form(self, request: Request) -> dict[str, str]:
        form = await request.form()
        return {k: str(v) for k, v in form.items() if isinstance(v, str)}

    def _slip(self, request: Request, slip: Slip, student_id: str, *, reset: bool) -> Response:
        assert self._admin is not None
        context = {
            "title": "Phiếu tài khoản phụ huynh",
            "slip": slip,
            "reset": reset,
            "school_name": self.school_name,
            "login_url": str(request.base_url).rstrip("/") + "/login",
            "back": _detail_url(request, student_id),
        }
        return self._admin.templates.TemplateResponse(
            request, "parents/slip.html", context, headers={"Cache-Control": "no-store"}
        )

    def _back(self, request: Request, student_id: str, message: str, category: str) -> Response:
        flash(request, message, category)
        return RedirectResponse(_detail_url(request, student_id), status_code=303)

    def _new_form(
        self, request: Request, new: NewAccount, error: str | None = None, status: int = 200
    ) -> Response:
        assert self._admin is not None
        context = {
            "title": "Tạo tài khoản phụ huynh",
            "new": new,
            "relation": RELATION_LABELS.get(new.relation, ""),
            "error": error,
            "back": _detail_url(request, new.pupil.id),
        }
        return self._admin._template_response(
            request, "parents/new_account.html", context, status_code=status
        )

    @route("/new", methods=["GET"], name="parent_account_new")
    async def new(self, request: Request) -> Response:
        """The account form, prefilled from the guardian entry."""
        params = request.query_params
        student_id, guardian = params.get("student_id", ""), params.get("guardian", "")
        try:
            new = await new_account(
                access_of(request), student_id, int(guardian) if guardian.isdigit() else -1
            )
        except HocBaError as exc:
            return self._back(request, student_id, exc.message, "error")
        return self._new_form(request, new)

    @route("/create", methods=["POST"], name="parent_account_create")
    async def create(self, request: Request) -> Response:
        form = await self._form(request)
        student_id, guardian = form.get("student_id", ""), form.get("guardian", "")
        index = int(guardian) if guardian.isdigit() else -1
        typed_name, typed_phone = form.get("full_name"), form.get("phone")
        access = access_of(request)
        try:
            slip = await create_parent_account(
                access, student_id, index, full_name=typed_name, phone=typed_phone
            )
        except InvalidInput as exc:
            try:
                new = await new_account(access, student_id, index)
            except HocBaError as again:
                return self._back(request, student_id, again.message, "error")
            # What the user typed stays in the form, with the reason it was refused.
            typed = replace(
                new,
                full_name=new.full_name if typed_name is None else typed_name,
                phone=new.phone if typed_phone is None else typed_phone,
            )
            return self._new_form(request, typed, exc.message, status=422)
        except HocBaError as exc:
            return self._back(request, student_id, exc.message, "error")
        return self._slip(request, slip, student_id, reset=False)

    @route("/reset", methods=["POST"], name="parent_account_reset")
    async def reset(self, request: Request) -> Response:
        form = await self._form(request)
        student_id = form.get("student_id", "")
        try:
            slip = await reset_parent_password(
                access_of(request), student_id, form.get("account_id", "")
            )
        except HocBaError as exc:
            return self._back(request, student_id, exc.message, "error")
        return self._slip(request, slip, student_id, reset=True)

    @route("/link", methods=["POST"], name="parent_account_link")
    async def link(self, request: Request) -> Response:
        form = await self._form(request)
        student_id = form.get("student_id", "")
        try:
            account = await link_parent_account(
                access_of(request), student_id, form.get("username", "")
            )
        except HocBaError as exc:
            return self._back(request, student_id, exc.message, "error")
        return self._back(request, student_id, LINKED.format(name=account.username), "success")

    @route("/unlink", methods=["POST"], name="parent_account_unlink")
    async def unlink(self, request: Request) -> Response:
        form = await self._form(request)
        student_id = form.get("student_id", "")
        try:
            account = await unlink_parent_account(
                access_of(request), student_id, form.get("account_id", "")
            )
        except HocBaError as exc:
            return self._back(request, student_id, exc.message, "error")
        return self._back(request, student_id, UNLINKED.format(name=account.username), "success")


class ParentReportsView(CustomView):
    """«Phụ huynh báo sai sót»: the reports of the user's classes, answered here."""

    menu_label = "Phụ huynh báo sai sót"
    icon = "fa fa-comment-dots"
    path = "/parent-reports"
    route_name = "parent_reports"

    def is_accessible(self, request: Request) -> bool:
        return access_of(request).can("parent_reports", Action.VIEW)

    @route("", methods=["GET"])
    async def index(self, request: Request) -> Response:
        assert self._admin is not None
        access = access_of(request)
        status = request.query_params.get("status", "open")
        if status not in {key for key, _ in STATUS_FILTERS}:
            status = "open"
        page_text = request.query_params.get("page", "1")
        found = await list_reports(
            access, status=status, page=int(page_text) if page_text.isdigit() else 1
        )
        context: dict[str, Any] = {
            "title": "Phụ huynh báo sai sót",
            "found": found,
            "status": status,
            "filters": STATUS_FILTERS,
            "labels": REPORT_STATUS_LABELS,
            "statuses": list(ReportStatus),
            "can_answer": access.can("parent_reports", Action.EDIT),
            "open_count": await open_report_count(access),
            "detail_url": lambda sid: _detail_url(request, sid),
        }
        return self._admin._template_response(request, "parents/reports.html", context)

    @route("/answer", methods=["POST"], name="parent_report_answer")
    async def answer(self, request: Request) -> Response:
        form = await request.form()
        back = str(request.url_for("admin:parent_reports"))
        status_filter = str(form.get("filter") or "open")
        target = f"{back}?{urlencode({'status': status_filter})}"
        version = str(form.get("version") or "")
        try:
            await answer_report(
                access_of(request),
                str(form.get("report_id") or ""),
                status=str(form.get("status") or ""),
                answer=str(form.get("answer") or ""),
                expected_version=int(version) if version.isdigit() else None,
            )
        except HocBaError as exc:
            flash(request, exc.message, "error")
            return RedirectResponse(target, status_code=303)
        flash(request, ANSWERED, "success")
        return RedirectResponse(target, status_code=303)
