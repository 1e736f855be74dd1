"""Staff accounts for the IT group: create with a one-time temporary password, edit rights,
deactivate (ends sessions), reset a password. Password hashes never reach a page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette_admin import fields as sa
from starlette_admin.actions import row_action
from starlette_admin.exceptions import ActionFailed
from starlette_admin.flash import flash
from starlette_admin.types import RowActionsDisplayType

from app.auth.events import last_logins, record_event
from app.auth.passwords import hash_password
from app.auth.service import disable_user, enable_user, generate_temporary_password, set_password
from app.auth.sessions import revoke_sessions
from app.clock import format_datetime
from app.context import current_actor
from app.grading import catalogue
from app.store.directory import current_classes, role_names, subject_groups
from models.auth import AuthEventKind
from models.role import Action
from models.user import TeachingAssignment, User

from ..access import access_of
from .base import ScopedModelView, form_error
from .choices import CatalogueChoiceField, ChoiceSource
from .fields import ChoiceField, VersionField, labelled

# Roles that open every record or every account: granting one is journalled for the board.
PRIVILEGED_ROLES = ("bgh", "cntt")
SELF_GRANT = "Không tự cấp thêm vai trò cho chính tài khoản của mình; hãy nhờ người quản trị khác"
NOT_IN_LIST = "«{value}» không có trong danh sách {what}; hãy chọn trong danh sách"
CLASSES = "lớp của năm học hiện tại"
CLASS, SUBJECT = "— Chọn lớp —", "— Chọn môn học —"
NEW_ACCOUNT_STATE = (
    "Bỏ chọn nếu chưa cho đăng nhập. Khi lưu, hệ thống tạo một mật khẩu tạm thời (hiện một "
    "lần); người dùng phải đổi mật khẩu ở lần đăng nhập đầu."
)
# The subjects a teacher can be assigned, by name (the grading catalogue, in its order).
SUBJECT_CHOICES = [(code, subject.name) for code, subject in catalogue().items()]


async def _account_choices() -> dict[str, list[tuple[str, str]]]:
    """Roles by name, the current year's classes and the subject groups, to pick from."""
    names = await role_names()
    return {
        "roles": sorted(names.items(), key=lambda item: item[1]),
        "classes": [(name, name) for name in await current_classes()],
        "groups": [(group, group) for group in await subject_groups()],
    }


ACCOUNT_CHOICES = ChoiceSource("accounts", _account_choices)


def _pick(name: str, label: str, key: str, **kwargs: Any) -> CatalogueChoiceField:
    multiple = kwargs.get("multiple", False)
    return CatalogueChoiceField(
        name,
        label=label,
        source=ACCOUNT_CHOICES,
        source_key=key,
        list_template="fields/list/tags.html" if multiple else "fields/list/text.html",
        detail_template="fields/detail/tags.html" if multiple else "fields/detail/text.html",
        **kwargs,
    )


def teaching_summary(teaching: list[TeachingAssignment]) -> str:
    """«Toán: 6A1, 6A2; Tin học: 7A1» — assignments grouped by subject, with its name."""
    by_subject: dict[str, list[str]] = {}
    for assignment in teaching:
        by_subject.setdefault(assignment.subject, []).append(assignment.class_name)
    names = dict(SUBJECT_CHOICES)
    order = {code: position for position, code in enumerate(names)}
    grouped = sorted(by_subject.items(), key=lambda item: order.get(item[0], len(order)))
    return "; ".join(
        f"{names.get(code, code)}: {', '.join(sorted(classes))}" for code, classes in grouped
    )


async def _teaching(request: Request, obj: Any) -> str | None:
    return teaching_summary(obj.teaching) or None  # none: shown as «—»


