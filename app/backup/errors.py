"""Why a backup, verification or restore was refused (messages for the IT group)."""

from __future__ import annotations

from app.errors import HocBaError


class BackupError(HocBaError):
    """A backup operation that cannot go on; ``message`` says why, in Vietnamese."""


class WrongKey(BackupError):
    pass


class DamagedArchive(BackupError):
    pass


WRONG_KEY = (
    "Khóa sao lưu không đúng: tệp này được mã hóa bằng một khóa khác. Hãy dùng đúng khóa "
    "(BACKUP_KEY hoặc BACKUP_KEY_FILE) đã dùng khi sao lưu."
)
DAMAGED = "Tệp sao lưu đã bị sửa đổi hoặc hỏng ({where}): không thể tin cậy nội dung, đã từ chối."
