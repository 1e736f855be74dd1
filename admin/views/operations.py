"""«Vận hành hệ thống»: what the IT group watches (the log worker, alarms, backups, the
database, account sharing), the chain check with its progress, and the notice to every user."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette_admin.flash import flash
from starlette_admin.routing import route
from starlette_admin.views import CustomView

from app.errors import InvalidInput
from app.operations import chain_check
from app.operations.notices import current_notice, post_notice, withdraw_notice
from app.operations.status import gather
from app.store.collections import database
from models.changelog import ALARM_LABELS
from models.operations import BACKUP_KIND_LABELS
from seed.role_updates import preview_default_roles, update_default_roles

from ..access import access_of
from .tools import may_use_it_tools

READ_ONLY = "Không thực hiện được trong chế độ xem thử."


def megabytes(value: int | float | None) -> str:
    if value is None:
        return "không rõ"
    return f"{value / 1e6:,.1f} MB".replace(",", " ").replace(".", ",")


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "chưa có thay đổi nào"
    if seconds < 1:
        return "không chậm (nhật ký đã ghi mọi thay đổi)"
    if seconds < 120:
        return f"chậm khoảng {seconds:.0f} giây"
    return f"chậm khoảng {seconds / 60:.0f} phút"


class OperationsView(CustomView):
    menu_label = "Vận hành hệ thống"
    icon = "fa fa-server"
    path = "/operations"
    route_name = "operations"

    def is_accessible(self, request: Request) -> bool:
        return may_use_it_tools(request)

    @route("", methods=["GET"])
    async def index(self, request: Request) -> Response:
        assert self._admin is not None
        check = chain_check.current()
        return self._admin._template_response(
            request,
            "hocba/operations.html",
            {
                "title": "Vận hành hệ thống",
                "status": await gather(),
                "check": check,
                "notice": await current_notice(fresh=True),
                "roles": await preview_default_roles(),
                "alarm_labels": ALARM_LABELS,
                "kind_labels": BACKUP_KIND_LABELS,
                "megabytes": megabytes,
                "duration": duration,
                "refresh": check.running,
            },
        )

    def _back(self, request: Request, message: str, category: str = "success") -> Response:
        flash(request, message, category)
        return RedirectResponse(request.url_for("admin:operations"), status_code=303)

    @route("/chain", methods=["POST"])
    async def verify_chain(self, request: Request) -> Response:
        access = access_of(request)
        if access.read_only:
            return self._back(request, READ_ONLY, "error")
        if not await chain_check.start(database(), by=access.actor().name):
            return self._back(request, "Đang có một lượt kiểm tra chạy.", "info")
        return self._back(request, "Đã bắt đầu kiểm tra chuỗi nhật ký.")

    @route("/roles", methods=["POST"])
    async def update_roles(self, request: Request) -> Response:
        """Create the missing default roles and bring unchanged default grants up to date."""
        access = access_of(request)
        if access.read_only:
            return self._back(request, READ_ONLY, "error")
        report = await update_default_roles(access.actor())
        done = len(report.created) + len(report.updated)
        if not done:
            return self._back(request, "Các vai trò mặc định đã đầy đủ và đúng phiên bản.", "info")
        return self._back(request, f"Đã tạo hoặc cập nhật {done} vai trò mặc định.")

    @route("/notice", methods=["POST"])
    async def notice(self, request: Request) -> Response:
        access = access_of(request)
        if access.read_only:
            return self._back(request, READ_ONLY, "error")
        form = await request.form()
        try:
            if form.get("withdraw"):
                current = await current_notice(fresh=True)
                if current is not None:
                    await withdraw_notice(current.id, actor=access.actor())
                return self._back(request, "Đã gỡ thông báo sự cố.")
            await post_notice(
                problem=str(form.get("problem") or ""),
                advice=str(form.get("advice") or ""),
                expected_fix=str(form.get("expected_fix") or ""),
                actor=access.actor(),
            )
        except InvalidInput as exc:
            return self._back(request, exc.message, "error")
        return self._back(request, "Đã đăng thông báo sự cố cho mọi người dùng.")
