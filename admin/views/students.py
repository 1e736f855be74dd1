"""Pupil records in the panel: scoped list with diacritics-insensitive search, a readable
record-book detail page, and create/edit/delete through the single write path."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette_admin import fields as sa
from starlette_admin.actions import action, row_action
from starlette_admin.exceptions import ActionFailed
from starlette_admin.types import RequestAction

from app.clock import typed_day
from app.errors import HocBaError
from app.exports.files import pupil_list
from app.office.placement import check_birth_date, follow_placement, year_page
from app.parents.accounts import accounts_of, may_manage
from app.permissions.matcher import matches
from app.records.approved import period_approved
from app.records.diff import get_path
from app.records.paths import validate_value
from app.store.directory import staff_names
from app.store.fields import DETERMINISTIC, cipher
from app.validation_vi import messages_by_field
from models.role import Action
from models.search import name_pattern
from models.student import MOET_ID_PATTERN, StudentRecord
from models.student_parts import SEX_LABELS, STATUS_LABELS, Placement, Status, TransferOut

from ..access import access_of
from . import student_display as display
from .base import (
    MAX_SEARCH,
    RawQuery,
    ScopedModelView,
    blank_takes_default,
    blank_to_none,
    domain_form_error,
    expected_version,
    flatten,
    object_id_or_none,
    overlay,
    stored_form,
)
from .choices import CLASS_FILTERS
from .exports import download
from .fields import CODE_FILTERS, VersionField, VnDateField, labelled

MOET_ID = re.compile(MOET_ID_PATTERN)
CLASS_CODE = re.compile(r"^[6-9][A-Za-z]\w{0,6}$")  # "9A1", "7a2": a class of grades 6–9


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
TRANSFER_FIELDS = {
    "on": "Ngày chuyển đi",
    "to_school": "Trường chuyển đến",
    "reason": "Lý do",
    "decision_no": "Số quyết định",
}
TRANSFER_FORM = """<form>
<div class="mb-2"><label class="form-label" for="transfer-on">Ngày chuyển đi</label>
  <input class="form-control" id="transfer-on" name="on" inputmode="numeric" autocomplete="off"
   placeholder="ngày/tháng/năm, ví dụ 05/03/2026"></div>
<div class="mb-2"><label class="form-label" for="transfer-school">Trường chuyển đến</label>
  <input class="form-control" id="transfer-school" name="to_school" maxlength="200"></div>
<div class="mb-2"><label class="form-label" for="transfer-reason">Lý do</label>
  <input class="form-control" id="transfer-reason" name="reason" maxlength="500"></div>
<div class="mb-2"><label class="form-label" for="transfer-decision">Số quyết định</label>
  <input class="form-control" id="transfer-decision" name="decision_no" maxlength="60"></div>
