"""Roles and their permissions: the rules the IT group edits in the panel (rules as data).

A permission grants some actions on one resource, limited to the rows its ``row_filter``
matches and to the field paths of ``read_fields`` / ``write_fields``. The filter is stored
as a JSON string because MongoDB refuses ``$``-prefixed keys inside stored documents on
replace/update; in Python it is always a dict.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from beanie import Document
from pydantic import BaseModel, ValidationInfo, field_validator, model_validator
from pymongo import ASCENDING, IndexModel

from app.errors import InvalidInput

from .common import WriteMeta, label
from .resources import RESOURCE_LABELS, register_model
from .rules.filters import parse_filter
from .rules.patterns import validate_field_patterns
from .types import Text

ROLE_CODE_PATTERN = r"^[a-z][a-z0-9_]{1,30}$"


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"
    EXPORT = "export"
    IMPORT = "import"
    PROMOTE = "promote"  # the year-end move of pupils into next year's classes
    # The approval chain's steps (resources "gradebooks" and "corrections").
    SUBMIT = "submit"
    CHECK = "check"
    APPROVE = "approve"
    LOCK = "lock"
    UNLOCK = "unlock"


ACTION_LABELS: dict[Action, str] = {
    Action.VIEW: "Xem",
    Action.CREATE: "Thêm",
    Action.EDIT: "Sửa",
    Action.DELETE: "Xóa",
    Action.EXPORT: "Xuất",
    Action.IMPORT: "Nhập",
    Action.PROMOTE: "Chuyển năm học",
    Action.SUBMIT: "Nộp sổ / gửi đề nghị",
    Action.CHECK: "Kiểm tra / trả lại",
    Action.APPROVE: "Duyệt",
    Action.LOCK: "Khóa sổ toàn trường",
    Action.UNLOCK: "Mở khóa sổ",
}


# The approval chain's steps exist only on the chain's own documents.
WORKFLOW_ACTIONS = frozenset(
    {Action.SUBMIT, Action.CHECK, Action.APPROVE, Action.LOCK, Action.UNLOCK}
)
WORKFLOW_RESOURCES = ("gradebooks", "corrections")


def actions_for(resource: str) -> list[Action]:
    """The actions a permission on ``resource`` may grant."""
    if resource in WORKFLOW_RESOURCES:
        return list(Action)
    return [a for a in Action if a not in WORKFLOW_ACTIONS]


class Permission(BaseModel):
    """Some actions on one resource, for the rows ``row_filter`` matches."""

    resource: str = label("Đối tượng")
    actions: list[Action] = label("Thao tác", min_length=1)
    row_filter: dict[str, Any] = label("Bộ lọc dòng (truy vấn MongoDB)", default_factory=dict)
    read_fields: list[str] = label("Trường được xem", default_factory=list)
    write_fields: list[str] = label("Trường được sửa", default_factory=list)
    description: Text | None = label("Diễn giải", default=None, max_length=500)

    @field_validator("resource")
    @classmethod
    def _known_resource(cls, value: str) -> str:
        if value not in RESOURCE_LABELS:
            known = ", ".join(f"{k} ({v})" for k, v in RESOURCE_LABELS.items())
            raise ValueError(f"Đối tượng «{value}» không tồn tại; các đối tượng hợp lệ: {known}")
        return value

    @field_validator("actions")
    @classmethod
    def _unique_actions(cls, value: list[Action]) -> list[Action]:
        return list(dict.fromkeys(value))

    @field_validator("read_fields", "write_fields", mode="before")
    @classmethod
    def _split_patterns(cls, value: Any) -> Any:
        # The panel may send the patterns as text, one per line or separated by commas.
        if isinstance(value, str):
            return [p.strip() for p in value.replace(",", "\n").splitlines() if p.strip()]
        return value

    @field_validator("row_filter", mode="before")
    @classmethod
    def _parse_filter(cls, value: Any) -> Any:
        try:
            return parse_filter(value)
        except InvalidInput as exc:
            raise ValueError(exc.message) from exc

    @model_validator(mode="after")
    def _check_actions(self) -> Permission:
        allowed = actions_for(self.resource)
        wrong = [a for a in self.actions if a not in allowed]
        if wrong:
            names = ", ".join(f"«{ACTION_LABELS[a]}»" for a in wrong)
            chain = " và ".join(f"«{RESOURCE_LABELS[r]}»" for r in WORKFLOW_RESOURCES)
            raise ValueError(f"Thao tác {names} chỉ dùng cho {chain}")
        return self

    @field_validator("read_fields", "write_fields")
    @classmethod
    def _check_patterns(cls, value: list[str], info: ValidationInfo) -> list[str]:
        # On the field itself, so a message names it («Trường được sửa: Mẫu «x»: …»).
        resource = info.data.get("resource")
        if resource is None:
            return value  # the resource is wrong: its own message says so
        kind = "read" if info.field_name == "read_fields" else "write"
        try:
            return validate_field_patterns(resource, value, kind)
        except InvalidInput as exc:
            raise ValueError(exc.message) from exc


def _encode_permission(permission: Permission) -> dict[str, Any]:
    """How a permission is stored: the filter as JSON text (see the module docstring)."""
    return {
        "resource": permission.resource,
        "actions": [str(a) for a in permission.actions],
        "row_filter": json.dumps(permission.row_filter, ensure_ascii=False),
        "read_fields": list(permission.read_fields),
        "write_fields": list(permission.write_fields),
        "description": permission.description,
    }


class Role(Document):
    """A named set of permissions; users hold roles by code (``User.roles``)."""

    code: str = label("Mã vai trò", pattern=ROLE_CODE_PATTERN)
    name: Text = label("Tên vai trò", min_length=1, max_length=120)
    description: Text | None = label("Mô tả", default=None, max_length=1000)
    permissions: list[Permission] = label("Quyền", default_factory=list)
    active: bool = label("Đang sử dụng", default=True)
    version: int = label("Phiên bản", default=0, ge=0)
    meta: WriteMeta | None = label("Lần sửa gần nhất", default=None)

    class Settings:
        name = "roles"
        use_revision = True
        bson_encoders = {Permission: _encode_permission}
        indexes = [IndexModel([("code", ASCENDING)], name="code_unique", unique=True)]


register_model("roles", Role)
