"""«Lớp của tôi» and the books a teacher keeps: the subject score book and the homeroom book.

The pages read and write only through the request's access (restricted handles, the batch
writer); the grid's JavaScript (static/js/scorebook.js) asks the server to check typed cells and
compute results, so the grading rules live in one place.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette_admin.routing import route
from starlette_admin.views import CustomView

from app.errors import HocBaError, NotFound
from app.scorebook.books import Book, BookKey, load_book
from app.scorebook.columns import BOOK_TERMS, ENTRY_MODELS
from app.scorebook.entries import save_entries
from app.scorebook.excel import export_book, read_upload
from app.scorebook.live import live_rows
from app.scorebook.progress import has_books, my_books
from app.scorebook.save import Edit, SaveAnswer, save_edits
from app.scorebook.timeliness import timeliness
from app.workflow.books import gradebook, stage_label
from app.workflow.inbox import book_stages
from models.common import WriteSource
from models.role import Action
from models.student_parts import TERM_LABELS

from ..access import access_of, panel_path

IMPORT_REASON = "Nhập từ tệp Excel"
MAX_EDITS = 5000  # cells in one save (a class of 50 × every column, many times over)
# The pages a reader of books opens without books of their own: a book, its sheet, and the
# landing page the menu then shows (empty for them).
READ_PATHS = ("/my-classes", "/my-classes/book", "/my-classes/book/excel")
BAD_REQUEST = "Dữ liệu gửi lên không đúng định dạng; hãy tải lại trang rồi thử lại"


class MyBooksView(CustomView):
    """The landing page of a teacher, and the books behind it."""

    menu_label = "Lớp của tôi"
    icon = "fa fa-chalkboard-user"
    path = "/my-classes"
    route_name = "my_classes"

    def __init__(self, school_name: str = "") -> None:
        super().__init__()
        self.school_name = school_name  # the header of downloaded sheets

    def is_accessible(self, request: Request) -> bool:
        access = access_of(request)
        if has_books(access):
            return True
        # Whoever approves books without teaching them (the board) opens a book read-only
        # from its chain page; its writes stay closed (their routes are POSTs).
        reading = request.method == "GET" and request.url.path.rstrip("/").endswith(READ_PATHS)
        return (
            reading
            and access.can("gradebooks", Action.VIEW)
            and access.can("students", Action.VIEW)
        )

    @route("", methods=["GET"])
    async def index(self, request: Request) -> Response:
        assert self._admin is not None
        access = access_of(request)
        books = await my_books(access)
        return self._admin._template_response(
            request,
            "scorebook/my_classes.html",
            {"title": "Lớp của tôi", "books": books, "stages": await book_stages(access)},
        )

    @route("/book", methods=["GET"], name="scorebook")
    async def book(self, request: Request) -> Response:
        assert self._admin is not None
        access = access_of(request)
        try:
            book = await load_book(access, book_key(dict(request.query_params)))
        except NotFound as exc:
            return self._not_found(request, exc)
        timing = await timeliness(access, book)
        stage = stage_label((await gradebook(book.key)).stage)
        return self._admin._template_response(
            request,
            "scorebook/book.html",
            {
                "title": book_title(book),
                "book": book,
                "timing": timing,
                "stage": stage,
                "terms": [(t, TERM_LABELS[t]) for t in BOOK_TERMS],
                # Inside a <script> element: no "<" may close it early.
                "data": json.dumps(book_data(book), ensure_ascii=False).replace("<", "\\u003c"),
            },
        )

    @route("/book/check", methods=["POST"], name="scorebook_check")
    async def check(self, request: Request) -> Response:
        """Typed cells of some rows -> per-cell messages and the computed columns."""
        try:
            body = await request.json()
            key = book_key(body.get("book") or {})
            typed = {
                str(r): {str(c): str(t) for c, t in cells.items()}
                for r, cells in (body.get("rows") or {}).items()
            }
            answers = await live_rows(access_of(request), key, typed)
        except (ValueError, AttributeError, TypeError):
            return JSONResponse({"error": BAD_REQUEST}, status_code=400)
        except HocBaError as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status_code)
        return JSONResponse({"rows": {r: asdict(a) for r, a in answers.items()}})

    @route("/book/save", methods=["POST"], name="scorebook_save")
    async def save(self, request: Request) -> Response:
        """The changed cells, written as one batch; an answer per cell."""
        try:
            body = await request.json()
            key = book_key(body.get("book") or {})
            edits = [
                Edit(str(e["row"]), str(e["col"]), str(e.get("text") or ""), e.get("seen"))
                for e in body.get("edits") or []
            ]
            if len(edits) > MAX_EDITS:
                raise ValueError("too many edits")
            answer = await save_edits(access_of(request), key, edits)
        except (ValueError, AttributeError, TypeError, KeyError):
            return JSONResponse({"error": BAD_REQUEST}, status_code=400)
        except HocBaError as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status_code)
        return JSONResponse(
            {
                "cells": [vars(c) for c in answer.cells],  # flat: no deep copy needed
                "rows": {
                    r: {c: {"display": d, "raw": raw} for c, (d, raw) in cells.items()}
                    for r, cells in answer.rows.items()
                },
                "counts": answer.counts,
            }
        )

    @route("/book/entries", methods=["POST"], name="scorebook_entries")
    async def entries(self, request: Request) -> Response:
        """A pupil's awards or discipline in a homeroom book, saved as a whole list."""
        try:
            body = await request.json()
            key = book_key(body.get("book") or {})
            typed = [_entry_fields(e) for e in body.get("entries") or []]
            seen = [_entry_fields(e) for e in body.get("seen") or []]
            answer = await save_entries(
                access_of(request), key, str(body["row"]), str(body["kind"]), typed, seen
            )
        except (ValueError, AttributeError, TypeError, KeyError):
            return JSONResponse({"error": BAD_REQUEST}, status_code=400)
        except HocBaError as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status_code)
        return JSONResponse(asdict(answer))

    @route("/book/excel", methods=["GET"], name="scorebook_excel")
    async def excel(self, request: Request) -> Response:
        """The book as an .xlsx sheet (read-only cells protected)."""
        try:
            book = await load_book(access_of(request), book_key(dict(request.query_params)))
        except NotFound as exc:
            return self._not_found(request, exc)
        key = book.key
        name = f"so-{key.kind}-{key.class_name}-{key.subject or 'cn'}-{key.term}-{key.school_year}"
        return Response(
            export_book(book, self.school_name, book_title(book)),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )

    @route("/book/import", methods=["POST"], name="scorebook_import")
    async def import_preview(self, request: Request) -> Response:
        """A filled sheet, read: every change (old → new) and every problem; nothing written."""
        assert self._admin is not None
        form = await request.form()
        try:
            book = await load_book(access_of(request), book_key(dict(form)))
        except NotFound as exc:
            return self._not_found(request, exc)
        upload_file = form.get("file")
        data = await upload_file.read() if isinstance(upload_file, UploadFile) else b""
        upload = read_upload(book, data)
        edits = upload.valid_edits()
        return self._admin._template_response(
            request,
            "scorebook/import.html",
            {
                "title": f"Nhập từ Excel: {book_title(book)}",
                "book": book,
                "upload": upload,
                "edits": json.dumps([asdict(e) for e in edits], ensure_ascii=False),
                "valid_count": len(edits),
                "result": None,
            },
        )

    @route("/book/import/apply", methods=["POST"], name="scorebook_import_apply")
    async def import_apply(self, request: Request) -> Response:
        """Apply a previewed upload as one batch: everything, or (when asked explicitly) only
        the rows without problems. Checked first as a whole: nothing is written when any cell
        would be refused or conflict, unless only valid rows were asked for."""
        assert self._admin is not None
        access = access_of(request)
        form = await request.form()
        try:
            book = await load_book(access, book_key(dict(form)))
            edits = [
                Edit(str(e["record_id"]), str(e["column"]), str(e["text"] or ""), e.get("seen"))
                for e in json.loads(str(form.get("edits") or "[]"))
            ]
            problems = int(str(form.get("problems") or "0"))
        except NotFound as exc:
            return self._not_found(request, exc)
        except (ValueError, KeyError, TypeError):
            return self._admin._template_response(
                request,
                "hocba/not_found.html",
                {"title": "Yêu cầu không hợp lệ", "message": BAD_REQUEST},
                status_code=400,
            )
        only_valid = form.get("only_valid") == "1"
        result: SaveAnswer | None = None
        refused = ""
        retry: dict[str, Any] | None = None
        if problems > 0 and not only_valid:
            refused = "Tệp còn lỗi nên chưa áp dụng gì. Hãy sửa tệp rồi tải lên lại, hoặc chọn "
            refused += "chỉ áp dụng các dòng hợp lệ."
            # The same choice again, on this page (Back would have to send the upload again).
            retry = {"problems": problems, "edits": form.get("edits"), "valid_count": len(edits)}
        else:
            check = await save_edits(
                access, book.key, edits, dry_run=True, source=WriteSource.IMPORT
            )
            failing = {c.record_id for c in check.cells if c.status != "saved"}
            if failing and not only_valid:
                result = check
                refused = "Có ô không lưu được (xem bên dưới) nên chưa áp dụng gì."
            else:
                kept = [e for e in edits if e.record_id not in failing]
                result = await save_edits(
                    access, book.key, kept, source=WriteSource.IMPORT, reason=IMPORT_REASON
                )
                if failing:
                    result.cells += [c for c in check.cells if c.status != "saved"]
        return self._admin._template_response(
            request,
            "scorebook/import.html",
            {
                "title": f"Nhập từ Excel: {book_title(book)}",
                "book": book,
                "upload": None,
                "result": result,
                "refused": refused,
                "retry": retry,
                "names": {r.id: r.name for r in book.rows},
                "labels": {c.key: c.label for c in book.columns},
            },
        )

    def _not_found(self, request: Request, exc: NotFound) -> Response:
        assert self._admin is not None
        return self._admin._template_response(
            request,
            "hocba/not_found.html",
            {"title": "Không tìm thấy", "message": exc.message},
            status_code=404,
        )


