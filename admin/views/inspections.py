"""Inspection records (biên bản kiểm tra, Art. 6.3): listed, written and edited like any other
audited document; the detail page links to the printable record."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette_admin import fields as sa

from app.store.directory import subject_groups
from models.inspection import Inspection

from ..access import access_of
from .base import ScopedModelView
from .choices import CatalogueChoiceField, Choices, ChoiceSource
from .fields import VersionField, VnDateField


async def _groups() -> dict[str, Choices]:
    return {"groups": [(group, group) for group in await subject_groups()]}


# The subject groups, picked from a list: a typed name had to match the group's exactly.
GROUP_CHOICES = ChoiceSource("inspection_groups", _groups)


class InspectionView(ScopedModelView):
    resource = "inspections"
    detail_template = "dashboards/inspection_detail.html"
    set_by_app = ("created_by",)
    fields = [
        sa.StringField("school_year", label="Năm học", required=True, help_text="Ví dụ: 2025-2026"),
        VnDateField("period_from", label="Từ ngày", required=True),
        VnDateField("period_to", label="Đến ngày", required=True),
        CatalogueChoiceField(
            "subject_group",
            label="Tổ chuyên môn được kiểm tra",
            source=GROUP_CHOICES,
            source_key="groups",
            list_template="fields/list/text.html",
            detail_template="fields/detail/text.html",
            help_text="Để trống nếu kiểm tra toàn trường. Tổ trưởng chỉ ghi được biên bản của tổ "
            "mình.",
        ),
        sa.TextAreaField("scope", label="Phạm vi kiểm tra", required=True),
        sa.TextAreaField("findings", label="Kết quả kiểm tra", required=True),
        sa.TextAreaField("recommendations", label="Kiến nghị"),
        sa.StringField("inspectors", label="Người kiểm tra", required=True),
        sa.StringField("created_by", label="Người lập", read_only=True, exclude_from_create=True),
        VersionField("version"),
    ]
    exclude_fields_from_list = ["scope", "findings", "recommendations", "version"]
    searchable_fields = ["school_year", "subject_group", "inspectors"]
    fields_default_sort = [("period_to", True)]

    def __init__(self) -> None:
        super().__init__(
            Inspection,
            icon="fa fa-clipboard-check",
            display_name="Biên bản kiểm tra",
            menu_label="Biên bản kiểm tra",
            key="inspections",
        )

    async def create(self, request: Request, data: dict[str, Any]) -> Any:
        user = access_of(request).user
        data["created_by"] = user.full_name if user is not None else None
        return await super().create(request, data)
