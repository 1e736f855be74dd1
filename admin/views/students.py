"""Pupil records in the panel: scoped list with diacritics-insensitive search, a readable
record-book detail page, and create/edit/delete through the single write path."""

from __future__ import annotations

import re
from typing import Any

from beanie.odm.utils.dump import get_dict
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette_admin import fields as sa
from starlette_admin.exceptions import FormValidationError
from starlette_admin.filters import FilterGroup
from starlette_admin.types import RequestAction

from app.api.search import name_pattern
from app.errors import Conflict, Forbidden, HocBaError
from app.permissions.engine import Action, still_in_scope
from app.permissions.matcher import matches
from app.records.diff import get_path
from app.records.paths import validate_value
from app.records.writer import create_record, delete_record, update_record
from app.validation_vi import messages_by_field
from models.common import WriteSource
from models.student import StudentRecord
from models.student_parts import SEX_LABELS, STATUS_LABELS

from ..access import access_of
from . import student_display as display
from .base import (
    ScopedModelView,
    blank_to_none,
    flatten,
    form_error,
    nest_errors,
    nothing_deleted,
    stored_form,
)
from .fields import CODE_FILTERS, VersionField, VnDateField, labelled

OUT_OF_SCOPE = "Thay đổi này sẽ đưa học sinh ra ngoài phạm vi bạn được quản lý nên không được lưu"


def _profile_fields() -> list[sa.BaseField]:
    return [
        sa.StringField("full_name", label="Họ và tên", required=True, maxlength=120),
        sa.EnumField(
            "sex",
            label="Giới tính",
            choices=[(k.value, v) for k, v in SEX_LABELS.items()],
            required=True,
        ),
        VnDateField("birth_date", label="Ngày sinh", required=True),
        sa.StringField("birth_place", label="Nơi sinh"),
        sa.StringField("ethnicity", label="Dân tộc"),
        sa.StringField("nationality", label="Quốc tịch"),
        sa.StringField("religion", label="Tôn giáo"),
        sa.StringField("policy_category", label="Đối tượng chính sách"),
        sa.StringField("address", label="Nơi thường trú"),
        sa.StringField("current_address", label="Chỗ ở hiện nay"),
        labelled(
            sa.ListField(
                sa.CollectionField(
                    "guardians",
                    fields=[
                        sa.EnumField(
                            "relation",
                            label="Quan hệ",
                            choices=[("cha", "Cha"), ("me", "Mẹ"), ("giam_ho", "Người giám hộ")],
                        ),
                        sa.StringField("full_name", label="Họ và tên"),
                        sa.StringField("occupation", label="Nghề nghiệp"),
                        sa.PhoneField("phone", label="Số điện thoại"),
                    ],
                ),
            ),
            "Cha mẹ / người giám hộ",
        ),
    ]


# Which stored path each list column shows, so read rules apply to the column too.
COLUMN_PATHS = {
    "list_name": "profile.full_name",
    "list_class": "current.class_name",
    "list_birth": "profile.birth_date",
    "list_sex": "profile.sex",
    "list_ethnicity": "profile.ethnicity",
}


def _column(name: str, label: str, value: Any) -> sa.ComputedField:
    async def getter(request: Request, obj: Any) -> Any:
        return value(obj)

    return sa.ComputedField(
        name,
        label=label,
        getter=getter,
        exclude_from_detail=True,
        exclude_from_edit=True,
        exclude_from_create=True,
    )


