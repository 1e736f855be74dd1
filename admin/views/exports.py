"""«Xuất dữ liệu»: summaries and record books of a pupil or a class, the school year's
integration files and results workbook, a pupil's transfer in, and the export journal.

Every download goes through app/exports (the door's export scope, approved data only, a journal
entry); out-of-scope pupils and empty classes answer 404.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette_admin import fields as sa
from starlette_admin.routing import route
from starlette_admin.views import CustomView

from app.errors import HocBaError, NotFound
from app.exports import files
from app.exports.sheet import PERIOD_LABELS
from app.exports.transfer_in import apply_transfer, read_transfer
from models.exports import EXPORT_KIND_LABELS, ExportEntry
from models.role import Action

from ..access import access_of
from .base import ReadOnlyView
from .fields import VnDateTimeField

MAX_UPLOAD = 2_000_000


def download(export: files.ExportFile) -> Response:
    return Response(export.data, media_type=export.media_type, headers=export.headers)


class ExportsView(CustomView):
    """The export page, and the downloads the pupil page links to."""

    menu_label = "Xuất dữ liệu"
    icon = "fa fa-file-export"
    path = "/exports"
    route_name = "exports"

    def __init__(self, school_name: str = "") -> None:
        super().__init__()
        self.school = school_name

    def is_accessible(self, request: Request) -> bool:
        return access_of(request).can("students", Action.EXPORT)

    # -- the page ------------------------------------------------------------------------
    @route("", methods=["GET"])
    async def index(self, request: Request) -> Response:
        assert self._admin is not None
        access = access_of(request)
        years = await self._years(request)
        classes = await self._classes(request)
        current = next((y["code"] for y in years if y.get("is_current")), None)
        return self._admin._template_response(
            request,
            "exports/index.html",
            {
                "title": "Xuất dữ liệu",
                "years": [y["code"] for y in years],
                "current_year": current or (years[0]["code"] if years else ""),
                "classes": classes,
                "periods": list(PERIOD_LABELS.items()),
                "can_export": access.can("students", Action.EXPORT),
            },
        )

    async def _years(self, request: Request) -> list[dict[str, Any]]:
        handle = access_of(request).handle("school_years", Action.VIEW)
        found = await handle.find(sort=[("code", -1)], only=("code", "is_current"))
        return [f.visible for f in found]

    async def _classes(self, request: Request) -> list[dict[str, Any]]:
        handle = access_of(request).handle("classes", Action.VIEW)
        found = await handle.find(sort=[("school_year", -1), ("name", 1)])
        return [
            {"year": f.visible.get("school_year"), "name": f.visible.get("name")}
            for f in found
            if f.visible.get("name")
        ]

    # -- one pupil -----------------------------------------------------------------------
    @route("/pupil/{pk}/summary", methods=["GET"], name="exports_pupil_summary")
    async def pupil_summary(self, request: Request) -> Response:
        params = request.query_params
        return await self._answer(
            request,
            files.pupil_summary(
                access_of(request),
                request.path_params["pk"],
                school_year=params.get("year") or None,
                period=params.get("period") or "year",
                school=self.school,
            ),
        )

    @route("/pupil/{pk}/record-book", methods=["GET"], name="exports_pupil_record_book")
    async def pupil_record_book(self, request: Request) -> Response:
        return await self._answer(
            request,
            files.pupil_record_book(
                access_of(request), request.path_params["pk"], school=self.school
            ),
        )

    # -- a class, a school year ------------------------------------------------------------
    @route("/class", methods=["GET"], name="exports_class")
    async def class_files(self, request: Request) -> Response:
        params = request.query_params
        access = access_of(request)
        year = params.get("year") or ""
        class_name = params.get("class") or ""
        if "|" in class_name:  # the page's list names a class with its school year
            year, class_name = class_name.split("|", 1)
        kind = params.get("kind") or "summary"
        if kind == "record_book":
            work = files.class_record_books(
                access, school_year=year, class_name=class_name, school=self.school
            )
        else:
            work = files.class_summaries(
                access,
                school_year=year,
                class_name=class_name,
                period=params.get("period") or "year",
                school=self.school,
                as_zip=kind == "summary_zip",
            )
        return await self._answer(request, work)

    @route("/year", methods=["GET"], name="exports_year")
    async def year_files(self, request: Request) -> Response:
        params = request.query_params
        access = access_of(request)
        year = params.get("year") or ""
        file_format = params.get("format") or "json"
        if file_format == "xlsx":
            work = files.results_workbook(
                access, school_year=year, period=params.get("period") or "year", school=self.school
            )
        else:
            work = files.school_year_file(
                access, school_year=year, file_format=file_format, school=self.school
            )
        return await self._answer(request, work)

    async def _answer(self, request: Request, work: Any) -> Response:
        try:
            export: files.ExportFile = await work
        except NotFound as exc:
            return self._message(request, "Không tìm thấy", exc.message, 404)
        except HocBaError as exc:
            return self._message(request, "Không xuất được", exc.message, exc.status_code)
        return download(export)

    def _message(self, request: Request, title: str, message: str, status: int) -> Response:
        assert self._admin is not None
        return self._admin._template_response(
            request,
            "hocba/not_found.html",
            {"title": title, "message": message},
            status_code=status,
        )

    # -- transfer in ---------------------------------------------------------------------
    @route("/pupil/{pk}/transfer-in", methods=["GET", "POST"], name="exports_transfer_in")
    async def transfer_in(self, request: Request) -> Response:
        """Upload the previous school's file: a preview of each year; nothing written."""
        assert self._admin is not None
        access = access_of(request)
        pk = request.path_params["pk"]
        if not access.can("students", Action.IMPORT):
            return self._message(request, "Không tìm thấy", "Không tìm thấy hồ sơ học sinh", 404)
        try:
            found = await access.handle("students", Action.IMPORT).get_or_404(
                pk, "Không tìm thấy hồ sơ học sinh"
            )
        except NotFound as exc:
            return self._message(request, "Không tìm thấy", exc.message, 404)
        context: dict[str, Any] = {
            "title": "Nhập năm học cũ (học sinh chuyển đến)",
            "pupil": found.visible,
            "pk": pk,
            "preview": None,
            "error": "",
            "payload": "",
        }
        if request.method == "POST":
            form = await request.form()
            upload = form.get("file")
            data = await upload.read(MAX_UPLOAD + 1) if isinstance(upload, UploadFile) else b""
            try:
                context["preview"] = read_transfer(data, found.stored)
                context["payload"] = base64.b64encode(data).decode()
            except HocBaError as exc:
                context["error"] = exc.message
        return self._admin._template_response(request, "exports/transfer_in.html", context)

    @route("/pupil/{pk}/transfer-in/apply", methods=["POST"], name="exports_transfer_apply")
    async def transfer_apply(self, request: Request) -> Response:
        assert self._admin is not None
        access = access_of(request)
        pk = request.path_params["pk"]
        form = await request.form()
        try:
            data = base64.b64decode(str(form.get("payload") or ""), validate=True)
        except (binascii.Error, ValueError):
            data = b""
        try:
            years = await apply_transfer(access, pk, data)
        except NotFound as exc:
            return self._message(request, "Không tìm thấy", exc.message, 404)
        except HocBaError as exc:
            return self._admin._template_response(
                request,
                "exports/transfer_in.html",
                {
                    "title": "Nhập năm học cũ (học sinh chuyển đến)",
                    "pupil": {},
                    "pk": pk,
                    "preview": None,
                    "error": exc.message,
                    "payload": "",
                },
                status_code=exc.status_code,
            )
        url = str(request.url_for("admin:detail", key="students"))
        query = urlencode({"pk": pk, "imported": ", ".join(years)})
        return RedirectResponse(f"{url}?{query}", status_code=303)


