"""An inspection record (biên bản kiểm tra, Art. 6.3): the board or a subject group inspects
the record books over a period and writes down what it found."""

from __future__ import annotations

from datetime import date

from beanie import Document
from pydantic import ValidationInfo, field_validator
from pymongo import ASCENDING, DESCENDING, IndexModel

from .common import WriteMeta, label
from .resources import register_model
from .types import DateField, Text


class Inspection(Document):
    """One inspection: over which period, of what, what was found, by whom."""

    school_year: str = label("Năm học", pattern=r"^\d{4}-\d{4}$")
    period_from: DateField = label("Từ ngày")
    period_to: DateField = label("Đến ngày")
    # None: the whole school; otherwise the subject group inspected (the row filter of a
    # group head's grant reads it).
    subject_group: Text | None = label("Tổ chuyên môn được kiểm tra", default=None, max_length=120)
    scope: Text = label("Phạm vi kiểm tra", min_length=1, max_length=1000)
    findings: Text = label("Kết quả kiểm tra", min_length=1, max_length=10000)
    recommendations: Text | None = label("Kiến nghị", default=None, max_length=5000)
    inspectors: Text = label("Người kiểm tra", min_length=1, max_length=500)
    created_by: str | None = label("Người lập", default=None)

    version: int = label("Phiên bản", default=0, ge=0)
    meta: WriteMeta | None = label("Lần sửa gần nhất", default=None)

    class Settings:
        name = "inspections"
        indexes = [
            IndexModel([("period_to", DESCENDING)], name="period_to"),
            IndexModel([("subject_group", ASCENDING)], name="subject_group"),
        ]

    @field_validator("period_to")
    @classmethod
    def _period(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("period_from")
        if isinstance(start, date) and value < start:
            raise ValueError("Ngày kết thúc kỳ kiểm tra phải sau ngày bắt đầu")
        return value


register_model("inspections", Inspection)
