"""Sign-in attempts: password check, failure counting, growing delay and temporary locks."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from app.clock import format_datetime, utcnow
from app.store.directory import find_user
from models.auth import AuthEventKind, ThrottleScope
from models.common import WriteSource
from models.user import User

from . import policy, throttle
from .config import AuthConfig, active_config
from .events import previous_login, record_event
from .passwords import hash_password, needs_rehash, spend_verification_time, verify_password
from .user_writes import actor_of, update_user

BAD_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."
INACTIVE = "Tài khoản này đã ngừng hoạt động. Vui lòng liên hệ tổ CNTT của trường."
LOCKED = (
    "Đăng nhập tạm thời bị khóa vì nhập sai nhiều lần. Vui lòng thử lại sau khoảng {minutes} "
    "phút hoặc liên hệ tổ CNTT của trường."
)


class Journal(TypedDict):
    """Who tried to sign in, from where: the common part of every sign-in journal entry."""

    username: str
    client_ip: str | None
    user_agent: str | None


@dataclass(frozen=True)
class AuthResult:
    """What a sign-in attempt produced. ``user`` is set only on success."""

    user: User | None
    error: str | None = None
    locked: bool = False
    change_reason: policy.ChangeReason | None = None
    notices: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.user is not None


def locked_message(until: datetime, now: datetime) -> str:
    return LOCKED.format(minutes=max(1, math.ceil((until - now).total_seconds() / 60)))


def _login_notices(
    user: User,
    previous: datetime | None,
    previous_ip: str | None,
    now: datetime,
    config: AuthConfig,
) -> tuple[str, ...]:
    notices = []
    if previous is None:
        notices.append("Đây là lần đăng nhập đầu tiên của bạn.")
    else:
        place = f" từ {previous_ip}" if previous_ip else ""
        notices.append(f"Lần đăng nhập trước: {format_datetime(previous)}{place}")
    warning = policy.expiry_warning(
        user.password_changed_at,
        now=now,
        expiry_days=config.password_expiry_days,
        warning_days=config.password_warning_days,
    )
    if warning:
        notices.append(warning)
    return tuple(notices)


async def authenticate(
    username: str,
    password: str,
    client_ip: str | None,
    user_agent: str | None,
    *,
    config: AuthConfig | None = None,
) -> AuthResult:
    """Check one sign-in attempt, counting failures and delaying repeated ones."""
    config = config or active_config()
    now = utcnow()
    name = throttle.account_key(username)
    keys = {ThrottleScope.ACCOUNT: name, ThrottleScope.ADDRESS: throttle.address_key(client_ip)}
    journal = Journal(username=name, client_ip=client_ip, user_agent=user_agent)

    lock = await throttle.active_lock(keys, now)
    if lock is not None:
        await record_event(AuthEventKind.LOGIN_BLOCKED, detail="Đang bị tạm khóa", **journal)
        await config.sleep(throttle.delay_seconds(lock.failures, config))
        return AuthResult(None, error=locked_message(lock.until, now), locked=True)

    user = await find_user(name) if name else None
    if user is None:
        await asyncio.to_thread(spend_verification_time, password)
        valid = False
    else:
        valid = await asyncio.to_thread(verify_password, user.password_hash, password)

    if user is not None and valid and not user.active:
        await record_event(
            AuthEventKind.LOGIN_FAILURE,
            user_id=user.id,
            detail="Tài khoản đã ngừng hoạt động",
            **journal,
        )
        return AuthResult(None, error=INACTIVE)

    if user is None or not valid:
        return await _fail(keys, user, now, config, journal)

    await throttle.reset(ThrottleScope.ACCOUNT, name)
    last = await previous_login(user.id)
    # A sign-in is journalled below, not written to the account: the change log records
    # changes to accounts, and every sign-in would otherwise add an entry there.
    if user.password_hash and needs_rehash(user.password_hash):
        rehashed = await asyncio.to_thread(hash_password, password)
        await update_user(
            user,
            {"password_hash": rehashed},
            actor=actor_of(user),
            source=WriteSource.SYSTEM,
            reason="Cập nhật cách lưu mật khẩu khi đăng nhập",
        )
    await record_event(
        AuthEventKind.LOGIN_SUCCESS, user_id=user.id, actor=actor_of(user), **journal
    )
    return AuthResult(
        user,
        change_reason=password_change_reason(user, now=now, config=config),
        notices=_login_notices(
            user, last.at if last else None, last.client_ip if last else None, now, config
        ),
    )


async def _fail(
    keys: dict[ThrottleScope, str],
    user: User | None,
    now: datetime,
    config: AuthConfig,
    journal: Journal,
) -> AuthResult:
    detail = "Sai mật khẩu" if user is not None else "Không có tài khoản này"
    await record_event(
        AuthEventKind.LOGIN_FAILURE, user_id=user.id if user else None, detail=detail, **journal
    )
    counts = {
        scope: await throttle.register_failure(scope, key, now=now, config=config)
        for scope, key in keys.items()
    }
    for scope, count in counts.items():
        if count.locked_now:
            what = "tài khoản" if scope is ThrottleScope.ACCOUNT else f"địa chỉ {keys[scope]}"
            await record_event(
                AuthEventKind.LOCKOUT,
                user_id=user.id if user else None,
                detail=f"Tạm khóa {what} sau {count.failures} lần sai",
                **journal,
            )
    await config.sleep(throttle.delay_seconds(max(c.failures for c in counts.values()), config))
    if any(c.locked_now for c in counts.values()):
        return AuthResult(None, error=locked_message(now + config.lock_duration, now), locked=True)
    return AuthResult(None, error=BAD_CREDENTIALS)


def password_change_reason(
    user: User, *, now: datetime | None = None, config: AuthConfig | None = None
) -> policy.ChangeReason | None:
    """Why this user must change the password before anything else (None: no need)."""
    config = config or active_config()
    return policy.change_reason(
        must_change=user.must_change_password,
        changed_at=user.password_changed_at,
        now=now or utcnow(),
        expiry_days=config.password_expiry_days,
    )