async def _last_login(request: Request, obj: Any) -> str:
    """From the sign-in journal (read for a whole list page at once by ``find_all``)."""
    page: dict[str, datetime | None] = getattr(request.state, "hocba_last_logins", {})
    key = str(obj.id)
    at = page[key] if key in page else (await last_logins([obj.id])).get(key)
    return format_datetime(at) if at is not None else "Chưa đăng nhập"


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
        _pick("roles", "Vai trò", "roles", multiple=True),
        _pick("homeroom_classes", "Lớp chủ nhiệm", "classes", multiple=True),
        labelled(
            sa.ListField(
                sa.CollectionField(
                    "teaching",
                    fields=[
                        # A new row opens on «— Chọn … —»: nothing is assigned unpicked.
                        _pick("class_name", "Lớp", "classes", required=True, placeholder=CLASS),
                        ChoiceField(
                            "subject",
                            label="Môn học",
                            choices=SUBJECT_CHOICES,
                            required=True,
                            placeholder=SUBJECT,
                        ),
                    ],
                )
            ),
            "Phân công giảng dạy",
        ),
        sa.ComputedField(
            "list_teaching",
            label="Phân công giảng dạy",
            getter=_teaching,
            list_template="fields/list/wrapped.html",
            exclude_from_edit=True,
            exclude_from_create=True,
        ),
        _pick("subject_group", "Tổ chuyên môn", "groups", exclude_from_list=True),
        sa.BooleanField(
            "active", label="Đang hoạt động", default=True, help_text=NEW_ACCOUNT_STATE
        ),
        sa.BooleanField(
            "must_change_password",
            label="Phải đổi mật khẩu",
            read_only=True,
            exclude_from_create=True,
            exclude_from_edit=True,
        ),
        sa.ComputedField(
            "last_login",
            label="Đăng nhập lần cuối",
            getter=_last_login,
            exclude_from_edit=True,
            exclude_from_create=True,
        ),
        VersionField("version"),
    ]
    # Display-only columns -> the stored path whose read rule governs them (the last sign-in
    # comes from the sign-in journal; it keeps the rule of the field that once held it).
    column_paths = {"list_teaching": "teaching", "last_login": "last_login_at"}
    exclude_fields_from_list = ["teaching", "version"]
    # The detail page shows the assignments as one line per subject, like the list.
    exclude_fields_from_detail = ["teaching"]
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

    async def find_all(self, request: Request, *args: Any, **kwargs: Any) -> list[Any]:
        rows = await super().find_all(request, *args, **kwargs)
        found = await last_logins([row.id for row in rows])
        request.state.hocba_last_logins = {str(row.id): found.get(str(row.id)) for row in rows}
        return rows

    async def before_generic_write(self, request: Request, new: Any, old: Any | None) -> None:
        acting = access_of(request).user
        own = old is not None and acting is not None and old.id == acting.id
        if own and old is not None and set(new.roles) - set(old.roles):
            # Nobody grants rights to themselves (the IT group could otherwise read every score).
            raise form_error({"roles": SELF_GRANT})
        await self._check_choices(request, new, old)

    async def _check_choices(self, request: Request, new: User, old: User | None) -> None:
        """Roles, classes, subjects and the group are picked from lists; a value that is not
        in its list (a forged form) is refused, unless the account already had it."""
        lists = await ACCOUNT_CHOICES.load(request)
        allowed = {key: {value for value, _ in choices} for key, choices in lists.items()}
        allowed["subject"] = {code for code, _ in SUBJECT_CHOICES}
        before_teaching = {(t.class_name, t.subject) for t in old.teaching} if old else set()
        errors: dict[str, str] = {}

        def check(path: str, value: Any, key: str, what: str, kept: set[Any]) -> None:
            if value not in allowed[key] and value not in kept and path not in errors:
                errors[path] = NOT_IN_LIST.format(value=value, what=what)

        for role in new.roles:
            check("roles", role, "roles", "vai trò", set(old.roles) if old else set())
        for name in new.homeroom_classes:
            kept = set(old.homeroom_classes) if old else set()
            check("homeroom_classes", name, "classes", CLASSES, kept)
        for index, assignment in enumerate(new.teaching):
            if (assignment.class_name, assignment.subject) in before_teaching:
                continue  # kept as it was (a class of an earlier year stays assigned)
            check(f"teaching.{index}.class_name", assignment.class_name, "classes", CLASSES, set())
            check(f"teaching.{index}.subject", assignment.subject, "subject", "môn học", set())
        if new.subject_group:
            kept = {old.subject_group} if old and old.subject_group else set()
            check("subject_group", new.subject_group, "groups", "tổ chuyên môn", kept)
        if errors:
            raise self.invalid(errors)

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