class ExportJournalView(ReadOnlyView):
    """Who exported what, and when (append-only; read by the board and the IT group)."""

    resource = "export_journal"
    fields = [
        VnDateTimeField("at", label="Thời điểm"),
        sa.StringField("actor_name", label="Người xuất"),
        sa.StringField("username", label="Tên đăng nhập"),
        sa.EnumField(
            "kind", label="Loại tệp", choices=[(k.value, v) for k, v in EXPORT_KIND_LABELS.items()]
        ),
        sa.StringField("file_format", label="Định dạng"),
        sa.StringField("description", label="Nội dung"),
        sa.StringField("school_year", label="Năm học"),
        sa.StringField("class_name", label="Lớp"),
        sa.IntegerField("pupil_count", label="Số học sinh"),
        sa.StringField("file_name", label="Tên tệp", exclude_from_list=True),
        sa.TagsField("pupil_codes", label="Mã học sinh", exclude_from_list=True),
        sa.StringField("request_id", label="Mã yêu cầu", exclude_from_list=True),
    ]
    searchable_fields = ["actor_name", "username", "description", "class_name", "school_year"]
    fields_default_sort = [("at", True)]
    exporters: list[Any] = []
    importers: list[Any] = []

    def __init__(self) -> None:
        super().__init__(
            ExportEntry,
            icon="fa fa-file-shield",
            display_name="Nhật ký xuất dữ liệu",
            menu_label="Nhật ký xuất dữ liệu",
            key="export-journal",
        )
