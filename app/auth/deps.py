"""FastAPI dependencies for the signed-in user: ``CurrentUser`` and ``OptionalUser``."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette_admin.helpers import safe_redirect_url

from app.store import DENY_ALL, Access
from models.auth import LoginSession
from models.user import User

LOGIN_PAGE = "/login"
LOGIN_REQUIRED = "Bạn cần đăng nhập để tiếp tục."


class LoginRequired(Exception):
    """Raised by :func:`require_user`; answered with 401 JSON (API) or a redirect (pages)."""


def optional_user(request: Request) -> User | None:
    return getattr(request.state, "user", None)


def require_user(request: Request) -> User:
    user = optional_user(request)
    if user is None:
        raise LoginRequired
    return user


def current_session(request: Request) -> LoginSession | None:
    return getattr(request.state, "session", None)


CurrentUser = Annotated[User, Depends(require_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]


def login_url(request: Request) -> str:
    """/login?next=<this page>[&expired=1] (expired: a session cookie was there but ended)."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    params = {"next": target}
    if getattr(request.state, "session_ended", False):
        params["expired"] = "1"
    return f"{LOGIN_PAGE}?{urlencode(params)}"


async def login_required_handler(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": LOGIN_REQUIRED}, status_code=401)
    return RedirectResponse(login_url(request), status_code=303)


def safe_next(request: Request, value: str | None, fallback: str) -> str:
    """A same-site path to go to after sign-in; anything else (other sites, //x) -> fallback."""
    if not value:
        return fallback
    checked = safe_redirect_url(value, request, fallback)
    if checked == fallback:
        return fallback
    parts = urlsplit(checked)
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith(("//", "/\\")) or path == LOGIN_PAGE:
        return fallback
    return path + (f"?{parts.query}" if parts.query else "")


def require_access(request: Request) -> Access:
    """The signed-in user's access for this request (the same one the panel uses)."""
    require_user(request)
    access = getattr(request.state, "access", None)
    return access if isinstance(access, Access) else DENY_ALL


CurrentAccess = Annotated[Access, Depends(require_access)]
