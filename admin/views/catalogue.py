"""Catalogue views: school years, classes and subjects."""

from __future__ import annotations

from starlette_admin import fields as sa

from models.catalogue import SchoolClass, SchoolYear, Subject

from .base import ScopedModelView
from .fields import VersionField, VnDateField


class SchoolYearView(ScopedModelView):
    resource = "school_years"
    fields = [
        sa.StringField("code", label="Năm học", required=True, help_text="Ví dụ: 2025-2026"),
        VnDateField("starts_on", label="Ngày bắt đầu", required=True),
        VnDateField("term1_ends_on", label="Ngày kết thúc học kỳ I", required=True),
        VnDateField("ends_on", label="Ngày kết thúc", required=True),
        sa.BooleanField("is_current", label="Năm học hiện tại"),
        VersionField("version"),
    ]
    fields_default_sort = [("code", True)]

    def __init__(self) -> None:
        super().__init__(
            SchoolYear,
            icon="fa fa-calendar",
            display_name="Năm học",
            menu_label="Năm học",
            key="school-years",
        )


class SchoolClassView(ScopedModelView):
    resource = "classes"
    fields = [
        sa.StringField("school_year", label="Năm học", required=True),
        sa.StringField("name", label="Tên lớp", required=True),
        sa.IntegerField("grade", label="Khối", required=True),
        sa.StringField("homeroom_teacher", label="Giáo viên chủ nhiệm (tên đăng nhập)"),
        VersionField("version"),
    ]
    searchable_fields = ["name", "school_year", "homeroom_teacher"]
    fields_default_sort = [("school_year", True), "name"]

    def __init__(self) -> None:
        super().__init__(
            SchoolClass,
            icon="fa fa-people-roof",
            display_name="Lớp học",
            menu_label="Lớp học",
            key="classes",
        )


class SubjectView(ScopedModelView):
    resource = "subjects"
    fields = [
        sa.StringField("code", label="Mã môn", required=True),
        sa.StringField("name", label="Tên môn học", required=True),
        sa.EnumField(
            "kind",
            label="Hình thức đánh giá",
            choices=[("score", "Đánh giá bằng điểm số"), ("comment", "Đánh giá bằng nhận xét")],
        ),
        sa.BooleanField("elective", label="Môn tự chọn"),
        sa.StringField("group", label="Tổ chuyên môn"),
        sa.IntegerField("order", label="Thứ tự hiển thị", default=0),  # empty is refused
        VersionField("version"),
    ]
    fields_default_sort = ["order"]

    def __init__(self) -> None:
        super().__init__(
            Subject, icon="fa fa-book", display_name="Môn học", menu_label="Môn học", key="subjects"
        )
