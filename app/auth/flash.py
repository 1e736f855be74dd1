"""One-time notices for the next page, in starlette-admin's flash cookie.

The cookie format (signed, timed JSON list of ``{"message", "category"}``) is the panel's own, so
a notice set at sign-in shows on whichever page comes first: one of ours, or the panel's.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette_admin.cookies import SignedCookie
from starlette_admin.flash import _FLASH_COOKIE, _FLASH_SALT

from .config import AuthConfig

MAX_AGE = 300


def _cookie(config: AuthConfig) -> SignedCookie:
    return SignedCookie(config.secret_key, salt=_FLASH_SALT, timed=True, max_age=MAX_AGE)


def set_flash(response: Response, notices: list[dict[str, str]], config: AuthConfig) -> None:
    """Queue ``notices`` ({"message", "category"}: info / success / warning / error)."""
    if notices:
        response.set_cookie(
            _FLASH_COOKIE,
            _cookie(config).dumps(notices),
            max_age=MAX_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=config.secure_cookies,
        )


def pop_flash(request: Request, config: AuthConfig) -> list[dict[str, Any]]:
    """The queued notices; the caller must then :func:`clear_flash` on its response."""
    raw = request.cookies.get(_FLASH_COOKIE)
    notices = _cookie(config).loads(raw) if raw else None
    return [n for n in notices or [] if isinstance(n, dict) and n.get("message")]


def has_flash(request: Request) -> bool:
    return _FLASH_COOKIE in request.cookies


def clear_flash(response: Response) -> None:
    response.delete_cookie(_FLASH_COOKIE, path="/")
