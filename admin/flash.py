"""Flash messages in an encrypted cookie.

starlette-admin keeps flash messages in a cookie that is signed but readable by anyone who
holds it. Ours can carry a one-time temporary password (account creation and reset), so the
panel encrypts the cookie (Fernet: AES-CBC with an HMAC) with a key derived from the app's
secret; it still expires after five minutes and is read once.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.types import ASGIApp
from starlette_admin.flash import FlashMiddleware

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


class EncryptedFlashMiddleware(FlashMiddleware):
    def __init__(self, app: ASGIApp, secret_key: str) -> None:
        super().__init__(app, secret_key)
        self._cookie = EncryptedCookie(secret_key)  # type: ignore[assignment]
