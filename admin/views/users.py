"""Staff accounts for the IT group: create with a one-time temporary password, edit rights,
deactivate (ends sessions), reset a password. Password hashes never reach a page."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette_admin import fields as sa
from starlette_admin.actions import row_action
from starlette_admin.exceptions import ActionFailed
from starlette_admin.flash import flash
from starlette_admin.types import RowActionsDisplayType

from app.auth.events import record_event
from app.auth.passwords import hash_password
from app.auth.service import disable_user, enable_user, generate_temporary_password, set_password
from app.auth.sessions import revoke_sessions
from app.context import current_actor
from models.auth import AuthEventKind
from models.role import Action
from models.user import User

from ..access import access_of
from .base import ScopedModelView, form_error
from .fields import VersionField, VnDateTimeField, labelled

# Roles that open every record or every account: granting one is journalled for the board.
PRIVILEGED_ROLES = ("bgh", "cntt")
SELF_GRANT = "Không tự cấp thêm vai trò cho chính tài khoản của mình; hãy nhờ người quản trị khác"


class UserView(ScopedModelView):
    resource = "users"
    set_by_app = ("password_hash", "must_change_password")
    fields = [
        sa.StringField(
            "username",
            label="Tên đăng nhập",
            required=True,
            help_text="Chữ thường không dấu, số, dấu chấm, gạch dưới",
        ),
        sa.StringField("full_name", label="Họ và tên", required=True),
        sa.EmailField("email", label="Thư điện tử", exclude_from_list=True),
        sa.PhoneField("phone", label="Số điện thoại", exclude_from_list=True),
        sa.TagsField("roles", label="Vai trò", help_text="Mã vai trò, ví dụ: gvcn, gvbm"),
        sa.TagsField("homeroom_classes", label="Lớp chủ nhiệm", exclude_from_list=True),
        labelled(
            sa.ListField(
                sa.CollectionField(
                    "teaching",
                    fields=[
                        sa.StringField("class_name", label="Lớp"),
                        sa.StringField("subject", label="Mã môn"),
                    ],
                )
            ),
            "Phân công giảng dạy",
        ),
        sa.StringField("subject_group", label="Tổ chuyên môn", exclude_from_list=True),
        sa.BooleanField("active", label="Đang hoạt động"),
        sa.BooleanField(
            "must_change_password",
            label="Phải đổi mật khẩu",
            read_only=True,
            exclude_from_create=True,
            exclude_from_edit=True,
        ),
        VnDateTimeField(
            "last_login_at",
            label="Đăng nhập lần cuối",
            read_only=True,
            exclude_from_create=True,
            exclude_from_edit=True,
        ),
        VersionField("version"),
    ]
    exclude_fields_from_list = ["teaching", "version"]
    searchable_fields = ["username", "full_name"]
    fields_default_sort = ["username"]
    row_actions = ["view", "edit", "reset_password"]
    row_actions_display_type = RowActionsDisplayType.ICON_LIST

    def __init__(self) -> None:
        super().__init__(
            User, icon="fa fa-users", display_name="Tài khoản", menu_label="Tài khoản", key="users"
        )

    async def create(self, request: Request, data: dict) -> Any:
        temporary = generate_temporary_password()
        data["password_hash"] = hash_password(temporary)
        data["must_change_password"] = True
        user = await super().create(request, data)
        await _journal_grants(user, set())
        flash(
            request,
            f"Đã tạo tài khoản {user.username}. Mật khẩu tạm thời (chỉ hiện một lần): "
            f"{temporary} — người dùng phải đổi ở lần đăng nhập đầu.",
            "success",
        )
        return user

    async def edit(self, request: Request, pk: Any, data: dict[str, Any]) -> Any:
        before = await self.find_in_scope(request, pk, Action.EDIT)
        updated = await super().edit(request, pk, data)
        if before is not None:
            await _journal_grants(updated, set(before.roles))
        if before is not None and before.active != updated.active:
            # Journalled like the account services do (disable_user / enable_user).
            kind = AuthEventKind.USER_ENABLED if updated.active else AuthEventKind.USER_DISABLED
            await record_event(kind, username=updated.username, user_id=updated.id)
        if before is not None and before.active and not updated.active:
            # Deactivating ends every open session of the account at once.
            await revoke_sessions(
                updated.id, reason="Tài khoản bị ngừng kích hoạt", username=updated.username
            )
        return updated

    async def before_generic_write(self, request: Request, new: Any, old: Any | None) -> None:
        acting = access_of(request).user
        own = old is not None and acting is not None and old.id == acting.id
        if own and old is not None and set(new.roles) - set(old.roles):
            # Nobody grants rights to themselves (the IT group could otherwise read every score).
            raise form_error({"roles": SELF_GRANT})

    @row_action(
        name="reset_password",
        text="Đặt lại mật khẩu",
        confirmation="Đặt mật khẩu tạm thời mới cho tài khoản này? Mọi phiên đăng nhập của "
        "tài khoản sẽ bị kết thúc.",
        submit_btn_text="Đặt lại",
        icon_class="fa fa-key",
        exclude_from_list=False,
    )
    async def reset_password(self, request: Request, pk: Any) -> None:
        if not access_of(request).can(self.resource, Action.EDIT) or access_of(request).read_only:
            raise ActionFailed("Bạn không có quyền đặt lại mật khẩu")
        user = await self.find_in_scope(request, pk, Action.EDIT)
        actor = current_actor.get()
        if user is None or actor is None:
            raise ActionFailed("Không tìm thấy tài khoản")
        temporary = generate_temporary_password()
        await set_password(user, temporary, by_admin=True, actor=actor)
        # A row action's return value is not shown by starlette-admin 1.0 (the page reloads):
        # the one-time password reaches the IT user as a flash message, like on creation.
        flash(
            request,
            f"Mật khẩu tạm thời của {user.username} (chỉ hiện một lần): {temporary}. "
            "Người dùng phải đổi ở lần đăng nhập tới.",
            "success",
        )


__all__ = ["UserView", "disable_user", "enable_user"]


async def _journal_grants(user: User, before: set[str]) -> None:
    """Journal every principal-board or IT role newly granted (the board reads the journal)."""
    for role in PRIVILEGED_ROLES:
        if role in user.roles and role not in before:
            await record_event(
                AuthEventKind.PRIVILEGED_ROLE_GRANTED,
                username=user.username,
                user_id=user.id,
                detail=f"Cấp vai trò «{role}» cho {user.full_name} ({user.username})",
            )
