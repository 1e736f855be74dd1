"""Operations state: what each backup run produced, and the notice IT posts to every user."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document
from pymongo import DESCENDING, IndexModel

from .common import label


class BackupKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MANUAL = "manual"


BACKUP_KIND_LABELS = {
    BackupKind.DAILY: "Hằng ngày",
    BackupKind.WEEKLY: "Hằng tuần",
    BackupKind.MANUAL: "Thủ công",
}


class BackupRun(Document):
    """One backup written, or one verification of a backup file (``verified_at`` set)."""

    file_name: str = label("Tệp sao lưu")
    kind: BackupKind = label("Loại", default=BackupKind.MANUAL)
    at: datetime = label("Thời điểm")
    size_bytes: int = label("Dung lượng (byte)", default=0)
    seconds: float = label("Thời gian (giây)", default=0.0)
    documents: int = label("Số bản ghi", default=0)
    collections: int = label("Số bảng dữ liệu", default=0)
    consistency: str = label("Mức nhất quán", default="")
    ok: bool = label("Thành công", default=True)
    error: str = label("Lỗi", default="")
    verified_at: datetime | None = label("Kiểm tra lúc", default=None)
    verify_ok: bool | None = label("Kiểm tra đạt", default=None)
    verify_detail: str = label("Kết quả kiểm tra", default="")
    # The backup directory after this run: what the kept files use, what the disk has left.
    dir_bytes: int = label("Thư mục sao lưu dùng (byte)", default=0)
    disk_free_bytes: int | None = label("Đĩa còn trống (byte)", default=None)

    class Settings:
        name = "backup_runs"
        indexes = [IndexModel([("at", DESCENDING)], name="at_desc")]


class SystemNotice(Document):
    """A notice from the IT group shown to every user until withdrawn (Art. 8.4)."""

    problem: str = label("Sự cố")
    advice: str = label("Người dùng cần làm gì", default="")
    expected_fix: str = label("Dự kiến khắc phục", default="")
    posted_at: datetime = label("Đăng lúc")
    posted_by: str = label("Người đăng", default="")
    withdrawn_at: datetime | None = label("Gỡ lúc", default=None)
    withdrawn_by: str | None = label("Người gỡ", default=None)

    class Settings:
        name = "system_notices"
        indexes = [
            IndexModel([("withdrawn_at", DESCENDING), ("posted_at", DESCENDING)], name="open")
        ]
