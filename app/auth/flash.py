"""One-time notices for the next page, in the panel's flash cookie.

The cookie is starlette-admin's (same name, a JSON list of ``{"message", "category"}``), so a
notice set at sign-in shows on whichever page comes first: one of ours, or the panel's. The
library only signs it, and anyone holding it can read it; ours is encrypted (Fernet: AES-CBC
with an HMAC, key derived from the app secret), because a notice can carry a one-time
temporary password. It expires after five minutes and is read once.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.requests import Request
from starlette.responses import Response
from starlette_admin.flash import _FLASH_COOKIE

from .config import AuthConfig

MAX_AGE = 300  # seconds, as the library's own cookie


def derive_key(secret_key: str, purpose: bytes) -> bytes:
    """A Fernet key for one purpose, derived from the app secret."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(key)


class EncryptedCookie:
    """The ``dumps``/``loads`` pair starlette-admin's flash code calls, encrypting."""

    def __init__(self, secret_key: str, max_age: int = MAX_AGE) -> None:
        self._fernet = Fernet(derive_key(secret_key, b"hocba flash messages"))
        self._max_age = max_age

    def dumps(self, value: Any) -> str:
        return self._fernet.encrypt(json.dumps(value).encode()).decode("ascii")

    def loads(self, value: str) -> Any:
        """The messages, or None for a cookie that is forged, altered, foreign or expired."""
        try:
            return json.loads(self._fernet.decrypt(value.encode("ascii"), ttl=self._max_age))
        except (InvalidToken, UnicodeError, ValueError):
            return None


def _cookie(config: AuthConfig) -> EncryptedCookie:
    return EncryptedCookie(config.secret_key)


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