def book_key(params: dict[str, Any]) -> BookKey:
    """The book a request names (kind, year, class, subject, term); NotFound when unknown."""
    kind = str(params.get("kind") or "subject")
    term = str(params.get("term") or "hk1")
    year = str(params.get("year") or "")
    class_name = str(params.get("class") or "")
    subject = str(params.get("subject") or "") or None
    if kind not in ("subject", "homeroom") or term not in BOOK_TERMS or not year or not class_name:
        raise NotFound("Không tìm thấy sổ này")
    if kind == "subject" and subject is None:
        raise NotFound("Không tìm thấy sổ này")
    return BookKey(
        kind,  # type: ignore[arg-type]
        year,
        class_name,
        term,  # type: ignore[arg-type]
        subject if kind == "subject" else None,
    )


def _entry_fields(entry: Any) -> dict[str, str]:
    """One entry of a list as sent by the page: field name -> typed text."""
    if not isinstance(entry, dict):
        raise TypeError("an entry is an object")
    return {str(k): str(v) for k, v in entry.items() if v is not None}


def book_title(book: Book) -> str:
    key = book.key
    if key.kind == "subject" and book.subject is not None:
        return f"Sổ điểm môn {book.subject.name} lớp {key.class_name}"
    return f"Sổ chủ nhiệm lớp {key.class_name}"


