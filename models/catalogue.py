"""Catalogues: school years, classes and subjects."""

from __future__ import annotations

from beanie import Document
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from .common import WriteMeta, label
from .resources import register_model
from .types import DateField, Text


class SchoolYear(Document):
    code: str = label("Năm học", pattern=r"^\d{4}-\d{4}$")
    starts_on: DateField = label("Ngày bắt đầu")
    term1_ends_on: DateField = label("Ngày kết thúc học kỳ I")
    ends_on: DateField = label("Ngày kết thúc")
    is_current: bool = label("Năm học hiện tại", default=False)

    version: int = label("Phiên bản", default=0, ge=0)
    meta: WriteMeta | None = label("Lần sửa gần nhất", default=None)

    class Settings:
        name = "school_years"
        indexes = [IndexModel([("code", ASCENDING)], name="code_unique", unique=True)]


class SchoolClass(Document):
    school_year: str = label("Năm học", pattern=r"^\d{4}-\d{4}$")
    name: Text = label("Tên lớp", min_length=1, max_length=20)
    grade: int = label("Khối", ge=6, le=9)
    homeroom_teacher: str | None = label("Giáo viên chủ nhiệm", default=None)

    version: int = label("Phiên bản", default=0, ge=0)
    meta: WriteMeta | None = label("Lần sửa gần nhất", default=None)

    class Settings:
        name = "classes"
        indexes = [
            IndexModel(
                [("school_year", ASCENDING), ("name", ASCENDING)],
                name="year_name_unique",
                unique=True,
            )
        ]


class Subject(Document):
    code: str = label("Mã môn", pattern=r"^[A-Z0-9_]{2,20}$")
    name: Text = label("Tên môn học", min_length=1, max_length=120)
    kind: str = label("Hình thức đánh giá", pattern=r"^(score|comment)$")
    periods: dict[str, int] = label("Số tiết/năm theo khối", default_factory=dict)
    elective: bool = label("Môn tự chọn", default=False)
    group: Text | None = label("Tổ chuyên môn", default=None, max_length=120)
    order: int = Field(default=0, title="Thứ tự hiển thị")

    version: int = label("Phiên bản", default=0, ge=0)
    meta: WriteMeta | None = label("Lần sửa gần nhất", default=None)

    class Settings:
        name = "subjects"
        indexes = [IndexModel([("code", ASCENDING)], name="code_unique", unique=True)]


register_model("school_years", SchoolYear)
register_model("classes", SchoolClass)
register_model("subjects", Subject)
