"""Pieces shared by several documents: the write stamp and the label helper."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


def label(title: str, **kwargs: Any) -> Any:
    """A field with its Vietnamese label (shown in the panel, exports and the change log)."""
    return Field(title=title, **kwargs)


class WriteSource(StrEnum):
    ADMIN = "admin"
    GRID = "grid"
    IMPORT = "import"
    API = "api"
    CORRECTION = "correction"
    SEED = "seed"
    REVERT = "revert"
    SYSTEM = "system"
    PARENT = "parent"  # the parents' pages


# Where a change came from, as the change log names it ("out_of_band": not through the app).
SOURCE_LABELS: dict[str, str] = {
    WriteSource.ADMIN: "Trang quản trị",
    WriteSource.GRID: "Sổ điểm",
    WriteSource.IMPORT: "Nhập từ tệp",
    WriteSource.API: "Giao diện lập trình (API)",
    WriteSource.CORRECTION: "Yêu cầu chỉnh sửa",
    WriteSource.SEED: "Dữ liệu mẫu ban đầu",
    WriteSource.REVERT: "Hoàn tác",
    WriteSource.SYSTEM: "Hệ thống",
    "out_of_band": "Ngoài ứng dụng",
}


class WriteMeta(BaseModel):
    """Who made the latest change, stamped by the app's write path on every write."""

    actor_id: str | None = label("Mã người sửa", default=None)
    actor_name: str | None = label("Người sửa", default=None)
    role: str | None = label("Vai trò", default=None)
    request_id: str | None = label("Mã yêu cầu", default=None)
    reason: str | None = label("Lý do", default=None)
    source: WriteSource = label("Nguồn", default=WriteSource.ADMIN)
    at: datetime | None = label("Thời điểm", default=None)
    # "delete" on the stamp written just before the app deletes the record.
    intent: str | None = label("Mục đích", default=None)
    # The correction request (its id) a write applies, linked from the change log.
    correction: str | None = label("Phiếu đề nghị điều chỉnh", default=None)
