"""The approval chain's state: one document per book (class × subject × term, or a homeroom
class × term), written through the stamped write path and followed by the change log.

The pupil records hold the locks; this document holds where the book stands in the chain, who
did each step and what the board approved (each record's version at approval).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from .common import WriteMeta, label
from .resources import register_model
from .types import Text


class Stage(StrEnum):
    ENTERING = "entering"
    SUBMITTED = "submitted"
    CHECKED = "checked"
    APPROVED = "approved"
    LOCKED = "locked"


STAGE_LABELS: dict[Stage, str] = {
    Stage.ENTERING: "Đang nhập",
    Stage.SUBMITTED: "Đã nộp",
    Stage.CHECKED: "Tổ chuyên môn đã kiểm tra",
    Stage.APPROVED: "Ban giám hiệu đã duyệt",
    Stage.LOCKED: "Đã khóa",
}


class StepKind(StrEnum):
    SUBMIT = "submit"
    RETURN = "return"
    CHECK = "check"
    APPROVE = "approve"
    LOCK = "lock"
    UNLOCK = "unlock"
    REFUSE = "refuse"
    APPLY = "apply"


STEP_LABELS: dict[StepKind, str] = {
    StepKind.SUBMIT: "Nộp sổ",
    StepKind.RETURN: "Trả lại",
    StepKind.CHECK: "Kiểm tra đạt",
    StepKind.APPROVE: "Duyệt",
    StepKind.LOCK: "Khóa sổ",
    StepKind.UNLOCK: "Mở khóa",
    StepKind.REFUSE: "Từ chối",
    StepKind.APPLY: "Áp dụng",
}


class Note(BaseModel):
    """A comment on one pupil (and optionally one cell) of the book: a gap's reason at
    submission, or what the checker found when returning the book."""

    student_id: str = label("Mã hồ sơ học sinh")
    student_name: Text = label("Học sinh", default="")
    path: str | None = label("Ô (đường dẫn)", default=None)
    text: Text = label("Nội dung", min_length=1, max_length=1000)


class Step(BaseModel):
    kind: StepKind = label("Bước")
    actor_id: str = label("Mã người thực hiện")
    actor_name: Text = label("Người thực hiện")
    at: datetime = label("Thời điểm")
    comment: Text | None = label("Ý kiến", default=None, max_length=2000)
    notes: list[Note] = label("Ghi chú theo học sinh", default_factory=list)


class Gradebook(Document):
    """Where one book stands in the chain."""

    school_year: str = label("Năm học", pattern=r"^\d{4}-\d{4}$")
    class_name: Text = label("Lớp", min_length=1, max_length=20)
    kind: Literal["subject", "homeroom"] = label("Loại sổ")
    # The subject's catalogue code; None for the homeroom book.
    subject: str | None = label("Môn học", default=None)
    term: Literal["hk1", "hk2", "year"] = label("Học kỳ")
    subject_group: Text | None = label("Tổ chuyên môn", default=None)
    teacher: str | None = label("Giáo viên phụ trách", default=None)  # username
    # Set at submission when the one who submitted it could check it themselves (a group head's
    # own book): the board checks it instead. Nobody checks or approves what they submitted.
    checked_by_board: bool = label("Ban giám hiệu kiểm tra", default=False)
    stage: Stage = label("Trạng thái", default=Stage.ENTERING)
    steps: list[Step] = label("Các bước", default_factory=list)
    # The latest submission's reasons for what was still missing, and the latest return's notes.
    gaps: list[Note] = label("Lý do còn thiếu khi nộp", default_factory=list)
    returned: list[Note] = label("Nhận xét khi trả lại", default_factory=list)
    # Record id -> version at the check, and at the approval: what exactly was approved.
    checked_versions: dict[str, int] = Field(default_factory=dict, title="Phiên bản khi kiểm tra")
    approved_versions: dict[str, int] = Field(default_factory=dict, title="Phiên bản khi duyệt")

    version: int = label("Phiên bản", default=0, ge=0)
    meta: WriteMeta | None = label("Lần sửa gần nhất", default=None)

    @property
    def last_submission(self) -> Step | None:
        """The latest step that handed the book in, None before any submission."""
        return next((s for s in reversed(self.steps) if s.kind is StepKind.SUBMIT), None)

    @property
    def submitter_id(self) -> str | None:
        """Who handed the book in last (the account id), None before any submission."""
        submitted = self.last_submission
        return submitted.actor_id if submitted else None

    class Settings:
        name = "gradebooks"
        indexes = [
            IndexModel(
                [
                    ("school_year", ASCENDING),
                    ("class_name", ASCENDING),
                    ("kind", ASCENDING),
                    ("subject", ASCENDING),
                    ("term", ASCENDING),
                ],
                name="book_unique",
                unique=True,
            ),
            IndexModel([("stage", ASCENDING)], name="stage"),
            # The dashboards' check for changes: the latest write.
            IndexModel([("meta.at", DESCENDING)], name="latest_write"),
        ]


register_model("gradebooks", Gradebook)


class RequestKind(StrEnum):
    CORRECTION = "correction"
    COMPLAINT = "complaint"
    PARENT_REPORT = "parent_report"


REQUEST_KIND_LABELS: dict[RequestKind, str] = {
    RequestKind.CORRECTION: "Đề nghị điều chỉnh",
    RequestKind.COMPLAINT: "Khiếu nại",
    RequestKind.PARENT_REPORT: "Phụ huynh báo sai sót",
}


class RequestStatus(StrEnum):
    SUBMITTED = "submitted"
    CHECKED = "checked"
    APPLIED = "applied"
    REFUSED = "refused"


REQUEST_STATUS_LABELS: dict[RequestStatus, str] = {
    RequestStatus.SUBMITTED: "Đã gửi, chờ tổ chuyên môn",
    RequestStatus.CHECKED: "Tổ chuyên môn đã kiểm tra, chờ duyệt",
    RequestStatus.APPLIED: "Đã duyệt và áp dụng",
    RequestStatus.REFUSED: "Bị từ chối",
}


class CellChange(BaseModel):
    """One cell a request asks to change: its path in the pupil record, the value it held when
    the request was made (a cell changed since is refused on approval) and the new value."""

    path: str = label("Ô (đường dẫn)", min_length=1, max_length=300)
    title: Text = label("Ô", default="")
    old: Any = label("Giá trị cũ", default=None)
    new: Any = label("Giá trị mới", default=None)


class CorrectionRequest(Document):
    """A request to change locked data (phiếu đề nghị điều chỉnh, Art. 7.2), a complaint from
    staff or a mistake a parent reported: one queue, checked by the subject group and decided by
    the board; an approved request's cells are applied exactly as listed."""

    kind: RequestKind = label("Loại phiếu", default=RequestKind.CORRECTION)
    status: RequestStatus = label("Trạng thái", default=RequestStatus.SUBMITTED)
    school_year: str = label("Năm học", pattern=r"^\d{4}-\d{4}$")
    class_name: Text = label("Lớp", min_length=1, max_length=20)
    # The subject book the cells lie in (None: the homeroom book, or a request without cells).
    subject: str | None = label("Môn học", default=None)
    term: Literal["hk1", "hk2", "year"] | None = label("Học kỳ", default=None)
    subject_group: Text | None = label("Tổ chuyên môn", default=None)
    student_id: str = label("Mã hồ sơ học sinh")
    student_name: Text = label("Học sinh", default="")
    cells: list[CellChange] = label("Các ô đề nghị sửa", default_factory=list)
    reason: Text = label("Lý do", min_length=1, max_length=2000)
    evidence: Text | None = label("Minh chứng", default=None, max_length=2000)
    requested_by: str = label("Người đề nghị")  # username, or "parent:<id>" for a parent
    requested_by_name: Text = label("Họ tên người đề nghị", default="")
    steps: list[Step] = label("Các bước", default_factory=list)
    decision: Text | None = label("Kết luận", default=None, max_length=2000)

    version: int = label("Phiên bản", default=0, ge=0)
    meta: WriteMeta | None = label("Lần sửa gần nhất", default=None)

    class Settings:
        name = "corrections"
        indexes = [
            IndexModel([("status", ASCENDING), ("school_year", ASCENDING)], name="status"),
            IndexModel([("requested_by", ASCENDING)], name="requested_by"),
            IndexModel([("student_id", ASCENDING)], name="student"),
        ]


register_model("corrections", CorrectionRequest)