</form>"""


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


def _transfer_in_field() -> sa.CollectionField:
    """Where a pupil enrolled from another school comes from: filled in on enrolment only
    (the record page shows it; the transfer itself is not edited afterwards)."""
    field = sa.CollectionField(
        "transfer_in",
        fields=[
            sa.StringField("from_school", label="Chuyển từ trường", maxlength=200),
            VnDateField("on", label="Ngày chuyển đến"),
            sa.StringField("decision_no", label="Số quyết định", maxlength=60),
            sa.StringField("reason", label="Lý do chuyển trường", maxlength=500),
        ],
    )
    field.exclude_from_edit = field.exclude_from_list = field.exclude_from_detail = True
    return labelled(field, "Chuyển đến từ trường khác (chỉ điền khi học sinh chuyển đến)")


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
                    sa.StringField("class_name", label="Lớp", filters=CLASS_FILTERS),
                ],
            ),
            "Lớp hiện tại",
        ),
        _transfer_in_field(),
        VersionField("version", label="Phiên bản"),
    ]
    exclude_fields_from_list = ["moet_id", "version", "profile", "current", "transfer_in"]
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
    delete_reason = "Xóa hồ sơ trên trang quản trị"
    row_actions = ["view", "edit", "transfer_out"]
    fields_default_sort = ["code"]
    # Pupils come in by enrolment or transfer (app/exports/transfer_in), never a generic import.
    importers: list[Any] = []
    exporters: list[Any] = ["csv"]

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
        # "nguyen van a" finds "Nguyễn Văn A": compare against the stored search key. Each
        # clause only matches rows where the searcher may read that field (the door adds it).
        key = name_pattern(term[:MAX_SEARCH])
        raw = re.escape(term.strip()[:MAX_SEARCH])
        clauses: list[dict[str, Any]] = [
            {"search_name": {"$regex": key}},
            {"code": {"$regex": raw, "$options": "i"}},
        ]
        if CLASS_CODE.match(term.strip()):
            clauses.append({"current.class_name": term.strip().upper()})
        if MOET_ID.match(term.strip()) and any(c.isdigit() for c in term):
            # The national learner ID is stored encrypted (deterministically): found whole.
            sealed = await cipher().encrypt(term.strip(), DETERMINISTIC)
            clauses.append({"moet_id": sealed})
        return RawQuery({"$or": clauses}), False

    def record_name(self, obj: Any) -> str:
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
                "parents": await _parent_accounts(request, obj),
            }
            data["_exports"] = self._exports(request, obj)
        return data

    def _exports(self, request: Request, obj: Any) -> dict[str, Any]:
        """What the pupil page offers to download or import for this record."""
        access = access_of(request)
        stored = stored_form(request, obj)

        def may(action: Action) -> bool:
            scope = access.scope(self.resource, action)
            return access.can(self.resource, action) and matches(scope.filter, stored)

        years = sorted(obj.years)
        approved = [
            p for p in ("year", "hk2", "hk1") if years and period_approved(stored, years[-1], p)
        ]
        return {
            "can_export": may(Action.EXPORT),
            "can_import": may(Action.IMPORT),
            "years": years,
            # The latest period already approved: what a summary can show in full.
            "period": approved[0] if approved else "year",
            "imported": request.query_params.get("imported", "")[:60],
        }

    # -- the list's export -------------------------------------------------------------------
    @action(
        name="export",
        text="Xuất danh sách (CSV)",
        confirmation="Tải danh sách mọi học sinh khớp ô tìm kiếm và bộ lọc đang dùng (không "
        "chỉ trang đang xem; nếu đã chọn một số dòng thì chỉ các dòng đó), dạng CSV mở được "
        "bằng Excel.",
        header="Xuất danh sách học sinh",
        submit_btn_text="Tải tệp CSV",
        icon_class="fa fa-file-csv",
        custom_response=True,
        allow_empty_selection=True,
        dedicated_button=True,
    )
    async def export_action(self, request: Request, selection: Any) -> Response:
        request.state.action = RequestAction.EXPORT
        list_query = QueryParams((request.query_params.get("_list_query") or "").lstrip("?"))
        params = self._parse_list_params(request, list_query)
        if selection.is_select_all or not await selection.pks():
            query = await self.caller_query(request, params.q, params.filters)
        else:
            ids = [pk for pk in (object_id_or_none(p) for p in await selection.pks()) if pk]
            query = {"_id": {"$in": ids}}
        try:
            export = await pupil_list(
                access_of(request), query, file_name=f"{self.export_filename()}.csv"
            )
        except HocBaError as exc:
            raise ActionFailed(exc.message) from exc
        return download(export)

    # -- transfer to another school ----------------------------------------------------------
    async def is_row_action_allowed_for_obj(self, request: Request, name: str, obj: Any) -> bool:
        if name != "transfer_out":
            return await super().is_row_action_allowed_for_obj(request, name, obj)
        if obj.status is not Status.STUDYING or access_of(request).read_only:
            return False
        scope = access_of(request).scope(self.resource, Action.EDIT)
        writable = scope.fields_for(stored_form(request, obj), "write")
        return scope.allowed and writable.allows("status") and writable.allows("transfer_out")

    @row_action(
        name="transfer_out",
        text="Chuyển trường",
        confirmation="Ghi nhận học sinh chuyển đến trường khác. Sau đó hồ sơ chỉ còn để xem.",
        submit_btn_text="Ghi nhận chuyển trường",
        submit_btn_class="btn-warning",
        icon_class="fa fa-right-from-bracket",
        form=TRANSFER_FORM,
        exclude_from_list=True,
    )
    async def transfer_out(self, request: Request, pk: Any) -> str:
        if access_of(request).read_only:
            raise ActionFailed("Chế độ xem thử chỉ đọc: không ghi nhận được")
        form = await request.form()
        given = {name: str(form.get(name) or "").strip() or None for name in TRANSFER_FIELDS}
        # Typed the Vietnamese way (a browser's date box would show its own language's order).
        given["on"] = _typed_day(given["on"])
        try:
            transfer = TransferOut.model_validate(given)
        except ValidationError as exc:
            path, message = next(iter(messages_by_field(exc).items()))
            raise ActionFailed(f"{TRANSFER_FIELDS[path]}: {message}") from exc
        if transfer.on > date.today():
            raise ActionFailed("Ngày chuyển đi không thể ở tương lai")
        reason = f"Chuyển đến {transfer.to_school}" + (
            f": {transfer.reason}" if transfer.reason else ""
        )
        writer = self.writer(request, Action.EDIT, reason=reason)
        try:
            await writer.update(pk, {"status": Status.TRANSFERRED, "transfer_out": transfer})
        except HocBaError as exc:
            raise ActionFailed(exc.message) from exc
        return f"Đã ghi nhận chuyển trường đến {transfer.to_school}."

    # -- writes ---------------------------------------------------------------------------
    async def create(self, request: Request, data: dict) -> Any:
        if not self.can_create(request):
            raise HTTPException(403)
        data.pop("version", None)
        data = blank_to_none(data)
        if not any((data.get("transfer_in") or {}).values()):
            data["transfer_in"] = None  # enrolled here, not from another school
        data = blank_takes_default(StudentRecord, data)  # a blank nationality is "Việt Nam"
        try:
            record = StudentRecord.model_validate(data)
        except ValidationError as exc:
            raise self.invalid({**messages_by_field(exc), **_missing_arrival(data)}) from exc
        if record.transfer_in is not None and record.transfer_in.on > date.today():
            raise self.invalid({"transfer_in.on": "Ngày chuyển đến không thể ở tương lai"})
        try:
            if record.current is not None:
                # Enrolment: the record book gets the placement's school year page.
                if record.current.school_year not in record.years:
                    year = await year_page(record.current)
                    record.years[record.current.school_year] = year
                check_birth_date(record.profile.birth_date, record.current)
            # The school year's page is the app's doing, not a field the user typed.
            return await self.writer(request, Action.CREATE).insert(record, set_by_app=("years",))
        except HocBaError as exc:
            raise domain_form_error(exc) from exc

    async def edit(self, request: Request, pk: Any, data: dict[str, Any]) -> Any:
        record, _, _ = await self.edit_target(request, pk)
        expected = data.pop("version", None)
        changes, errors = _changes(record, data)
        if errors:
            raise self.invalid(errors)
        try:
            follow = await _placement_follows(record, changes)
            return await self.writer(request, Action.EDIT).update(
                record.id,
                changes,
                expected_version=expected_version(expected),
                follow=follow,
            )
        except HocBaError as exc:
            raise domain_form_error(exc) from exc


def _typed_day(text: str | None) -> str | None:
    """ "05/03/2026" (or "5/3/2026") -> "2026-03-05"; None and "2026-03-05" stay (the model
    checks them); anything else is refused with the form it should take."""
    if text is None or ISO_DAY.fullmatch(text):
        return text  # also as a script or an older page sends it
    iso = typed_day(text)
    if iso is None:
        raise ActionFailed("Ngày chuyển đi: ghi theo dạng ngày/tháng/năm, ví dụ 05/03/2026")
    try:
        return date.fromisoformat(iso).isoformat()
    except ValueError as exc:
        raise ActionFailed(f"Ngày chuyển đi: không có ngày {text}") from exc


def _missing_arrival(data: dict[str, Any]) -> dict[str, str]:
    """What a transfer-in must name, when some of it was filled in."""
    arrival = data.get("transfer_in") or {}
    if not any(arrival.values()):
        return {}  # enrolled here: nothing of an arrival to complete
    return {
        f"transfer_in.{key}": f"Cần ghi {label.lower()} khi học sinh chuyển đến từ trường khác"
        for key, label in (("from_school", "trường chuyển đi"), ("on", "ngày chuyển đến"))
        if not arrival.get(key)
    }


async def _placement_follows(
    record: StudentRecord, changes: dict[str, Any]
) -> dict[str, Any] | None:
    """What a change of class, grade or school year brings along in the record book (and
    the checks it must pass first)."""
    moved = any(p.startswith("current") for p in changes)
    born = "profile.birth_date" in changes
    if not (moved or born) or record.current is None and not moved:
        return None
    current = record.current.model_dump() if record.current is not None else {}
    for path, value in changes.items():
        if path.startswith("current."):
            current[path.split(".", 1)[1]] = value
    try:
        placement = Placement.model_validate(current)
    except ValidationError:
        return None  # an incomplete placement: the writer names what is missing
    follow = await follow_placement(record.model_dump(), placement) if moved else None
    check_birth_date(changes.get("profile.birth_date") or record.profile.birth_date, placement)
    return follow


async def _parent_accounts(request: Request, obj: Any) -> dict[str, Any]:
    """Parents' accounts following the pupil, for the staff who manage them."""
    access = access_of(request)
    if not may_manage(access, stored_form(request, obj)):
        return {"manage": False, "accounts": []}
    return {"manage": True, "accounts": await accounts_of(str(obj.id))}


async def _with_staff_names(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Show teachers by name («Trần Gia Long»), not by login name."""
    names = await staff_names(b["homeroom_teacher"] for b in blocks if b["homeroom_teacher"])
    for block in blocks:
        teacher = block["homeroom_teacher"]
        block["homeroom_teacher"] = names.get(teacher, teacher) if teacher else teacher
    return blocks


def _changes(record: StudentRecord, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Changed leaf paths of a submitted form (what the user may write is the writer's to
    check), and the values that could not be read. List items keep the fields the form does
    not show (a guardian's year of birth)."""
    current = record.model_dump()
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for path, value in flatten(data).items():
        old = get_path(current, path)
        try:
            new = validate_value(path, overlay(old, blank_to_none(value)))
        except HocBaError as exc:
            errors[path] = exc.message
            continue
        old_typed = validate_value(path, old) if old is not None else None
        if old_typed != new:
            changes[path] = new
    return changes, errors