class StudentView(ScopedModelView):
    resource = "students"
    identity = "students"
    label = "Hồ sơ học sinh"
    name = "Học sinh"
    icon = "fa fa-user-graduate"
    detail_template = "students/detail.html"
    page_size = 25
    page_size_options = [25, 50, 100]
    fields = [
        sa.StringField("code", label="Mã học sinh", required=True),
        # Flat columns for the list (the collections above are for forms and detail).
        _column("list_name", "Họ và tên", lambda r: r.profile.full_name),
        _column("list_class", "Lớp", lambda r: r.current.class_name if r.current else ""),
        _column("list_birth", "Ngày sinh", lambda r: r.profile.birth_date.strftime("%d/%m/%Y")),
        _column("list_sex", "Giới tính", lambda r: SEX_LABELS.get(r.profile.sex, "")),
        _column("list_ethnicity", "Dân tộc", lambda r: r.profile.ethnicity),
        sa.StringField("moet_id", label="Mã định danh", exclude_from_list=True),
        labelled(sa.CollectionField("profile", fields=_profile_fields()), "Thông tin cá nhân"),
        sa.EnumField(
            "status", label="Tình trạng", choices=[(k.value, v) for k, v in STATUS_LABELS.items()]
        ),
        labelled(
            sa.CollectionField(
                "current",
                fields=[
                    sa.StringField("school_year", label="Năm học", filters=CODE_FILTERS),
                    sa.IntegerField("grade", label="Khối"),
                    sa.StringField("class_name", label="Lớp", filters=CODE_FILTERS),
                ],
            ),
            "Lớp hiện tại",
        ),
        VersionField("version", label="Phiên bản"),
    ]
    exclude_fields_from_list = ["moet_id", "version", "profile", "current"]
    column_paths = COLUMN_PATHS
    # The school years are most of a record and no column shows them.
    list_omits = ("years",)
    # The list filters ("Bộ lọc"), named in the URL by field name, e.g. ?filter=school_year__eq=
    # 2025-2026 AND grade__eq=7 AND class_name__eq=7A1 AND status__in=studying,transferred
    searchable_fields = [
        "code",
        "status",
        "current.school_year",
        "current.grade",
        "current.class_name",
    ]
    sortable_fields = ["code", "status"]
    fields_default_sort = ["code"]

    def __init__(self) -> None:
        super().__init__(
            StudentRecord,
            icon=self.icon,
            display_name=self.name,
            menu_label=self.label,
            key="students",
        )

    # -- search ----------------------------------------------------------------------------
    async def build_full_text_search_query(self, request: Request, term: str) -> Any:
        # "nguyen van a" finds "Nguyễn Văn A": compare against the stored search key.
        key = name_pattern(term)
        raw = re.escape(term.strip())
        return _RawQuery(
            {
                "$or": [
                    {"search_name": {"$regex": key}},
                    {"code": {"$regex": raw, "$options": "i"}},
                    {"moet_id": {"$regex": raw}},
                ]
            }
        ), False

    async def _build_query(
        self, request: Request, q: str | None = None, filters: FilterGroup | None = None
    ) -> tuple[dict, bool]:
        if q is not None and not q.strip():
            q = None
        return await super()._build_query(request, q, filters)

    async def repr(self, obj: Any, request: Request) -> str:
        return f"{obj.profile.full_name} ({obj.code})"

    # -- detail ---------------------------------------------------------------------------
    async def serialize(
        self,
        obj: Any,
        request: Request,
        include_relationships: bool = True,
        include_select2: bool = False,
    ) -> dict[str, Any]:
        data = await super().serialize(obj, request, include_relationships, include_select2)
        if getattr(request.state, "action", None) == RequestAction.DETAIL:
            scope = access_of(request).scope(self.resource, Action.VIEW)
            rules = scope.fields_for(stored_form(request, obj), "read") if scope else None
            visible = rules.filter_document(obj.model_dump(by_alias=True)) if rules else {}
            data["_book"] = {
                "name": (visible.get("profile") or {}).get("full_name", ""),
                "code": visible.get("code", ""),
                "profile": display.profile_rows(visible),
                "guardians": display.guardian_rows(visible),
                "years": await _with_staff_names(display.year_blocks(visible)),
            }
        return data

    # -- writes ---------------------------------------------------------------------------
    async def create(self, request: Request, data: dict) -> Any:
        scope = access_of(request).scope(self.resource, Action.CREATE)
        if scope is None or not scope.allowed:
            raise HTTPException(403)
        data.pop("version", None)
        try:
            record = StudentRecord.model_validate(data)
        except ValidationError as exc:
            raise form_error(nest_errors(messages_by_field(exc))) from exc
        raw = get_dict(record, to_db=True)
        if not matches(scope.filter, raw):
            raise form_error({"__all__": OUT_OF_SCOPE})
        writable = scope.fields_for(raw, "write")
        denied = [
            p
            for p, v in flatten(data).items()
            if v not in (None, "", []) and not writable.allows(p)
        ]
        if denied:
            raise form_error(
                nest_errors(dict.fromkeys(denied, "Bạn không có quyền nhập trường này"))
            )
        try:
            created = await create_record(record, source=WriteSource.ADMIN)
        except Conflict as exc:
            raise form_error({"code": exc.message}) from exc
        except HocBaError as exc:
            raise _form_error(exc) from exc
        if not await still_in_scope(
            access_of(request).user, self.resource, Action.CREATE, created.id
        ):
            assert created.id is not None
            await delete_record(
                created.id,
                source=WriteSource.SYSTEM,
                reason="Hoàn tác: hồ sơ tạo ra nằm ngoài phạm vi người tạo",
            )
            raise form_error({"__all__": OUT_OF_SCOPE})
        return created

    async def edit(self, request: Request, pk: Any, data: dict[str, Any]) -> Any:
        record, scope, writable = await self.edit_target(request, pk)
        raw = record.model_dump(by_alias=True)  # the values to put back if the edit is undone
        expected = data.pop("version", None)
        changes, errors = _changes(record, data, writable)
        if errors:
            raise form_error(nest_errors(errors))
        try:
            updated = await update_record(
                record.id,
                changes,
                source=WriteSource.ADMIN,
                expected_version=int(expected) if expected not in (None, "") else None,
                in_scope=lambda new: matches(scope.filter, new),
                query_filter=scope.filter,
            )
        except Conflict as exc:
            raise form_error({"__all__": exc.message}) from exc
        except Forbidden as exc:
            raise form_error({"__all__": exc.message}) from exc
        except HocBaError as exc:
            raise _form_error(exc) from exc
        if not await still_in_scope(access_of(request).user, self.resource, Action.EDIT, record.id):
            # Defence in depth: the in-memory check and the database disagreed; undo.
            await update_record(
                record.id,
                {p: get_path(raw, p) for p in changes},
                source=WriteSource.SYSTEM,
                reason="Hoàn tác: thay đổi đưa hồ sơ ra ngoài phạm vi",
            )
            raise form_error({"__all__": OUT_OF_SCOPE})
        return updated

    async def delete(self, request: Request, pks: list[Any]) -> int | None:
        count = 0
        for pk in pks:
            record = await self.find_in_scope(request, pk, Action.DELETE)
            if record is None:
                continue
            await delete_record(
                record.id, source=WriteSource.ADMIN, reason="Xóa hồ sơ trên trang quản trị"
            )
            count += 1
        return nothing_deleted(pks, count)


