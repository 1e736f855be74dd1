"""The panel's flash messages in the encrypted cookie of ``app.auth.flash``."""

from __future__ import annotations

from starlette.types import ASGIApp
from starlette_admin.flash import FlashMiddleware

from app.auth.flash import EncryptedCookie


class EncryptedFlashMiddleware(FlashMiddleware):
    def __init__(self, app: ASGIApp, secret_key: str) -> None:
        super().__init__(app, secret_key)
        self._cookie = EncryptedCookie(secret_key)  # type: ignore[assignment]
