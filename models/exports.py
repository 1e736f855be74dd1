"""The export journal: who took which file out of the school's records, and when."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document
from pymongo import ASCENDING, DESCENDING, IndexModel

from .common import label
from .resources import register_model


class ExportKind(StrEnum):
    SUMMARY = "summary"
    RECORD_BOOK = "record_book"
    INTEGRATION = "integration"
    WORKBOOK = "workbook"
    PUPIL_LIST = "pupil_list"
    TRANSFER_IN = "transfer_in"
    RESULTS_STATISTICS = "results_statistics"


EXPORT_KIND_LABELS = {
    ExportKind.SUMMARY: "Phiếu báo kết quả học tập",
    ExportKind.RECORD_BOOK: "Học bạ",
    ExportKind.INTEGRATION: "Dữ liệu liên thông",
    ExportKind.WORKBOOK: "Bảng kết quả các lớp (Excel)",
    ExportKind.PUPIL_LIST: "Danh sách học sinh (CSV)",
    ExportKind.TRANSFER_IN: "Nhập năm học cũ của học sinh chuyển đến",
    ExportKind.RESULTS_STATISTICS: "Thống kê kết quả (Excel)",
}


class ExportEntry(Document):
    """One file handed out (or read in, for a transfer in); append-only."""

    at: datetime = label("Thời điểm")
    kind: ExportKind = label("Loại tệp")
    file_format: str = label("Định dạng")
    file_name: str = label("Tên tệp")
    description: str = label("Nội dung", default="")
    school_year: str | None = label("Năm học", default=None)
    class_name: str | None = label("Lớp", default=None)
    pupil_count: int = label("Số học sinh", default=0)
    pupil_codes: list[str] = label("Mã học sinh", default_factory=list)
    actor_id: str | None = label("Mã người xuất", default=None)
    actor_name: str | None = label("Người xuất", default=None)
    username: str | None = label("Tên đăng nhập", default=None)
    request_id: str | None = label("Mã yêu cầu", default=None)

    class Settings:
        name = "export_journal"
        indexes = [
            IndexModel([("at", DESCENDING)], name="at_desc"),
            IndexModel([("actor_id", ASCENDING), ("at", DESCENDING)], name="actor_at"),
        ]


register_model("export_journal", ExportEntry)
