"""The approval chain in the panel: a book's stage, history and steps; the board's page of
books by stage with the school's term and year locks; the correction requests' queue; and
«Việc cần làm» with its count in the menu.

Every page reads and every step writes through the workflow services (app/workflow), which ask
the reader's role rules; these views only render and collect forms (CSRF on every POST).
"""

from __future__ import annotations

import json
import time
from contextvars import ContextVar
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette_admin.flash import flash
from starlette_admin.routing import route
from starlette_admin.views import CustomView

from app.errors import HocBaError, NotFound
from app.grading import SUBJECTS
from app.records.approved import is_closed
from app.scorebook.books import Book, BookKey, load_book
from app.scorebook.columns import BOOK_TERMS
from app.scorebook.progress import missing_cells
from app.store import Access
from app.workflow import chain, inbox, requests
from app.workflow.books import book_lock, book_name, gradebook, may
from app.workflow.chain import GapReasons
from app.workflow.requests import Proposal
from app.workflow.school import TERMS_OF, lock_school, lock_state, school_books, unlock_school
from models.role import Action
from models.student_parts import TERM_LABELS
from models.workflow import (
    REQUEST_KIND_LABELS,
    REQUEST_STATUS_LABELS,
    STAGE_LABELS,
    STEP_LABELS,
    CorrectionRequest,
    RequestStatus,
    Stage,
    StepKind,
)

from ..access import access_of
from .scorebook import book_key

PAGE_SIZE = 50
READ_ONLY = "Chế độ xem thử chỉ đọc: không thực hiện được thao tác này"
_inbox_count: ContextVar[int] = ContextVar("inbox_count", default=0)
COUNT_TTL = 20.0  # seconds a menu count is reused for one account
MAX_COUNTS = 5000


def book_params(key: BookKey) -> dict[str, str]:
    params = {"kind": key.kind, "year": key.school_year, "class": key.class_name, "term": key.term}
    if key.subject:
        params["subject"] = key.subject
    return params


def _render(
    view: CustomView, request: Request, template: str, context: dict[str, Any], status: int = 200
) -> Response:
    assert view._admin is not None
    base = {
        "stage_labels": STAGE_LABELS,
        "step_labels": STEP_LABELS,
        "request_step_labels": {**STEP_LABELS, StepKind.SUBMIT: "Gửi phiếu"},
        "term_labels": TERM_LABELS,
        "kind_labels": REQUEST_KIND_LABELS,
        "status_labels": REQUEST_STATUS_LABELS,
        "book_params": book_params,
    }
    return view._admin._template_response(
        request, template, {**base, **context}, status_code=status
    )


def _not_found(view: CustomView, request: Request, message: str) -> Response:
    return _render(
        view, request, "hocba/not_found.html", {"title": "Không tìm thấy", "message": message}, 404
    )


def _text(form: FormData, name: str) -> str:
    return str(form.get(name) or "")


def _prefixed(form: FormData, prefix: str) -> dict[str, str]:
    return {
        k.removeprefix(prefix): str(v)
        for k, v in form.items()
        if k.startswith(prefix) and str(v).strip()
    }


async def book_page_context(access: Access, book: Book) -> dict[str, Any]:
    """What the chain panel of a book needs: its document, the steps the reader may take."""
    doc = await gradebook(book.key)
    lock = book_lock(book.key)
    locked = any(is_closed(p.stored, lock) for p in book.pupils)
    return {
        "doc": doc,
        "book": book,
        "name": book_name(book.key),
        "missing": missing_cells(book) if doc.stage is Stage.ENTERING else [],
        "versions": json.dumps({r.id: r.version for r in book.rows}),
        "can": {
            "submit": may(access, Action.SUBMIT, doc) and doc.stage is Stage.ENTERING,
            "check": may(access, Action.CHECK, doc) and doc.stage is Stage.SUBMITTED,
            "return": (may(access, Action.CHECK, doc) and doc.stage is Stage.SUBMITTED)
            or (may(access, Action.APPROVE, doc) and doc.stage is Stage.CHECKED),
            "approve": may(access, Action.APPROVE, doc) and doc.stage is Stage.CHECKED,
            "unlock": may(access, Action.UNLOCK, doc) and doc.stage is Stage.APPROVED,
            "correct": locked and access.can("corrections", Action.SUBMIT),
        },
        "changed_since_check": [
            r.name
            for r in book.rows
            if doc.stage is Stage.CHECKED
            and doc.checked_versions.get(r.id) not in (None, r.version)
        ],
    }


