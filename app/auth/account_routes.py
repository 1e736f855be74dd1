"""The signed-in user's own pages: overview (logins, sessions) and password change."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.clock import utcnow
from models.auth import AuthEventKind, ThrottleScope
from models.user import User

from . import policy, throttle
from .config import config_for, home_for
from .deps import CurrentUser, current_session, safe_next
from .events import recent_logins, record_event
from .flash import set_flash
from .middleware import PASSWORD_PAGE
from .passwords import verify_password
from .service import PasswordRejected, locked_message, password_change_reason, set_password
from .sessions import open_sessions, revoke_sessions
from .templates import render
from .user_writes import actor_of

router = APIRouter(include_in_schema=False)

REASON_TEXT = {
    policy.ChangeReason.MUST_CHANGE: "Bạn cần đặt mật khẩu mới trước khi tiếp tục làm việc.",
    policy.ChangeReason.EXPIRED: "Mật khẩu của bạn đã hết hạn. Hãy đặt mật khẩu mới để tiếp tục.",
}
WRONG_CURRENT = "Mật khẩu hiện tại không đúng."
MISMATCH = "Mật khẩu nhập lại không khớp với mật khẩu mới."
CHANGED = "Đã đổi mật khẩu thành công."


def _password_page(
    request: Request,
    user: User,
    *,
    next_url: str,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    config = config_for(request)
    reason = password_change_reason(user, config=config)
    context = {
        "reason": REASON_TEXT.get(reason) if reason else None,
        "rules": [r.format(n=config.password_history) for r in policy.RULES],
        "errors": errors or [],
        "next": next_url,
    }
    return render(request, "auth/password.html", context, status_code=status_code)


@router.get("/account/password")
async def password_page(request: Request, user: CurrentUser, next: str | None = None) -> Response:
    return _password_page(request, user, next_url=safe_next(request, next, ""))


@router.post("/account/password")
async def change_password(request: Request, user: CurrentUser) -> Response:
    config = config_for(request)
    form = await request.form()
    current = str(form.get("current_password") or "")
    new, again = str(form.get("new_password") or ""), str(form.get("new_password_again") or "")
    next_url = safe_next(request, str(form.get("next") or ""), "")

    # Wrong current passwords count like failed sign-ins: a borrowed session must not become
    # a guessing oracle.
    key, now = throttle.account_key(user.username), utcnow()
    if (lock := await throttle.active_lock({ThrottleScope.ACCOUNT: key}, now)) is not None:
        return _password_page(
            request,
            user,
            next_url=next_url,
            errors=[locked_message(lock.until, now)],
            status_code=429,
        )
    if not await asyncio.to_thread(verify_password, user.password_hash, current):
        await throttle.register_failure(ThrottleScope.ACCOUNT, key, now=now, config=config)
        await record_event(
            AuthEventKind.PASSWORD_CHANGE_FAILURE,
            username=user.username,
            user_id=user.id,
            detail="Sai mật khẩu hiện tại",
        )
        return _password_page(
            request, user, next_url=next_url, errors=[WRONG_CURRENT], status_code=400
        )
    if new != again:
        return _password_page(request, user, next_url=next_url, errors=[MISMATCH], status_code=400)
    session = current_session(request)
    try:
        await set_password(
            user,
            new,
            by_admin=False,
            actor=actor_of(user),
            keep_session_id=session.id if session else None,
            config=config,
        )
    except PasswordRejected as exc:
        return _password_page(
            request, user, next_url=next_url, errors=exc.problems, status_code=400
        )
    response = RedirectResponse(next_url or home_for(user, config), status_code=303)
    set_flash(response, [{"message": CHANGED, "category": "success"}], config)
    return response


@router.get("/account")
async def account_page(request: Request, user: CurrentUser) -> Response:
    config = config_for(request)
    assert user.id is not None
    now = utcnow()
    context = {
        "logins": await recent_logins(user.id),
        "sessions": await open_sessions(user.id),
        "current_session": current_session(request),
        "expires_at": policy.expires_at(user.password_changed_at, config.password_expiry_days),
        "warning": policy.expiry_warning(
            user.password_changed_at,
            now=now,
            expiry_days=config.password_expiry_days,
            warning_days=config.password_warning_days,
        ),
        "password_page": PASSWORD_PAGE,
    }
    return render(request, "auth/account.html", context)


@router.post("/account/sessions/end-others")
async def end_other_sessions(request: Request, user: CurrentUser) -> Response:
    assert user.id is not None
    session = current_session(request)
    count = await revoke_sessions(
        user.id,
        session.id if session else None,
        reason="Người dùng kết thúc các phiên khác",
        username=user.username,
    )
    response = RedirectResponse("/account", status_code=303)
    set_flash(
        response,
        [{"message": f"Đã kết thúc {count} phiên đăng nhập khác.", "category": "success"}],
        config_for(request),
    )
    return response
