"""The pupil's record book: one document per pupil holding every school year."""

from __future__ import annotations

import re

from beanie import Document
from pydantic import Field, field_validator, model_validator
from pymongo import ASCENDING, DESCENDING, IndexModel

from .common import WriteMeta, label
from .resources import register_model
from .student_parts import (
    Placement,
    Profile,
    SchoolYearRecord,
    Status,
    TransferIn,
    TransferOut,
)
from .types import search_key

SCHEMA_VERSION = 1
MOET_ID_PATTERN = r"^[0-9A-Za-z]{6,20}$"  # the national learner ID (mã định danh)
SCHOOL_YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{4})$")


class StudentRecord(Document):
    """Học bạ of one pupil. ``years`` is keyed by school year ("2025-2026") and each year's
    ``subjects`` by subject code ("TOAN"), so every score has one readable path such as
    ``years.2025-2026.subjects.TOAN.hk1.gk``."""

    code: str = label("Mã học sinh", min_length=1, max_length=30, pattern=r"^[A-Za-z0-9_.-]+$")
    moet_id: str | None = label("Mã định danh học sinh", default=None, pattern=MOET_ID_PATTERN)
    profile: Profile = label("Thông tin cá nhân")
    status: Status = label("Tình trạng", default=Status.STUDYING)
    current: Placement | None = label("Lớp hiện tại", default=None)
    transfer_in: TransferIn | None = label("Chuyển đến", default=None)
    transfer_out: TransferOut | None = label("Chuyển trường", default=None)
    years: dict[str, SchoolYearRecord] = label("Các năm học", default_factory=dict)
    search_name: str = Field(default="", title="Khóa tìm kiếm")
    version: int = label("Phiên bản", default=0, ge=0)
    meta: WriteMeta | None = label("Lần sửa gần nhất", default=None)
    schema_version: int = Field(default=SCHEMA_VERSION, title="Phiên bản cấu trúc")

    class Settings:
        name = "students"
        use_revision = True
        indexes = [
            IndexModel([("code", ASCENDING)], name="code_unique", unique=True),
            # Sparse, not partial: unique only when present (partial indexes are not portable).
            IndexModel([("moet_id", ASCENDING)], name="moet_id_unique", unique=True, sparse=True),
            IndexModel(
                [("current.school_year", ASCENDING), ("current.class_name", ASCENDING)],
                name="current_class",
            ),
            IndexModel([("search_name", ASCENDING)], name="search_name"),
            IndexModel([("status", ASCENDING)], name="status"),
            # The latest write in a reader's scope (the dashboards' snapshot check).
            IndexModel([("meta.at", DESCENDING)], name="latest_write"),
        ]

    @field_validator("years")
    @classmethod
    def _year_keys(cls, value: dict[str, SchoolYearRecord]) -> dict[str, SchoolYearRecord]:
        for key in value:
            match = SCHOOL_YEAR_PATTERN.match(key)
            if not match or int(match.group(2)) != int(match.group(1)) + 1:
                raise ValueError(f"Năm học «{key}» không hợp lệ (ví dụ đúng: 2025-2026)")
        return value

    @model_validator(mode="after")
    def _derive_search_name(self) -> StudentRecord:
        self.search_name = search_key(self.profile.full_name)
        return self


register_model("students", StudentRecord)
