"""Sign-in state: server-side sessions, failed-login counters and the authentication journal."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel

from .common import label
from .resources import register_model


class LoginSession(Document):
    """One signed-in browser. Only the SHA-256 of the cookie token is stored."""

    token_hash: str = label("Mã phiên (băm)")
    user_id: PydanticObjectId = label("Mã tài khoản")
    created_at: datetime = label("Bắt đầu")
    last_seen_at: datetime = label("Hoạt động gần nhất")
    idle_expires_at: datetime = label("Hết hạn nếu không hoạt động")
    expires_at: datetime = label("Hết hạn")
    client_ip: str | None = label("Địa chỉ máy", default=None)
    user_agent: str | None = label("Trình duyệt", default=None)
    revoked_at: datetime | None = label("Kết thúc lúc", default=None)
    revoked_reason: str | None = label("Lý do kết thúc", default=None)
    # Set while an IT user previews the panel (read-only) as another user.
    preview_user_id: PydanticObjectId | None = label("Đang xem thử như", default=None)

    class Settings:
        name = "sessions"
        indexes = [
            IndexModel([("token_hash", ASCENDING)], name="token_hash_unique", unique=True),
            IndexModel([("user_id", ASCENDING), ("revoked_at", ASCENDING)], name="user_open"),
        ]

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at and now < self.idle_expires_at


class ThrottleScope(StrEnum):
    ACCOUNT = "account"
    ADDRESS = "address"


class LoginThrottle(Document):
    """Failed sign-ins counted per account name or per client address, and the lock they cause."""

    scope: ThrottleScope = label("Phạm vi")
    key: str = label("Tài khoản hoặc địa chỉ")
    failures: int = label("Số lần sai liên tiếp", default=0, ge=0)
    last_failure_at: datetime | None = label("Lần sai gần nhất", default=None)
    locked_until: datetime | None = label("Khóa đến", default=None)

    class Settings:
        name = "login_throttle"
        indexes = [
            IndexModel(
                [("scope", ASCENDING), ("key", ASCENDING)], name="scope_key_unique", unique=True
            ),
        ]


class AuthEventKind(StrEnum):
    LOGIN_SUCCESS = "login_success"
    LOGIN_FAILURE = "login_failure"
    LOGIN_BLOCKED = "login_blocked"
    LOCKOUT = "lockout"
    LOGOUT = "logout"
    PASSWORD_CHANGE = "password_change"
    PASSWORD_CHANGE_FAILURE = "password_change_failure"
    PASSWORD_RESET = "password_reset"
    SESSIONS_REVOKED = "sessions_revoked"
    USER_DISABLED = "user_disabled"
    USER_ENABLED = "user_enabled"
    LOCK_CLEARED = "lock_cleared"
    ACCOUNT_CREATED = "account_created"
    PREVIEW_STARTED = "preview_started"
    PREVIEW_ENDED = "preview_ended"
    PRIVILEGED_ROLE_GRANTED = "privileged_role_granted"
    CONCURRENT_SESSION = "concurrent_session"
    NOTICE_POSTED = "notice_posted"
    NOTICE_WITHDRAWN = "notice_withdrawn"


# Shown in the IT group's journal view.
AUTH_EVENT_LABELS: dict[AuthEventKind, str] = {
    AuthEventKind.LOGIN_SUCCESS: "Đăng nhập thành công",
    AuthEventKind.LOGIN_FAILURE: "Đăng nhập thất bại",
    AuthEventKind.LOGIN_BLOCKED: "Đăng nhập bị chặn (đang khóa)",
    AuthEventKind.LOCKOUT: "Tạm khóa do nhập sai nhiều lần",
    AuthEventKind.LOGOUT: "Đăng xuất",
    AuthEventKind.PASSWORD_CHANGE: "Đổi mật khẩu",
    AuthEventKind.PASSWORD_CHANGE_FAILURE: "Đổi mật khẩu thất bại",
    AuthEventKind.PASSWORD_RESET: "Quản trị đặt lại mật khẩu",
    AuthEventKind.SESSIONS_REVOKED: "Kết thúc phiên đăng nhập",
    AuthEventKind.USER_DISABLED: "Ngừng kích hoạt tài khoản",
    AuthEventKind.USER_ENABLED: "Kích hoạt lại tài khoản",
    AuthEventKind.LOCK_CLEARED: "Gỡ khóa đăng nhập",
    AuthEventKind.ACCOUNT_CREATED: "Tạo tài khoản",
    AuthEventKind.PREVIEW_STARTED: "Bắt đầu xem thử giao diện như người dùng khác",
    AuthEventKind.PREVIEW_ENDED: "Kết thúc xem thử giao diện như người dùng khác",
    AuthEventKind.PRIVILEGED_ROLE_GRANTED: "Cấp vai trò Ban giám hiệu hoặc CNTT",
    AuthEventKind.CONCURRENT_SESSION: "Nghi dùng chung tài khoản (đăng nhập cùng lúc từ nơi khác)",
    AuthEventKind.NOTICE_POSTED: "Đăng thông báo sự cố cho mọi người dùng",
    AuthEventKind.NOTICE_WITHDRAWN: "Gỡ thông báo sự cố",
}


class AuthEvent(Document):
    """One entry of the authentication journal (append-only; read by the IT group)."""

    at: datetime = label("Thời điểm")
    kind: AuthEventKind = label("Sự kiện")
    username: str | None = label("Tên đăng nhập", default=None)
    user_id: str | None = label("Mã tài khoản", default=None)
    client_ip: str | None = label("Địa chỉ máy", default=None)
    user_agent: str | None = label("Trình duyệt", default=None)
    detail: str = label("Chi tiết", default="")
    actor_id: str | None = label("Mã người thực hiện", default=None)
    actor_name: str | None = label("Người thực hiện", default=None)
    request_id: str | None = label("Mã yêu cầu", default=None)

    class Settings:
        name = "auth_events"
        indexes = [
            IndexModel([("at", DESCENDING)], name="at_desc"),
            IndexModel(
                [("user_id", ASCENDING), ("kind", ASCENDING), ("at", DESCENDING)],
                name="user_kind_at",
            ),
            IndexModel([("username", ASCENDING), ("at", DESCENDING)], name="username_at"),
        ]

    @property
    def kind_label(self) -> str:
        return AUTH_EVENT_LABELS.get(self.kind, str(self.kind))


register_model("auth_events", AuthEvent)