def book_data(book: Book) -> dict[str, Any]:
    """What the grid's script needs: the book's name, its columns and rows."""
    key = book.key
    return {
        "book": {
            "kind": key.kind,
            "year": key.school_year,
            "class": key.class_name,
            "subject": key.subject,
            "term": key.term,
        },
        "columns": [
            {"key": c.key, "label": c.label, "kind": c.kind, "editable": c.editable}
            for c in book.columns
        ],
        "entryFields": {
            kind: [
                {
                    "name": name,
                    "label": info.title or name,
                    "date": name == "decided_on",
                    "required": info.is_required(),
                }
                for name, info in model.model_fields.items()
            ]
            for kind, model in ENTRY_MODELS.items()
        },
        "rows": [
            {
                "id": r.id,
                "cells": {
                    k: {"d": c.display, "raw": c.raw, "w": c.writable} for k, c in r.cells.items()
                },
                "lists": {
                    k: {"items": e.items, "w": e.writable, "closed": e.closed}
                    for k, e in r.lists.items()
                },
            }
            for r in book.rows
        ],
    }


class TeacherLanding:
    """Pure ASGI: a teacher opening the panel's home lands on «Lớp của tôi»."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") == "GET":
            request = Request(scope)
            if panel_path(scope) in ("", "/") and has_books(access_of(request)):
                target = request.url_for("admin:my_classes")
                await RedirectResponse(str(target), status_code=303)(scope, receive, send)
                return
        await self.app(scope, receive, send)
