"""Account services for the admin panel, the login pages and the CLI.

Sign-in itself lives in :mod:`app.auth.signin`; it is re-exported here so callers need one import.
"""

from __future__ import annotations

import asyncio
import secrets

from beanie import PydanticObjectId

from app.clock import utcnow
from app.context import Actor
from app.errors import InvalidInput
from models.auth import AuthEventKind, ThrottleScope
from models.common import WriteSource
from models.user import User

from . import policy, throttle
from .config import AuthConfig, active_config
from .events import record_event
from .passwords import hash_password
from .sessions import revoke_sessions
from .signin import AuthResult, authenticate, locked_message, password_change_reason
from .user_writes import update_user

TEMP_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class PasswordRejected(InvalidInput):
    """The new password breaks one or more rules; ``problems`` lists them all."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems), field="password")
        self.problems = problems


def generate_temporary_password(length: int = 14) -> str:
    """A random password for an admin reset; the user must replace it at the next sign-in."""
    return "".join(secrets.choice(TEMP_ALPHABET) for _ in range(length))


async def set_password(
    user: User,
    new_password: str,
    *,
    by_admin: bool,
    actor: Actor,
    keep_session_id: PydanticObjectId | None = None,
    config: AuthConfig | None = None,
) -> None:
    """Store a new password.

    Self-service (``by_admin=False``): every rule, history included; other sessions end, the
    one given in ``keep_session_id`` stays. Admin reset: the rules but not the history (the
    admin cannot know it), ``must_change_password`` is set and every session ends.
    """
    config = config or active_config()
    problems = policy.check_password(new_password, username=user.username)
    if not by_admin:
        recent = policy.recent_hashes(
            user.password_hash, user.password_history, config.password_history
        )
        if await asyncio.to_thread(policy.is_reused, new_password, recent):
            problems.append(policy.REUSED.format(n=config.password_history))
    if problems:
        raise PasswordRejected(problems)
    assert user.id is not None
    changes = {
        "password_hash": await asyncio.to_thread(hash_password, new_password),
        "password_changed_at": utcnow(),
        "password_history": policy.next_history(
            user.password_hash, user.password_history, config.password_history
        ),
        "must_change_password": by_admin,
    }
    reason = "Quản trị đặt lại mật khẩu" if by_admin else "Người dùng đổi mật khẩu"
    await update_user(
        user,
        changes,
        actor=actor,
        source=WriteSource.ADMIN if by_admin else WriteSource.SYSTEM,
        reason=reason,
    )
    kind = AuthEventKind.PASSWORD_RESET if by_admin else AuthEventKind.PASSWORD_CHANGE
    await record_event(kind, username=user.username, user_id=user.id, actor=actor)
    await revoke_sessions(
        user.id, None if by_admin else keep_session_id, reason=reason, username=user.username
    )


async def disable_user(user: User, actor: Actor) -> None:
    """Deactivate the account and end all its sessions."""
    assert user.id is not None
    await update_user(
        user,
        {"active": False},
        actor=actor,
        source=WriteSource.ADMIN,
        reason="Ngừng kích hoạt tài khoản",
    )
    await record_event(
        AuthEventKind.USER_DISABLED, username=user.username, user_id=user.id, actor=actor
    )
    await revoke_sessions(user.id, reason="Tài khoản bị ngừng kích hoạt", username=user.username)


async def enable_user(user: User, actor: Actor) -> None:
    await update_user(
        user,
        {"active": True},
        actor=actor,
        source=WriteSource.ADMIN,
        reason="Kích hoạt lại tài khoản",
    )
    await record_event(
        AuthEventKind.USER_ENABLED, username=user.username, user_id=user.id, actor=actor
    )


async def clear_login_lock(username: str, actor: Actor) -> None:
    """Lift a sign-in lock on an account name before it runs out (IT group, after a call)."""
    name = throttle.account_key(username)
    await throttle.reset(ThrottleScope.ACCOUNT, name)
    await record_event(AuthEventKind.LOCK_CLEARED, username=name, actor=actor)


__all__ = [
    "AuthResult",
    "PasswordRejected",
    "authenticate",
    "clear_login_lock",
    "disable_user",
    "enable_user",
    "generate_temporary_password",
    "locked_message",
    "password_change_reason",
    "revoke_sessions",
    "set_password",
]
