"""IT tools: explain a decision of the permission engine, preview the panel as another user,
and the sign-in journal."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette_admin import fields as sa
from starlette_admin.routing import route
from starlette_admin.views import CustomView

from app.auth.config import PARENT_HOME
from app.auth.events import record_event
from app.store.directory import find_user
from app.store.explain import explain, find_record_id
from models.auth import AUTH_EVENT_LABELS, AuthEvent, AuthEventKind, LoginSession
from models.role import ACTION_LABELS, RESOURCE_LABELS, Action

from ..access import access_of
from .base import ReadOnlyView
from .fields import VnDateTimeField


def may_use_it_tools(request: Request) -> bool:
    """The IT tools belong to whoever may edit roles (the cntt group by default)."""
    return access_of(request).real_can_manage_roles


NO_USERNAME = "Hãy nhập tên đăng nhập của tài khoản"


class ExplainView(CustomView):
    """«Vì sao người dùng U xem được / không xem được hồ sơ R, và những trường nào»."""

    menu_label = "Giải thích quyền"
    icon = "fa fa-circle-question"
    path = "/explain"
    route_name = "explain"

    def is_accessible(self, request: Request) -> bool:
        return may_use_it_tools(request)

    @route("", methods=["GET", "POST"])
    async def index(self, request: Request) -> Response:
        assert self._admin is not None
        form = await request.form() if request.method == "POST" else request.query_params
        username = str(form.get("username") or "").strip().lower()
        target = str(form.get("record") or "").strip()
        resource = str(form.get("resource") or "students")
        action = str(form.get("action") or Action.VIEW.value)
        result: Any = None
        error = ""
        if resource not in RESOURCE_LABELS or action not in {a.value for a in Action}:
            return self._admin._template_response(
                request,
                "hocba/not_found.html",
                {"title": "Không tìm thấy", "message": "Không có loại dữ liệu hoặc thao tác này"},
                status_code=404,
            )
        if username or target:
            user = await find_user(username)
            record_id = await find_record_id(resource, target)
            if not username:
                error = NO_USERNAME
            elif not target:
                error = "Hãy nhập mã hoặc tên bản ghi cần giải thích"
            elif user is None:
                error = f"Không có tài khoản «{username}»"
            elif record_id is None:
                error = f"Không tìm thấy bản ghi «{target}»"
            else:
                result = await explain(user, resource, record_id, Action(action))
        return self._admin._template_response(
            request,
            "hocba/explain.html",
            {
                "title": "Giải thích quyền",
                "result": result,
                "error": error,
                "username": username,
                "record": target,
                "resource": resource,
                "action": action,
                "resources": RESOURCE_LABELS,
                "actions": ACTION_LABELS,
            },
        )


class PreviewView(CustomView):
    """See the panel exactly as another user would, read-only, clearly bannered, journalled."""

    menu_label = "Xem như người dùng"
    icon = "fa fa-eye"
    path = "/preview"
    route_name = "preview"

    def is_accessible(self, request: Request) -> bool:
        return may_use_it_tools(request)

    @route("", methods=["GET", "POST"])
    async def index(self, request: Request) -> Response:
        assert self._admin is not None
        access = access_of(request)
        session: LoginSession | None = getattr(request.state, "session", None)
        error = ""
        if request.method == "POST" and session is not None:
            form = await request.form()
            if form.get("stop"):
                target = access.preview_of
                session.preview_user_id = None
                await session.save()
                await record_event(
                    AuthEventKind.PREVIEW_ENDED,
                    username=access.user.username if access.user else None,
                    user_id=access.user.id if access.user else None,
                    detail=f"Kết thúc xem như {target.username}" if target else "",
                )
                return RedirectResponse(request.url_for("admin:preview"), status_code=303)
            username = str(form.get("username") or "").strip().lower()
            target = await find_user(username)
            if not username:
                error = NO_USERNAME
            elif target is None:
                error = f"Không có tài khoản «{username}»"
            else:
                session.preview_user_id = target.id
                await session.save()
                await record_event(
                    AuthEventKind.PREVIEW_STARTED,
                    username=access.user.username if access.user else None,
                    user_id=access.user.id if access.user else None,
                    detail=f"Xem giao diện như {target.username} (chỉ đọc)",
                )
                # A parent has no panel: their own pages are what they see.
                home = PARENT_HOME if target.is_parent else request.url_for("admin:index")
                return RedirectResponse(home, status_code=303)
        return self._admin._template_response(
            request,
            "hocba/preview.html",
            {
                "title": "Xem như người dùng",
                "error": error,
                "previewing": access.preview_of,
            },
        )


class AuthEventView(ReadOnlyView):
    resource = "auth_events"
    fields = [
        VnDateTimeField("at", label="Thời điểm"),
        sa.EnumField(
            "kind", label="Sự kiện", choices=[(k.value, v) for k, v in AUTH_EVENT_LABELS.items()]
        ),
        sa.StringField("username", label="Tên đăng nhập"),
        sa.StringField("client_ip", label="Địa chỉ máy"),
        sa.StringField("detail", label="Chi tiết"),
        sa.StringField("actor_name", label="Người thực hiện"),
        sa.StringField("user_agent", label="Trình duyệt", exclude_from_list=True),
        sa.StringField("request_id", label="Mã yêu cầu", exclude_from_list=True),
    ]
    searchable_fields = ["username", "client_ip", "detail"]
    fields_default_sort = [("at", True)]

    def __init__(self) -> None:
        super().__init__(
            AuthEvent,
            icon="fa fa-right-to-bracket",
            display_name="Nhật ký đăng nhập",
            menu_label="Nhật ký đăng nhập",
            key="auth-events",
        )
