"""«Lớp của tôi» and the books a teacher keeps: the subject score book and the homeroom book.

The pages read and write only through the request's access (restricted handles, the batch
writer); the grid's JavaScript (static/js/scorebook.js) asks the server to check typed cells and
compute results, so the grading rules live in one place.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette_admin.routing import route
from starlette_admin.views import CustomView

from app.errors import HocBaError, NotFound
from app.scorebook.books import Book, BookKey, load_book
from app.scorebook.columns import BOOK_TERMS
from app.scorebook.live import live_rows
from app.scorebook.progress import has_books, my_books
from app.scorebook.save import Edit, save_edits
from models.student_parts import TERM_LABELS

from ..access import access_of

MAX_EDITS = 5000  # cells in one save (a class of 50 × every column, many times over)
BAD_REQUEST = "Dữ liệu gửi lên không đúng định dạng; hãy tải lại trang rồi thử lại"


class MyBooksView(CustomView):
    """The landing page of a teacher, and the books behind it."""

    menu_label = "Lớp của tôi"
    icon = "fa fa-chalkboard-user"
    path = "/my-classes"
    route_name = "my_classes"

    def is_accessible(self, request: Request) -> bool:
        return has_books(access_of(request))

    @route("", methods=["GET"])
    async def index(self, request: Request) -> Response:
        assert self._admin is not None
        books = await my_books(access_of(request))
        return self._admin._template_response(
            request,
            "scorebook/my_classes.html",
            {"title": "Lớp của tôi", "books": books},
        )

    @route("/book", methods=["GET"], name="scorebook")
    async def book(self, request: Request) -> Response:
        assert self._admin is not None
        try:
            key = book_key(dict(request.query_params))
            book = await load_book(access_of(request), key)
        except NotFound as exc:
            return self._admin._template_response(
                request,
                "hocba/not_found.html",
                {"title": "Không tìm thấy", "message": exc.message},
                status_code=404,
            )
        return self._admin._template_response(
            request,
            "scorebook/book.html",
            {
                "title": book_title(book),
                "book": book,
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
                "cells": [asdict(c) for c in answer.cells],
                "rows": {
                    r: {c: {"display": d, "raw": raw} for c, (d, raw) in cells.items()}
                    for r, cells in answer.rows.items()
                },
                "counts": answer.counts,
            }
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
        "rows": [
            {
                "id": r.id,
                "cells": {
                    k: {"d": c.display, "raw": c.raw, "w": c.writable} for k, c in r.cells.items()
                },
            }
            for r in book.rows
        ],
    }
