"""Accounts (staff, and parents following their children) and the attributes role filters
refer to (``$user.<attribute>``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document
from pydantic import BaseModel, Field, model_validator
from pymongo import ASCENDING, IndexModel

from .common import WriteMeta, label
from .resources import register_model
from .types import Text, search_key


class TeachingAssignment(BaseModel):
    class_name: str = label("Lớp")
    subject: str = label("Môn học")


class AccountKind(StrEnum):
    STAFF = "staff"
    PARENT = "parent"


ACCOUNT_KIND_LABELS = {AccountKind.STAFF: "Cán bộ, giáo viên", AccountKind.PARENT: "Phụ huynh"}


class User(Document):
    username: str = label("Tên đăng nhập", min_length=3, max_length=50, pattern=r"^[a-z0-9_.-]+$")
    full_name: Text = label("Họ và tên", min_length=1, max_length=120)
    email: str | None = label("Thư điện tử", default=None, max_length=200)
    phone: str | None = label("Số điện thoại", default=None, max_length=20)
    roles: list[str] = label("Vai trò", default_factory=list)
    homeroom_classes: list[str] = label("Lớp chủ nhiệm", default_factory=list)
    teaching: list[TeachingAssignment] = label("Phân công giảng dạy", default_factory=list)
    subject_group: str | None = label("Tổ chuyên môn", default=None)
    active: bool = label("Đang hoạt động", default=True)
    # A parent's account reaches only the parent's pages, for the pupils (record ids) linked.
    kind: AccountKind = label("Loại tài khoản", default=AccountKind.STAFF)
    children: list[str] = label("Học sinh được theo dõi", default_factory=list)
    password_hash: str | None = Field(default=None, title="Mật khẩu (băm)", exclude=False)
    password_changed_at: datetime | None = label("Đổi mật khẩu lần cuối", default=None)
    password_history: list[str] = Field(default_factory=list, title="Lịch sử mật khẩu")
    must_change_password: bool = label("Phải đổi mật khẩu", default=True)
    # Not written any more: sign-ins are journalled (auth_events) and the panel shows the last
    # one from there, so a sign-in adds no change-log entry. The field stays as the path whose
    # read rule governs that column (roles name it in their field patterns).
    last_login_at: datetime | None = label("Đăng nhập lần cuối", default=None)
    search_name: str = Field(default="", title="Khóa tìm kiếm")
    version: int = label("Phiên bản", default=0, ge=0)
    meta: WriteMeta | None = label("Lần sửa gần nhất", default=None)

    class Settings:
        name = "users"
        use_revision = True
        indexes = [IndexModel([("username", ASCENDING)], name="username_unique", unique=True)]

    @property
    def is_parent(self) -> bool:
        return self.kind is AccountKind.PARENT

    @property
    def teaching_classes(self) -> list[str]:
        return sorted({t.class_name for t in self.teaching})

    @property
    def teaching_subjects(self) -> list[str]:
        return sorted({t.subject for t in self.teaching})

    @model_validator(mode="after")
    def _derive_search_name(self) -> User:
        self.search_name = search_key(self.full_name)
        return self


register_model("users", User)