class WorkflowView(CustomView):
    """The board's page: books by stage, and the school's term and year locks."""

    menu_label = "Duyệt và khóa sổ"
    icon = "fa fa-stamp"
    path = "/workflow"
    route_name = "workflow"

    def is_accessible(self, request: Request) -> bool:
        access = access_of(request)
        return any(access.can("gradebooks", a) for a in (Action.CHECK, Action.APPROVE, Action.LOCK))

    @route("", methods=["GET"])
    async def index(self, request: Request) -> Response:
        access = access_of(request)
        year = request.query_params.get("year") or access.principal.ctx.current_school_year or ""
        term = request.query_params.get("term") or "hk1"
        if term not in TERMS_OF:
            term = "hk1"
        stage = request.query_params.get("stage") or ""
        class_filter = request.query_params.get("class") or ""
        # The year's books of every term are read once, for the page's term and its three
        # locks (every pupil's subjects with them).
        every = await school_books(access, year, TERMS_OF["year"]) if year else []
        books = [b for b in every if b.key.term == term]
        counts = {s: sum(1 for b in books if b.stage is s) for s in Stage}
        shown = [
            b
            for b in books
            if (not stage or b.stage.value == stage)
            and (not class_filter or b.key.class_name == class_filter)
        ]
        try:
            page = max(1, int(request.query_params.get("page") or "1"))
        except ValueError:
            page = 1
        pages = max(1, -(-len(shown) // PAGE_SIZE))
        page = min(page, pages)
        periods = ("hk1", "hk2", "year")
        locks = [lock_state(year, p, every) for p in periods] if year else []
        return _render(
            self,
            request,
            "workflow/board.html",
            {
                "title": "Duyệt và khóa sổ",
                "year": year,
                "term": term,
                "stage": stage,
                "class_filter": class_filter,
                "classes": sorted({b.key.class_name for b in books}),
                "counts": counts,
                "books": shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
                "total": len(shown),
                "page": page,
                "pages": pages,
                "locks": locks,
                "may_lock": access.can("gradebooks", Action.LOCK),
                "may_unlock": access.can("gradebooks", Action.UNLOCK),
            },
        )

    @route("/school", methods=["POST"], name="workflow_school")
    async def school(self, request: Request) -> Response:
        access = access_of(request)
        form = await request.form()
        year, period, what = _text(form, "year"), _text(form, "period"), _text(form, "do")
        target = request.url_for("admin:workflow").include_query_params(
            year=year, term=period if period != "year" else "hk1"
        )
        if access.read_only:
            flash(request, READ_ONLY, "error")
            return RedirectResponse(target, status_code=303)
        try:
            if what == "unlock":
                await unlock_school(access, year, period, _text(form, "reason"))
                flash(
                    request,
                    f"Đã mở khóa {TERM_LABELS.get(period, period).lower()} toàn trường.",
                    "success",
                )
            else:
                await lock_school(access, year, period, _text(form, "reason"))
                flash(
                    request,
                    f"Đã khóa {TERM_LABELS.get(period, period).lower()} toàn trường.",
                    "success",
                )
        except HocBaError as exc:
            flash(request, exc.message, "error")
        return RedirectResponse(target, status_code=303)


class BookChainView(CustomView):
    """One book's place in the chain: its stage, history and the steps the reader may take
    (reached from the score book and the lists; not a menu entry)."""

    path = "/book-chain"
    route_name = "workflow_book"
    add_to_menu = False

    def is_accessible(self, request: Request) -> bool:
        return access_of(request).can("gradebooks", Action.VIEW)

    @route("", methods=["GET"])
    async def index(self, request: Request) -> Response:
        return await self._book_page(request, dict(request.query_params), {}, None)

    async def _book_page(
        self, request: Request, params: dict[str, Any], typed: dict[str, Any], error: str | None
    ) -> Response:
        access = access_of(request)
        try:
            book = await load_book(access, book_key(params))
        except NotFound as exc:
            return _not_found(self, request, exc.message)
        context = await book_page_context(access, book)
        return _render(
            self,
            request,
            "workflow/book.html",
            {"title": context["name"], "typed": typed, "error": error, **context},
            status=422 if error else 200,
        )

    @route("/step", methods=["POST"], name="workflow_step")
    async def step(self, request: Request) -> Response:
        access = access_of(request)
        form = await request.form()
        params = {k: _text(form, k) for k in ("kind", "year", "class", "subject", "term")}
        step = _text(form, "step")
        typed = dict(form)
        if access.read_only:
            return await self._book_page(request, params, typed, READ_ONLY)
        try:
            key = book_key(params)
            comment = _text(form, "comment")
            if step == "submit":
                await chain.submit(access, key, GapReasons(_prefixed(form, "gap:")), comment)
                done = "Đã nộp sổ. Sổ chuyển sang chỉ xem cho tới khi được trả lại."
            elif step == "check":
                await chain.check(access, key, comment)
                done = "Đã ghi nhận kiểm tra đạt; sổ chờ Ban giám hiệu duyệt."
            elif step == "return":
                await chain.return_book(access, key, comment, _prefixed(form, "note:"))
                done = "Đã trả lại sổ cho giáo viên kèm nhận xét."
            elif step == "approve":
                seen = {
                    str(k): int(v) for k, v in json.loads(_text(form, "versions") or "{}").items()
                }
                await chain.approve(access, key, seen, comment)
                done = "Đã duyệt và khóa sổ."
            elif step == "unlock":
                await chain.unlock(access, key, _text(form, "reason"))
                done = "Đã mở khóa sổ; giáo viên nhập tiếp được."
            else:
                raise NotFound("Không có thao tác này")
        except NotFound as exc:
            return _not_found(self, request, exc.message)
        except HocBaError as exc:
            return await self._book_page(request, params, typed, exc.message)
        except (ValueError, AttributeError, TypeError):
            return await self._book_page(
                request, params, typed, "Dữ liệu gửi lên không hợp lệ; hãy tải lại trang"
            )
        flash(request, done, "success")
        target = request.url_for("admin:workflow_book").include_query_params(**book_params(key))
        return RedirectResponse(target, status_code=303)


class CorrectionsView(CustomView):
    """The queue of correction requests, complaints and parents' reports."""

    menu_label = "Phiếu điều chỉnh"
    icon = "fa fa-file-pen"
    path = "/corrections"
    route_name = "corrections"

    def is_accessible(self, request: Request) -> bool:
        return access_of(request).can("corrections", Action.VIEW)

    @route("", methods=["GET"])
    async def index(self, request: Request) -> Response:
        access = access_of(request)
        status = request.query_params.get("status") or ""
        query: dict[str, Any] = (
            {"status": status} if status in {s.value for s in RequestStatus} else {}
        )
        handle = access.handle("corrections")
        try:
            page = max(1, int(request.query_params.get("page") or "1"))
        except ValueError:
            page = 1
        total = await handle.count(query)
        found = await handle.find(
            query, sort=[("_id", -1)], skip=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
        items = [CorrectionRequest.model_validate(f.stored) for f in found]
        return _render(
            self,
            request,
            "workflow/corrections.html",
            {
                "title": "Phiếu đề nghị điều chỉnh",
                "items": items,
                "status": status,
                "page": page,
                "pages": max(1, -(-total // PAGE_SIZE)),
                "total": total,
            },
        )

    @route("/new", methods=["GET", "POST"], name="correction_new")
    async def new(self, request: Request) -> Response:
        access = access_of(request)
        source = (
            dict(await request.form()) if request.method == "POST" else dict(request.query_params)
        )
        params = {k: str(source.get(k) or "") for k in ("kind", "year", "class", "subject", "term")}
        pupil = str(source.get("pupil") or "")
        try:
            book = await load_book(access, book_key(params))
        except NotFound as exc:
            return _not_found(self, request, exc.message)
        row = next((r for r in book.rows if r.id == pupil), None)
        error = None
        if request.method == "POST":
            if access.read_only:
                error = READ_ONLY
            else:
                proposals = [
                    Proposal(k.removeprefix("new:"), str(v))
                    for k, v in source.items()
                    if k.startswith("new:") and str(v).strip()
                ]
                try:
                    created = await requests.propose(
                        access,
                        book.key,
                        pupil,
                        proposals,
                        str(source.get("reason") or ""),
                        str(source.get("evidence") or ""),
                    )
                except HocBaError as exc:
                    error = exc.message
                else:
                    flash(
                        request,
                        "Đã gửi phiếu đề nghị điều chỉnh; tổ chuyên môn sẽ kiểm tra.",
                        "success",
                    )
                    return RedirectResponse(
                        request.url_for("admin:correction", id=str(created.id)), status_code=303
                    )
        return _render(
            self,
            request,
            "workflow/correction_new.html",
            {
                "title": "Lập phiếu đề nghị điều chỉnh",
                "book": book,
                "name": book_name(book.key),
                "row": row,
                "typed": source,
                "error": error,
            },
            status=422 if error else 200,
        )

    @route("/complaint", methods=["GET", "POST"], name="correction_complaint")
    async def staff_complaint(self, request: Request) -> Response:
        """A staff member's complaint about a pupil's data, into the same queue. (Named to
        sort after ``detail``: the library registers routes in name order, the last first, and
        "/complaint" must come before "/{id}".)"""
        access = access_of(request)
        typed: dict[str, Any] = dict(await request.form()) if request.method == "POST" else {}
        error = None
        if request.method == "POST":
            if access.read_only:
                error = READ_ONLY
            else:
                try:
                    filed = await requests.file_complaint(
                        access,
                        str(typed.get("code") or ""),
                        str(typed.get("subject") or "") or None,
                        str(typed.get("term") or "") or None,
                        str(typed.get("reason") or ""),
                        str(typed.get("evidence") or ""),
                    )
                except HocBaError as exc:
                    error = exc.message
                else:
                    flash(request, "Đã gửi khiếu nại; phiếu đã vào hàng chờ xử lý.", "success")
                    target = request.url_for("admin:correction", id=str(filed.id))
                    return RedirectResponse(target, status_code=303)
        return _render(
            self,
            request,
            "workflow/complaint.html",
            {
                "title": "Gửi khiếu nại về dữ liệu học bạ",
                "typed": typed,
                "error": error,
                "subjects": sorted((s.name, code) for code, s in SUBJECTS.items()),
                "allowed": access.can("corrections", Action.SUBMIT),
            },
            status=422 if error else 200,
        )

    @route("/{id}", methods=["GET"], name="correction")
    async def detail(self, request: Request) -> Response:
        return await self._detail(request, str(request.path_params["id"]), {}, None)

    async def _detail(
        self, request: Request, request_id: str, typed: dict[str, Any], error: str | None
    ) -> Response:
        access = access_of(request)
        try:
            item = await requests.get_request(access, request_id)
        except NotFound as exc:
            return _not_found(self, request, exc.message)
        open_ = item.status in (RequestStatus.SUBMITTED, RequestStatus.CHECKED)
        checkable = access.can("corrections", Action.CHECK) and access.scope(
            "corrections", Action.CHECK
        ).matches(item)
        approvable = access.can("corrections", Action.APPROVE) and access.scope(
            "corrections", Action.APPROVE
        ).matches(item)
        return _render(
            self,
            request,
            "workflow/correction.html",
            {
                "title": f"Phiếu: {item.student_name} lớp {item.class_name}",
                "item": item,
                "can_check": open_ and checkable and item.status is RequestStatus.SUBMITTED,
                "can_decide": open_ and approvable,
                "can_refuse": open_ and (approvable or checkable),
                "typed": typed,
                "error": error,
            },
            status=422 if error else 200,
        )

    @route("/{id}/step", methods=["POST"], name="correction_step")
    async def step(self, request: Request) -> Response:
        access = access_of(request)
        request_id = str(request.path_params["id"])
        form = await request.form()
        typed = dict(form)
        if access.read_only:
            return await self._detail(request, request_id, typed, READ_ONLY)
        step, comment = _text(form, "step"), _text(form, "comment")
        try:
            if step == "check":
                await requests.check_request(access, request_id, comment)
                done = "Đã ghi nhận kiểm tra; phiếu chờ Ban giám hiệu duyệt."
            elif step == "approve":
                await requests.approve_request(access, request_id, comment)
                done = "Đã duyệt phiếu và sửa đúng các ô trong phiếu."
            elif step == "refuse":
                await requests.refuse_request(access, request_id, comment)
                done = "Đã từ chối phiếu."
            else:
                raise NotFound("Không có thao tác này")
        except NotFound as exc:
            return _not_found(self, request, exc.message)
        except HocBaError as exc:
            return await self._detail(request, request_id, typed, exc.message)
        flash(request, done, "success")
        return RedirectResponse(request.url_for("admin:correction", id=request_id), status_code=303)


class InboxView(CustomView):
    """«Việc cần làm»: what waits for the signed-in user; the menu shows how many."""

    path = "/inbox"
    route_name = "inbox"
    icon = "fa fa-inbox"

    @property  # type: ignore[override]
    def menu_label(self) -> str:
        count = _inbox_count.get()
        return f"Việc cần làm ({count})" if count else "Việc cần làm"

    @menu_label.setter
    def menu_label(self, value: str) -> None:  # the library sets it once; the label is live
        pass

    def is_accessible(self, request: Request) -> bool:
        access = access_of(request)
        return access.user is not None and any(
            access.can(r, a)
            for r in ("gradebooks", "corrections")
            for a in (Action.SUBMIT, Action.CHECK, Action.APPROVE)
        )

    @route("", methods=["GET"])
    async def index(self, request: Request) -> Response:
        groups = await inbox.inbox(access_of(request))
        _inbox_count.set(sum(len(g.items) for g in groups))  # this page's menu: what it lists
        return _render(
            self, request, "workflow/inbox.html", {"title": "Việc cần làm", "groups": groups}
        )


def _is_page(path: str) -> bool:
    """Whether a GET is for a panel page (its menu shows the count), not a file or an API."""
    skipped = ("/static/", "/statics/", "/_api/", "/api/")
    last = path.rsplit("/", 1)[-1]
    return not any(part in path for part in skipped) and "." not in last


class InboxCount:
    """Pure ASGI: the signed-in user's count of waiting items for the menu of panel pages.

    A count is kept for COUNT_TTL seconds per account (a menu badge may lag that long behind
    someone else's step); the user's own POST drops theirs, so their next page counts afresh,
    and «Việc cần làm» itself always reads the items."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.counts: dict[str, tuple[float, int]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        access = access_of(Request(scope))
        user = access.user
        key = (
            f"{user.id}:{access.principal.user.id if access.principal.user else ''}" if user else ""
        )
        if scope.get("method") != "GET":
            self.counts.pop(key, None)
            await self.app(scope, receive, send)
            return
        if user is None or not _is_page(str(scope.get("path") or "")):
            await self.app(scope, receive, send)
            return
        now = time.monotonic()
        cached = self.counts.get(key)
        if cached is None or cached[0] < now:
            if len(self.counts) > MAX_COUNTS:
                self.counts = {k: v for k, v in self.counts.items() if v[0] >= now}
            cached = (now + COUNT_TTL, await inbox.count(access))
            self.counts[key] = cached
        token = _inbox_count.set(cached[1])
        try:
            await self.app(scope, receive, send)
        finally:
            _inbox_count.reset(token)


__all__ = [
    "BOOK_TERMS",
    "BookChainView",
    "CorrectionsView",
    "InboxCount",
    "InboxView",
    "WorkflowView",
]
