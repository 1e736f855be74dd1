"""Sign-in and sign-out pages."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from models.auth import AuthEventKind

from .config import config_for, home_for
from .deps import LOGIN_PAGE, OptionalUser, current_session, safe_next
from .events import record_event
from .flash import set_flash
from .middleware import PASSWORD_PAGE
from .sessions import clear_session_cookie, end_session, set_session_cookie, start_session
from .signin import authenticate
from .templates import render

router = APIRouter(include_in_schema=False)

SESSION_ENDED = "Phiên làm việc đã kết thúc. Vui lòng đăng nhập lại."
LOGGED_OUT = "Bạn đã đăng xuất."


@router.get("/login")
async def login_page(
    request: Request, user: OptionalUser, next: str | None = None, expired: str | None = None
) -> Response:
    config = config_for(request)
    if user is not None:
        home = home_for(user, config)
        return RedirectResponse(safe_next(request, next, home), status_code=303)
    notices = [{"message": SESSION_ENDED, "category": "info"}] if expired else []
    context = {"next": safe_next(request, next, ""), "username": ""}
    return render(request, "auth/login.html", context, notices=notices)


@router.post("/login")
async def login(request: Request) -> Response:
    config = config_for(request)
    form = await request.form()
    username = str(form.get("username") or "").strip()
    next_url = safe_next(request, str(form.get("next") or ""), "")
    result = await authenticate(
        username,
        str(form.get("password") or ""),
        request.client.host if request.client else None,
        request.headers.get("user-agent"),
        config=config,
    )
    if result.user is None:
        context = {"error": result.error, "username": username, "next": next_url}
        return render(
            request, "auth/login.html", context, status_code=429 if result.locked else 400
        )

    # A new token on every sign-in: a cookie planted before sign-in is worth nothing.
    if (old := current_session(request)) is not None:
        await end_session(old, reason="Đăng nhập lại")
    token, _ = await start_session(
        result.user,
        client_ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
        config=config,
    )
    destination = next_url or home_for(result.user, config)
    if result.change_reason is not None:
        query = f"?{urlencode({'next': next_url})}" if next_url else ""
        destination = PASSWORD_PAGE + query
    response = RedirectResponse(destination, status_code=303)
    set_session_cookie(response, token, config)
    set_flash(response, [{"message": m, "category": "info"} for m in result.notices], config)
    return response


async def perform_logout(request: Request) -> Response:
    """End the current session (if any) and go back to the sign-in page."""
    config = config_for(request)
    session, user = current_session(request), getattr(request.state, "user", None)
    if session is not None:
        await end_session(session, reason="Đăng xuất")
        await record_event(
            AuthEventKind.LOGOUT, username=user.username if user else None, user_id=session.user_id
        )
    response = RedirectResponse(LOGIN_PAGE, status_code=303)
    clear_session_cookie(response, config)
    set_flash(response, [{"message": LOGGED_OUT, "category": "success"}], config)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    return await perform_logout(request)