async def _with_staff_names(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Show teachers by name («Trần Gia Long»), not by login name."""
    from models.user import User

    usernames = {b["homeroom_teacher"] for b in blocks if b["homeroom_teacher"]}
    if usernames:
        cursor = User.get_pymongo_collection().find(
            {"username": {"$in": sorted(usernames)}}, {"username": 1, "full_name": 1}
        )
        names = {u["username"]: u["full_name"] async for u in cursor}
        for block in blocks:
            block["homeroom_teacher"] = names.get(
                block["homeroom_teacher"], block["homeroom_teacher"]
            )
    return blocks


class _RawQuery:
    """Adapter: starlette-admin's Beanie view expects an operator with a ``.query`` dict."""

    def __init__(self, query: dict[str, Any]) -> None:
        self.query = query


def _changes(
    record: StudentRecord, data: dict[str, Any], writable: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    """Changed leaf paths of a submitted form, and errors for paths the user may not write."""
    current = record.model_dump()
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for path, value in flatten(data).items():
        try:
            new = validate_value(path, blank_to_none(value))
        except HocBaError as exc:
            errors[path] = exc.message
            continue
        old = get_path(current, path)
        old_typed = validate_value(path, old) if old is not None else None
        if old_typed == new:
            continue
        if not writable.allows(path):
            errors[path] = "Bạn không có quyền sửa trường này"
            continue
        changes[path] = new
    return changes, errors


def _form_error(exc: HocBaError) -> FormValidationError:
    if exc.field:
        return form_error(nest_errors({exc.field: exc.message}))
    return form_error({"__all__": exc.message})
