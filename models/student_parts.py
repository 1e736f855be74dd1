"""The parts of a pupil's record: profile, guardians, and one school year's results."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from .common import label
from .types import DateField, Dec, Mark, Text

Level = Literal["T", "K", "Đ", "CĐ"]  # Tốt / Khá / Đạt / Chưa đạt (ministry codes)
LEVEL_LABELS = {"T": "Tốt", "K": "Khá", "Đ": "Đạt", "CĐ": "Chưa đạt"}
TERMS = ("hk1", "hk2")
TERM_LABELS = {"hk1": "Học kỳ I", "hk2": "Học kỳ II", "year": "Cả năm"}
TITLE_LABELS = {"XUATSAC": "Học sinh Xuất sắc", "GIOI": "Học sinh Giỏi"}


class Sex(StrEnum):
    MALE = "nam"
    FEMALE = "nu"


SEX_LABELS = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}


class Status(StrEnum):
    STUDYING = "studying"
    TRANSFERRED = "transferred"
    GRADUATED = "graduated"
    LEFT = "left"


STATUS_LABELS = {
    Status.STUDYING: "Đang học",
    Status.TRANSFERRED: "Đã chuyển trường",
    Status.GRADUATED: "Đã tốt nghiệp",
    Status.LEFT: "Đã nghỉ học",
}


PHONE = re.compile(r"^(\+84|0)?\d{8,10}$")
PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


class Guardian(BaseModel):
    relation: Literal["cha", "me", "giam_ho"] = label("Quan hệ")
    full_name: Text = label("Họ và tên", min_length=1, max_length=120)
    phone: str | None = label("Số điện thoại", default=None, max_length=20)
    occupation: Text | None = label("Nghề nghiệp", default=None, max_length=120)
    birth_year: int | None = label("Năm sinh", default=None, ge=1900, le=2100)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        digits = PHONE_SEPARATORS.sub("", value.strip())
        if not PHONE.match(digits):
            raise ValueError("Số điện thoại chỉ gồm chữ số (9–11 số), có thể bắt đầu bằng +84")
        return value.strip()


class TransferOut(BaseModel):
    """A transfer to another school: the record is kept, read-only."""

    on: DateField = label("Ngày chuyển đi")
    to_school: Text = label("Trường chuyển đến", min_length=1, max_length=200)
    reason: Text | None = label("Lý do chuyển trường", default=None, max_length=500)
    decision_no: Text | None = label("Số quyết định", default=None, max_length=60)


class TransferIn(BaseModel):
    """An arrival from another school: where the pupil comes from, when, and by which
    decision."""

    on: DateField = label("Ngày chuyển đến")
    from_school: Text = label("Chuyển từ trường", min_length=1, max_length=200)
    reason: Text | None = label("Lý do chuyển trường", default=None, max_length=500)
    decision_no: Text | None = label("Số quyết định", default=None, max_length=60)


class Profile(BaseModel):
    # Names are accepted as typed (apostrophes, unusual spellings); only NFC and spaces change.
    full_name: Text = label("Họ và tên", min_length=1, max_length=120)
    sex: Sex = label("Giới tính")
    birth_date: DateField = label("Ngày sinh")
    birth_place: Text | None = label("Nơi sinh", default=None, max_length=250)
    ethnicity: Text = label("Dân tộc", default="Kinh", max_length=60)
    nationality: Text = label("Quốc tịch", default="Việt Nam", max_length=60)
    religion: Text | None = label("Tôn giáo", default=None, max_length=60)
    policy_category: Text | None = label("Đối tượng chính sách", default=None, max_length=250)
    address: Text | None = label("Nơi thường trú", default=None, max_length=250)
    current_address: Text | None = label("Chỗ ở hiện nay", default=None, max_length=250)
    guardians: list[Guardian] = label("Cha mẹ / người giám hộ", default_factory=list)


class Placement(BaseModel):
    school_year: str = label("Năm học", pattern=r"^\d{4}-\d{4}$")
    grade: int = label("Khối", ge=6, le=9)
    class_name: Text = label("Lớp", min_length=1, max_length=20)


class Lock(BaseModel):
    locked: bool = label("Đã khóa", default=False)
    by: str | None = label("Người khóa", default=None)
    at: datetime | None = label("Thời điểm khóa", default=None)
    # A book's lock only: the teacher submitted the book and it waits for the subject group
    # and the board; closed to entry like a lock until it is returned (never "approved").
    submitted: bool = label("Đã nộp, chờ duyệt", default=False)


class Locks(BaseModel):
    """Closed parts of a school year, per term and for the whole year. The same shape serves
    the whole school (``years.Y.locks``, Art. 10.4), one subject's book
    (``years.Y.subjects.S.locks``) and the homeroom book (``years.Y.homeroom_locks``); only the
    approval workflow writes them."""

    hk1: Lock = label("Khóa học kỳ I", default_factory=Lock)
    hk2: Lock = label("Khóa học kỳ II", default_factory=Lock)
    year: Lock = label("Khóa cả năm", default_factory=Lock)


class SubjectTerm(BaseModel):
    """One subject in one term: the assessments and what was computed from them."""

    tx: list[Mark | None] = label("Đánh giá thường xuyên", default_factory=list)
    gk: Mark | None = label("Đánh giá giữa kỳ", default=None)
    ck: Mark | None = label("Đánh giá cuối kỳ", default=None)
    average: Dec | None = label("Điểm trung bình môn học kỳ", default=None)
    result: Literal["Đ", "CĐ"] | None = label("Kết quả (môn đánh giá bằng nhận xét)", default=None)
    comment: Text | None = label("Nhận xét", default=None, max_length=1000)


class SubjectYear(BaseModel):
    kind: Literal["score", "comment"] = label("Hình thức đánh giá")
    teacher: str | None = label("Giáo viên bộ môn", default=None)
    hk1: SubjectTerm = label("Học kỳ I", default_factory=SubjectTerm)
    hk2: SubjectTerm = label("Học kỳ II", default_factory=SubjectTerm)
    year_average: Dec | None = label("Điểm trung bình môn cả năm", default=None)
    year_result: Literal["Đ", "CĐ"] | None = label("Kết quả cả năm", default=None)
    reassessment: Mark | None = label("Kết quả kiểm tra lại", default=None)
    comment: Text | None = label("Nhận xét cả năm", default=None, max_length=1000)
    locks: Locks = label("Khóa sổ điểm môn", default_factory=Locks)


class Absences(BaseModel):
    excused: int = label("Nghỉ có phép (buổi)", default=0, ge=0, le=200)
    unexcused: int = label("Nghỉ không phép (buổi)", default=0, ge=0, le=200)


class TermLevels(BaseModel):
    hk1: Level | None = label("Học kỳ I", default=None)
    hk2: Level | None = label("Học kỳ II", default=None)
    year: Level | None = label("Cả năm", default=None)
    after_summer: Level | None = label("Sau rèn luyện hè / kiểm tra lại", default=None)


class Award(BaseModel):
    title: Text = label("Khen thưởng", min_length=1, max_length=250)
    level: Text | None = label("Cấp", default=None, max_length=60)
    decided_on: DateField | None = label("Ngày quyết định", default=None)
    decision_no: Text | None = label("Số quyết định", default=None, max_length=60)


class Discipline(BaseModel):
    form: Text = label("Hình thức kỷ luật", min_length=1, max_length=250)
    reason: Text | None = label("Lý do", default=None, max_length=500)
    decided_on: DateField | None = label("Ngày quyết định", default=None)
    decision_no: Text | None = label("Số quyết định", default=None, max_length=60)


class Promotion(BaseModel):
    outcome: str | None = label("Kết quả xét lên lớp", default=None)
    label_vi: str | None = label("Diễn giải", default=None)
    promoted: bool | None = label("Được lên lớp", default=None)
    reasons: list[str] = label("Lý do", default_factory=list)


class SchoolYearRecord(BaseModel):
    """Everything one school year adds to the record book."""

    grade: int = label("Khối", ge=6, le=9)
    class_name: Text = label("Lớp", min_length=1, max_length=20)
    homeroom_teacher: str | None = label("Giáo viên chủ nhiệm", default=None)
    subjects: dict[str, SubjectYear] = label("Môn học", default_factory=dict)
    conduct: TermLevels = label("Kết quả rèn luyện", default_factory=TermLevels)
    learning: TermLevels = label("Kết quả học tập", default_factory=TermLevels)
    absences: dict[str, Absences] = label("Số buổi nghỉ", default_factory=dict)
    promotion: Promotion = label("Xét lên lớp", default_factory=Promotion)
    title: Literal["XUATSAC", "GIOI"] | None = label("Danh hiệu", default=None)
    homeroom_comment: Text | None = label("Nhận xét của GVCN", default=None, max_length=2000)
    awards: list[Award] = label("Khen thưởng", default_factory=list)
    discipline: list[Discipline] = label("Kỷ luật", default_factory=list)
    locks: Locks = label("Khóa sổ", default_factory=Locks)
    homeroom_locks: Locks = label("Khóa sổ chủ nhiệm", default_factory=Locks)
    pending: list[str] = Field(default_factory=list, title="Còn thiếu để tính kết quả")

    @field_validator("absences")
    @classmethod
    def _terms_only(cls, value: dict[str, Absences]) -> dict[str, Absences]:
        unknown = set(value) - set(TERMS)
        if unknown:
            raise ValueError(f"Học kỳ không hợp lệ: {', '.join(sorted(unknown))}")
        return value
