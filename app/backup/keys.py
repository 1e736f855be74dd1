"""The backup key: 32 random bytes, base64, from ``BACKUP_KEY`` or the file ``BACKUP_KEY_FILE``.

It is not the app's ``SECRET_KEY``: whoever holds a backup and the web app's secret should still
need a second secret, kept elsewhere (with the backups' keeper), to read pupils' records.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from app.config import Settings

from .errors import BackupError

KEY_BYTES = 32
NO_KEY = (
    "Chưa có khóa sao lưu: đặt BACKUP_KEY (base64 của 32 byte ngẫu nhiên) hoặc BACKUP_KEY_FILE "
    "(tệp chứa khóa đó). Tạo khóa mới bằng: hocba backup keygen"
)
BAD_KEY = "Khóa sao lưu không hợp lệ: cần đúng 32 byte, viết dạng base64 (hocba backup keygen)."
SAME_AS_SECRET = (
    "Khóa sao lưu không được trùng SECRET_KEY của ứng dụng: hãy tạo khóa riêng bằng "
    "hocba backup keygen."
)


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def parse_key(text: str, *, secret_key: str | None = None) -> bytes:
    text = text.strip()
    if secret_key is not None and hmac.compare_digest(text.encode(), secret_key.strip().encode()):
        raise BackupError(SAME_AS_SECRET)
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BackupError(BAD_KEY) from exc
    if len(key) != KEY_BYTES:
        raise BackupError(BAD_KEY)
    if secret_key is not None and hmac.compare_digest(key, secret_key.encode()):
        raise BackupError(SAME_AS_SECRET)
    return key


def load_key(settings: Settings) -> bytes:
    """The configured backup key, refusing none, a malformed one, or the app's SECRET_KEY."""
    if settings.backup_key:
        text = settings.backup_key
    elif settings.backup_key_file is not None:
        try:
            text = settings.backup_key_file.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise BackupError(
                f"Không đọc được tệp khóa sao lưu {settings.backup_key_file}: {exc}"
            ) from exc
    else:
        raise BackupError(NO_KEY)
    return parse_key(text, secret_key=settings.secret_key)


def key_check(key: bytes) -> str:
    """A value stored in the archive's header that tells a wrong key from a damaged file,
    without revealing anything about the key."""
    return hmac.new(key, b"hocba-backup-key-check-v1", hashlib.sha256).hexdigest()[:32]
