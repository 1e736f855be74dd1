"""The modification log: one append-only, hash-chained entry per change to an audited record."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from .common import label
from .resources import register_model


class EntryKind(StrEnum):
    CHANGE = "change"  # one change-stream event
    GAP = "gap"  # written after lost history: the record's state as found
    BASELINE = "baseline"  # the state of records that existed before the log started


class FieldChange(BaseModel):
    path: str = label("Đường dẫn")
    title: str = label("Trường")
    old: Any = label("Giá trị cũ", default=None)
    new: Any = label("Giá trị mới", default=None)
    old_known: bool = label("Biết giá trị cũ", default=True)


class ChangeLogEntry(Document):
    """Written only by the change-log worker; the app never updates or deletes an entry."""

    seq: int = label("Số thứ tự")
    token: str = label("Mã sự kiện")  # the change event's resume token: replays are no-ops
    kind: EntryKind = label("Loại", default=EntryKind.CHANGE)
    collection: str = label("Bảng dữ liệu")
    record_id: Any = label("Mã bản ghi", default=None)
    record_key: str = label("Khóa bản ghi", default="")
    record_label: str = label("Bản ghi", default="")
    op: str = label("Thao tác")
    at: datetime = label("Thời điểm")
    actor_id: str | None = label("Mã người sửa", default=None)
    actor_name: str | None = label("Người sửa", default=None)
    actor_role: str | None = label("Vai trò", default=None)
    request_id: str | None = label("Mã yêu cầu", default=None)
    reason: str | None = label("Lý do", default=None)
    source: str | None = label("Nguồn", default=None)
    version: int | None = label("Phiên bản", default=None)
    intent: str | None = label("Mục đích", default=None)
    correction: str | None = label("Phiếu đề nghị điều chỉnh", default=None)
    diff: list[FieldChange] = label("Thay đổi", default_factory=list)
    snapshot: dict[str, Any] | None = label("Trạng thái bản ghi", default=None)
    out_of_band: bool = label("Ngoài ứng dụng", default=False)
    out_of_band_reason: str | None = label("Vì sao bị đánh dấu", default=None)
    prev_hash: str = label("Mã băm bản trước")
    hash: str = label("Mã băm")

    class Settings:
        name = "change_log"
        indexes = [
            IndexModel([("token", ASCENDING)], name="token_unique", unique=True),
            IndexModel([("seq", ASCENDING)], name="seq_unique", unique=True),
            IndexModel(
                [("collection", ASCENDING), ("record_key", ASCENDING), ("seq", DESCENDING)],
                name="record_history",
            ),
            IndexModel([("at", DESCENDING)], name="at_desc"),
            IndexModel([("out_of_band", ASCENDING), ("at", DESCENDING)], name="out_of_band"),
            IndexModel([("actor_id", ASCENDING), ("at", DESCENDING)], name="actor"),
        ]


class WorkerState(Document):
    """The worker's resume point, lease and catch-up (one document per purpose).

    ``stream``: where the change stream resumes; ``last_seq`` is the chain's length when it was
    saved, so the newer of it and the last entry wins. ``lease``: who consumes, until when, and
    where that process runs (a restart on the same machine takes over from a dead holder at
    once). ``catch_up``: a first-start baseline or a lost-history reconciliation in progress or
    done; ``resume_token`` is the stream position recorded before it began. ``marker``: a value
    the worker writes and waits to read back through its stream, to know it has caught up.
    """

    id: str = Field(alias="_id")  # type: ignore[assignment]
    resume_token: dict[str, Any] | None = None
    last_seq: int = 0
    last_hash: str = ""
    owner: str | None = None
    lease_until: datetime | None = None
    updated_at: datetime | None = None
    host: str | None = None
    pid: int | None = None
    pid_namespace: str | None = None
    kind: EntryKind | None = None
    detail: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    window_open: bool = False
    alarm_id: PydanticObjectId | None = None
    marker: str | None = None

    class Settings:
        name = "change_log_checkpoints"


class AlarmKind(StrEnum):
    HISTORY_LOST = "history_lost"
    COLLECTION_DROPPED = "collection_dropped"
    LOG_GAP = "log_gap"
    BACKUP_FAILED = "backup_failed"
    BACKUP_VERIFY_FAILED = "backup_verify_failed"


ALARM_LABELS = {
    AlarmKind.HISTORY_LOST: (
        "Mất lịch sử thay đổi của cơ sở dữ liệu: đã đối soát và ghi mục «khoảng trống»"
    ),
    AlarmKind.COLLECTION_DROPPED: "Một bảng dữ liệu bị xóa ngoài ứng dụng",
    AlarmKind.LOG_GAP: (
        "Nhật ký thiếu thay đổi của một số bản ghi: đã ghi mục «khoảng trống» cho từng bản ghi"
    ),
    AlarmKind.BACKUP_FAILED: "Sao lưu định kỳ không thực hiện được",
    AlarmKind.BACKUP_VERIFY_FAILED: "Kiểm tra bản sao lưu mới nhất không đạt",
}


class ChangeLogAlarm(Document):
    """Raised for the principal board and the IT group to see."""

    kind: AlarmKind = label("Loại cảnh báo")
    at: datetime = label("Thời điểm")
    detail: str = label("Chi tiết", default="")
    gap_entries: int = label("Số mục khoảng trống", default=0)
    acknowledged_by: str | None = label("Người xác nhận", default=None)
    acknowledged_at: datetime | None = label("Xác nhận lúc", default=None)

    class Settings:
        name = "change_log_alarms"
        indexes = [IndexModel([("at", DESCENDING)], name="at_desc")]


register_model("change_log", ChangeLogEntry)
