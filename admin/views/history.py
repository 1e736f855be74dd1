"""History of a pupil's record in the panel: timeline, search, revert; plus the global log and
its alarms for the principal board and the IT group."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette_admin import fields as sa
from starlette_admin.actions import row_action
from starlette_admin.exceptions import ActionFailed
from starlette_admin.flash import flash
from starlette_admin.routing import route
from starlette_admin.types import RequestAction
from starlette_admin.views import CustomView

from app.changelog.audited import COLLECTION_LABELS
from app.changelog.history import HistoryFilter, record_history, revert
from app.clock import format_datetime, utcnow
from app.errors import HocBaError, NotFound
from app.grading import catalogue
from app.store.directory import role_names
from app.store.handles import EVERYTHING, Page, RowSource
from models.changelog import ALARM_LABELS, ChangeLogAlarm, ChangeLogEntry
from models.common import SOURCE_LABELS
from models.role import Action

from ..access import access_of
from . import student_display as display
from .base import ReadOnlyView, ScopedModelView, object_id_or_none, stored_form
from .fields import FlagField, VnDateTimeField

OP_LABELS = {
    "insert": "Tạo mới",
    "update": "Sửa",
    "replace": "Thay toàn bộ",
    "delete": "Xóa",
    "snapshot": "Ghi nhận trạng thái",
    "drop": "Xóa cả bảng",
}
KIND_LABELS = {"change": "", "gap": "Khoảng trống", "baseline": "Trạng thái ban đầu"}


def show_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(show_value(v) for v in value) or "—"
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if hasattr(value, "to_decimal"):
        value = value.to_decimal()
    text = display.mark(value) if not isinstance(value, str) else value
    return display.COMMENT_LABELS.get(text, text) if isinstance(value, str) else text


class _Collection:
    """All documents of one collection that is not a record (the log's alarms)."""

    def __init__(self, model: Any) -> None:
        self.model = model

    async def count(self, query: Mapping[str, Any] | None = None) -> int:
        counted: int = await self.model.get_pymongo_collection().count_documents(query or {})
        return counted

    async def rows(
        self, query: Mapping[str, Any] | None, page: Page = EVERYTHING, omit: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        cursor = page.apply(self.model.get_pymongo_collection().find(query or {}))
        return [doc async for doc in cursor]

    async def row(self, record_id: Any) -> dict[str, Any] | None:
        oid = object_id_or_none(record_id)
        found = await self.rows({"_id": oid}, Page(limit=1)) if oid is not None else []
        return found[0] if found else None


class _Nothing(_Collection):
    async def count(self, query: Mapping[str, Any] | None = None) -> int:
        return 0

    async def rows(
        self, query: Mapping[str, Any] | None, page: Page = EVERYTHING, omit: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        return []


ALARMS = _Collection(ChangeLogAlarm)
READS = (Action.VIEW, Action.EXPORT)
NO_ROWS = _Nothing(ChangeLogAlarm)


class HistoryView(CustomView):
    """/admin/history?id=<pupil id>: who changed what, when and why."""

    menu_label = "Lịch sử hồ sơ"
    path = "/history"
    route_name = "history"
    add_to_menu = False

    def is_accessible(self, request: Request) -> bool:
        return access_of(request).can("students", Action.VIEW)

    @route("", methods=["GET"])
    async def index(self, request: Request) -> Response:
        assert self._admin is not None
        params = request.query_params
        record_id = object_id_or_none(params.get("id"))
        keep = HistoryFilter(
            school_year=params.get("year") or None,
            subject=params.get("subject") or None,
            author=(params.get("author") or "").strip() or None,
        )
        access = access_of(request)
        try:
            if record_id is None:
                raise NotFound("Không tìm thấy hồ sơ học sinh")
            record, entries = await record_history(access, record_id, keep)
        except NotFound:
            return self._admin._template_response(
                request,
                "hocba/not_found.html",
                {"title": "Không tìm thấy", "message": "Không tìm thấy hồ sơ học sinh"},
                status_code=404,
            )
        can_revert = access.can("students", Action.EDIT) and not access.read_only
        return self._admin._template_response(
            request,
            "hocba/history.html",
            {
                "title": "Lịch sử thay đổi",
                "record": record,
                "record_id": str(record_id),
                "entries": entries,
                "filters": keep,
                "years": sorted((record.get("years") or {}).keys(), reverse=True),
                "subjects": [(c, s.name) for c, s in catalogue().items()],
                "op_labels": OP_LABELS,
                "kind_labels": KIND_LABELS,
                "show": show_value,
                "can_revert": can_revert,
                "role_label": await _role_labeller(),
                "version": record.get("version"),
            },
        )

    @route("/revert", methods=["POST"], name="history_revert")
    async def revert_post(self, request: Request) -> Response:
        access = access_of(request)
        form = await request.form()
        record_id = object_id_or_none(str(form.get("id") or ""))
        target = request.url_for("admin:history").include_query_params(id=str(record_id))
        if access.read_only or access.user is None:
            flash(request, "Chế độ xem thử chỉ đọc: không hoàn tác được", "error")
            return RedirectResponse(target, status_code=303)
        if record_id is None:
            flash(request, "Không tìm thấy hồ sơ học sinh", "error")
            return RedirectResponse(target, status_code=303)
        try:
            to_version = int(str(form.get("to_version") or "0"))
            expected = int(str(form.get("expected_version") or "0"))
            await revert(
                access,
                record_id,
                to_version=to_version,
                reason=str(form.get("reason") or ""),
                expected_version=expected,
            )
        except HocBaError as exc:
            flash(request, exc.message, "error")
        except ValueError:
            flash(request, "Phiên bản không hợp lệ", "error")
        else:
            flash(request, f"Đã hoàn tác hồ sơ về phiên bản {to_version}.", "success")
        return RedirectResponse(target, status_code=303)


async def _role_labeller() -> Any:
    """«gvbm,gvcn» → «Giáo viên bộ môn, Giáo viên chủ nhiệm» from the roles as stored."""
    names = {"system": "Hệ thống", **await role_names()}

    def label(codes: str) -> str:
        return ", ".join(names.get(c, c) for c in codes.split(",") if c)

    return label


class ChangeLogView(ReadOnlyView):
    """The global log (read-only) for the principal board and the IT group."""

    resource = "change_log"
    detail_template = "hocba/changelog_detail.html"
    fields = [
        VnDateTimeField("at", label="Thời điểm"),
        sa.StringField("actor_name", label="Người sửa"),
        sa.EnumField("collection", label="Dữ liệu", choices=list(COLLECTION_LABELS.items())),
        sa.StringField("record_label", label="Bản ghi"),
        sa.EnumField("op", label="Thao tác", choices=list(OP_LABELS.items())),
        FlagField("out_of_band", label="Ngoài ứng dụng"),
        sa.StringField("reason", label="Lý do"),
        sa.EnumField(
            "source", label="Nguồn", choices=list(SOURCE_LABELS.items()), exclude_from_list=True
        ),
        sa.StringField("out_of_band_reason", label="Vì sao bị đánh dấu", exclude_from_list=True),
        sa.IntegerField("version", label="Phiên bản", exclude_from_list=True),
        sa.IntegerField("seq", label="Số thứ tự", exclude_from_list=True),
        sa.StringField("request_id", label="Mã yêu cầu", exclude_from_list=True),
    ]
    searchable_fields = ["actor_name", "record_label", "reason"]
    fields_default_sort = [("seq", True)]
    page_size = 25
    page_size_options = [25, 50, 100]

    def record_name(self, obj: Any) -> str:
        """«Sửa Hồ sơ học sinh: Lê Văn An (HS001) — 08:15 02/12/2026»"""
        what = (
            OP_LABELS.get(obj.op, obj.op)
            if obj.kind == "change"
            else KIND_LABELS.get(obj.kind, "Mục nhật ký")
        )
        where = COLLECTION_LABELS.get(obj.collection, obj.collection)
        record = f": {obj.record_label}" if obj.record_label else ""
        return f"{what} {where.lower()}{record} — {format_datetime(obj.at)}"

    def source(self, request: Request, action: Action) -> RowSource:
        # Entries of records in the reader's scope only (the views are read-only).
        return access_of(request).log_entries()

    def __init__(self) -> None:
        super().__init__(
            ChangeLogEntry,
            icon="fa fa-clock-rotate-left",
            display_name="Nhật ký thay đổi",
            menu_label="Nhật ký thay đổi",
            key="change-log",
        )

    async def serialize(
        self,
        obj: Any,
        request: Request,
        include_relationships: bool = True,
        include_select2: bool = False,
    ) -> dict[str, Any]:
        data = await super().serialize(obj, request, include_relationships, include_select2)
        if getattr(request.state, "action", None) == RequestAction.DETAIL:
            # The diff follows the viewer's read rules on the record, like the history.
            shown = await access_of(request).log_entries().visible(stored_form(request, obj))
            data["_diff"] = [
                {
                    "title": d.get("title"),
                    "old": show_value(d.get("old")),
                    "new": show_value(d.get("new")),
                    "old_known": d.get("old_known", True),
                }
                for d in shown["diff"]
            ]
            data["_hidden"] = shown["hidden"]
            data["_collection"] = COLLECTION_LABELS.get(obj.collection, obj.collection)
            data["_correction"] = getattr(obj, "correction", None)
        return data


class AlarmView(ReadOnlyView):
    resource = "change_log"
    fields = [
        VnDateTimeField("at", label="Thời điểm"),
        sa.EnumField(
            "kind", label="Cảnh báo", choices=[(k.value, v) for k, v in ALARM_LABELS.items()]
        ),
        sa.StringField("detail", label="Chi tiết"),
        sa.IntegerField("gap_entries", label="Số mục khoảng trống"),
        sa.StringField("acknowledged_by", label="Người xác nhận"),
        VnDateTimeField("acknowledged_at", label="Xác nhận lúc"),
    ]
    fields_default_sort = [("at", True)]
    row_actions = ["view", "acknowledge"]

    def record_name(self, obj: Any) -> str:
        return f"{ALARM_LABELS.get(obj.kind, obj.kind)} — {format_datetime(obj.at)}"

    def source(self, request: Request, action: Action) -> RowSource:
        # Alarms are the log's own notices, not records: whoever may read the log reads them.
        if action in READS and access_of(request).can("change_log", Action.VIEW):
            return ALARMS
        return NO_ROWS

    def __init__(self) -> None:
        super().__init__(
            ChangeLogAlarm,
            icon="fa fa-triangle-exclamation",
            display_name="Cảnh báo nhật ký",
            menu_label="Cảnh báo nhật ký",
            key="change-log-alarms",
        )

    @row_action(
        name="acknowledge",
        text="Xác nhận đã xem",
        confirmation="Xác nhận đã xem và xử lý cảnh báo này?",
        submit_btn_text="Xác nhận",
        icon_class="fa fa-check",
    )
    async def acknowledge(self, request: Request, pk: Any) -> str:
        access = access_of(request)
        if access.user is None or access.read_only:
            raise ActionFailed("Không thực hiện được trong chế độ xem thử")
        alarm = await self.find_in_scope(request, pk, Action.VIEW)
        if alarm is None:
            raise ActionFailed("Không tìm thấy cảnh báo")
        await ChangeLogAlarm.get_pymongo_collection().update_one(
            {"_id": alarm.id},
            {"$set": {"acknowledged_by": access.user.full_name, "acknowledged_at": utcnow()}},
        )
        return "Đã xác nhận cảnh báo."


class OutOfBandView(ChangeLogView):
    """Only the changes made outside the app, for the principal board to review."""

    def __init__(self) -> None:
        ScopedModelView.__init__(
            self,
            ChangeLogEntry,
            icon="fa fa-user-secret",
            display_name="Thay đổi ngoài ứng dụng",
            menu_label="Thay đổi ngoài ứng dụng",
            key="out-of-band",
        )

    async def caller_query(
        self, request: Request, q: str | None = None, filters: Any = None
    ) -> dict[str, Any]:
        query = await super().caller_query(request, q, filters)
        return {"$and": [query, {"out_of_band": True}]} if query else {"out_of_band": True}
