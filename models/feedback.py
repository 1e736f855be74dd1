"""A parent's report of a mistake in their child's record («Báo sai sót», regulation Art. 9):
what they saw, what they say, and the homeroom teacher's answer. Written through the stamped
write path and followed by the change log, like every other workflow state."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document
from pymongo import ASCENDING, DESCENDING, IndexModel

from .common import WriteMeta, label
from .resources import register_model
from .types import Text

MESSAGE_MAX = 1000
ANSWER_MAX = 2000


class ReportStatus(StrEnum):
    NEW = "moi"
    IN_PROGRESS = "dang_xu_ly"
    ANSWERED = "da_tra_loi"
    CORRECTION = "de_nghi_dieu_chinh"


REPORT_STATUS_LABELS: dict[ReportStatus, str] = {
    ReportStatus.NEW: "Mới",
    ReportStatus.IN_PROGRESS: "Đang xử lý",
    ReportStatus.ANSWERED: "Đã trả lời",
    ReportStatus.CORRECTION: "Đã chuyển thành đề nghị điều chỉnh",
}
# Reports still waiting for the school (an inbox counts them).
OPEN_STATUSES = (ReportStatus.NEW, ReportStatus.IN_PROGRESS)


class ParentReport(Document):
    """One reported mistake on one item of one pupil's record."""

    student_id: str = label("Mã hồ sơ học sinh")
    student_name: Text = label("Học sinh", min_length=1, max_length=120)
    # The pupil's class when the report was made: whose homeroom teacher answers it.
    school_year: str = label("Năm học", pattern=r"^\d{4}-\d{4}$")
    class_name: Text = label("Lớp", min_length=1, max_length=20)
    path: str = label("Mục (đường dẫn)", min_length=1, max_length=200)
    item_label: Text = label("Mục", min_length=1, max_length=300)
    value_shown: Text = label("Giá trị phụ huynh thấy", default="", max_length=500)
    message: Text = label("Nội dung phản ánh", min_length=1, max_length=MESSAGE_MAX)
    account_id: str = label("Mã tài khoản phụ huynh")
    account_name: Text = label("Phụ huynh", min_length=1, max_length=120)
    created_at: datetime = label("Thời điểm gửi")
    status: ReportStatus = label("Trạng thái", default=ReportStatus.NEW)
    answer: Text | None = label("Trả lời của nhà trường", default=None, max_length=ANSWER_MAX)
    answered_by: Text | None = label("Người trả lời", default=None, max_length=120)
    answered_at: datetime | None = label("Thời điểm trả lời", default=None)
    # The same report in the approval chain's correction queue (its CorrectionRequest id).
    request_id: str | None = label("Phiếu trong hàng chờ điều chỉnh", default=None)
    version: int = label("Phiên bản", default=0, ge=0)
    meta: WriteMeta | None = label("Lần sửa gần nhất", default=None)

    class Settings:
        name = "parent_reports"
        use_revision = True
        indexes = [
            IndexModel([("account_id", ASCENDING), ("created_at", DESCENDING)], name="account"),
            IndexModel(
                [("school_year", ASCENDING), ("class_name", ASCENDING), ("status", ASCENDING)],
                name="class_status",
            ),
        ]


register_model("parent_reports", ParentReport)
