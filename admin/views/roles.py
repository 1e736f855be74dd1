"""Roles and their permissions as data, edited by the IT group.

Every rule is validated on save (operator allow-list, known variables, field patterns). Before a
change that alters what people can see is stored, the form shows its impact per user and asks for
a second click to confirm.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette_admin import fields as sa

from app.store.directory import role_exists
from app.store.explain import ImpactRow, impact
from app.store.writes import TAKEN
from app.validation_vi import messages_by_field
from models.role import ACTION_LABELS, RESOURCE_LABELS, Permission, Role

from .base import ScopedModelView, form_error
from .fields import HiddenTextField, VersionField, labelled


# Fields inside the permissions list are serialised by the list field itself, never by the
# view's serialize_field_value: the text forms must come from the fields, or the edit form shows
# Python reprs ("['**']", "{'a': 1}") that fail validation when submitted back unchanged.
@dataclass
class FilterTextField(sa.TextAreaField):
    """A row filter (a dict) edited as JSON text; empty means every row."""

    async def serialize_value(self, request: Request, value: Any) -> Any:
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False, indent=1) if value else ""
        return await super().serialize_value(request, value)


@dataclass
class PatternsField(sa.TextAreaField):
    """Field patterns (a list) edited one per line."""

    async def serialize_value(self, request: Request, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(value)
        return await super().serialize_value(request, value)


def _permission_fields() -> list[sa.BaseField]:
    return [
        sa.EnumField(
            "resource", label="Dữ liệu", choices=[(k, v) for k, v in RESOURCE_LABELS.items()]
        ),
        sa.EnumField(
            "actions",
            label="Thao tác",
            multiple=True,
            choices=[(k.value, v) for k, v in ACTION_LABELS.items()],
        ),
        FilterTextField(
            "row_filter",
            label="Bộ lọc bản ghi (JSON)",
            help_text='Ví dụ: {"current.class_name": {"$in": '
            '"$user.homeroom_classes"}} — để trống là tất cả',
        ),
        PatternsField(
            "read_fields",
            label="Trường được xem",
            help_text="Mỗi dòng một mẫu, ví dụ: profile.**, years.*.subjects."
            "$assigned_subject.** — * là tất cả",
        ),
        PatternsField(
            "write_fields",
            label="Trường được sửa",
            help_text="Mỗi dòng một mẫu; để trống là không được sửa",
        ),
        sa.StringField("description", label="Ghi chú"),
    ]


# A permission's fields by the labels its form shows, for messages about them.
PERMISSION_LABELS = {f.name: f.label for f in _permission_fields()}
CONFIRM_IMPACT = (
    "Thay đổi này làm thay đổi phạm vi dữ liệu của {people} người dùng. Kiểm tra bảng dưới "
    "đây rồi bấm «Xác nhận và lưu» (hoặc sửa lại quyền)."
)
IMPACT_ROWS_SHOWN = 50


def invalid_permission(number: int, exc: ValidationError) -> str:
    """«Quyền số 2 không hợp lệ — ô «Trường được sửa»: Mẫu «abc»: không có trường «abc»»"""
    parts = []
    for path, message in messages_by_field(exc).items():
        label = PERMISSION_LABELS.get(path.split(".", 1)[0])
        parts.append(f"ô «{label}»: {message}" if label else message)
    return f"Quyền số {number} không hợp lệ — {'; '.join(parts)}"


def impact_table(rows: list[ImpactRow]) -> list[dict[str, Any]]:
    """The rows of the confirmation table: who gains or loses which records."""
    return [
        {
            "full_name": r.full_name,
            "username": r.username,
            "resource": RESOURCE_LABELS.get(r.resource, r.resource),
            "before": r.before,
            "after": r.after,
            "added": r.added,
            "removed": r.removed,
        }
        for r in rows[:IMPACT_ROWS_SHOWN]
    ]


class RoleView(ScopedModelView):
    resource = "roles"
    fields = [
        sa.StringField("code", label="Mã vai trò", required=True),
        sa.StringField("name", label="Tên vai trò", required=True),
        sa.TextAreaField("description", label="Mô tả", exclude_from_list=True),
        sa.BooleanField("active", label="Đang dùng"),
        labelled(
            sa.ListField(sa.CollectionField("permissions", fields=_permission_fields())), "Quyền"
        ),
        VersionField("version"),
        HiddenTextField("impact_ack", label="Xác nhận tác động"),
    ]
    exclude_fields_from_list = ["permissions", "version", "impact_ack"]
    fields_default_sort = ["code"]

    def __init__(self) -> None:
        super().__init__(
            Role,
            icon="fa fa-user-shield",
            display_name="Vai trò",
            menu_label="Vai trò",
            key="roles",
        )

    async def create(self, request: Request, data: dict) -> Any:
        # A taken code is refused first: the impact check would otherwise compare with the
        # existing role of that code and ask to confirm "removing" its users' access.
        code = str(data.get("code") or "")
        if code and await role_exists(code):
            raise form_error({"code": TAKEN})
        await self._confirm_impact(data)
        return await super().create(request, data)

    async def edit(self, request: Request, pk: Any, data: dict[str, Any]) -> Any:
        await self._confirm_impact(data)
        return await super().edit(request, pk, data)

    async def _confirm_impact(self, data: dict[str, Any]) -> None:
        """Validate the rules, then require a second submit when the change moves counts."""
        acknowledged = data.pop("impact_ack", None)
        permissions = []
        for number, raw in enumerate(data.get("permissions") or [], start=1):
            try:
                permissions.append(Permission.model_validate(raw))
            except ValidationError as exc:
                # Say which permission and which of its fields, in the form's own words.
                raise form_error({"__all__": invalid_permission(number, exc)}) from exc
        code = str(data.get("code") or "")
        rows = [r for r in await impact(code, permissions) if r.changed]
        if not rows:
            return
        fingerprint = hashlib.sha256(
            json.dumps(
                [p.model_dump(mode="json") for p in permissions], sort_keys=True, ensure_ascii=False
            ).encode()
        ).hexdigest()[:16]
        if acknowledged == fingerprint:
            return
        # starlette-admin re-renders the form from this same dict: the hidden field then
        # carries the fingerprint, and the next submit of the unchanged rules confirms.
        data["impact_ack"] = fingerprint
        people = len({r.username for r in rows})
        raise form_error(
            {
                "__all__": CONFIRM_IMPACT.format(people=people),
                # Shown as a table above the form (hocba/form_errors.html).
                "__impact__": impact_table(rows),
                "__impact_more__": max(0, len(rows) - IMPACT_ROWS_SHOWN),
            }
        )
