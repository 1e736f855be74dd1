"""«Theo dõi, kiểm tra» (Art. 6.3): the board's and the subject groups' dashboards, the results
statistics as Excel, and the printable inspection record.

Every number comes from the request's access: the pupils and books the reader may read; a
subject group head sees their group's subjects only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette_admin.routing import route
from starlette_admin.views import CustomView

from app.clock import format_date, utcnow
from app.dashboards.board import Board, may_export, may_view, open_board
from app.dashboards.crosschecks import checkers, cross_checks
from app.dashboards.progress import Progress, Row
from app.dashboards.quality import book_issues
from app.dashboards.results import (
    LEVEL_NAMES,
    LEVELS,
    TITLES,
    Results,
    in_sentence,
    results,
)
from app.dashboards.rules import KIND_LABELS
from app.dashboards.timing import timing
from app.exports import files
from app.store import Found
from models.role import Action
from models.student_parts import TERM_LABELS

from ..access import access_of
from ..charts import Bar, Segment, line_chart, percent_bars, stacked_bars
from .exports import download

PAGE_SIZE = 50
SECTIONS = {
    "progress": "Tiến độ",
    "timeliness": "Đúng hạn",
    "quality": "Chất lượng dữ liệu",
    "crosschecks": "Kiểm tra chéo",
    "results": "Thống kê kết quả",
}
LEVEL_CSS = {"T": "hocba-level-T", "K": "hocba-level-K", "Đ": "hocba-level-D"}
LEVEL_CSS |= {"CĐ": "hocba-level-CD", "": "hocba-level-none"}
NOT_FOUND = "Không tìm thấy biên bản kiểm tra này"
NO_YEAR = "Chưa có năm học nào được đánh dấu là năm học hiện tại trong danh mục năm học."


def page_number(request: Request, name: str = "page") -> int:
    try:
        return max(1, int(request.query_params.get(name) or "1"))
    except ValueError:
        return 1


def pages(count: int) -> int:
    return max(1, -(-count // PAGE_SIZE))


def class_link(request: Request) -> Callable[[str], str]:
    """A class -> its pupils in the panel's pupil list."""
    base = f"{request.url_for('admin:list', key='students')}?"
    return lambda class_name: base + urlencode({"filter": f"class_name__eq={class_name}"})


def pupil_link(request: Request) -> Callable[[str], str]:
    """A pupil's id -> their record book page."""
    base = f"{request.url_for('admin:detail', key='students')}?"
    return lambda pupil_id: base + urlencode({"pk": pupil_id})


def book_link(request: Request, school_year: str) -> Callable[[str, str | None, str], str]:
    """A book (class, subject or None for the homeroom book, term) -> its chain page, where
    its stage, history and steps are."""
    base = f"{request.url_for('admin:workflow_book')}?"

    def link(class_name: str, subject: str | None, term: str) -> str:
        kind = "subject" if subject else "homeroom"
        params = {"kind": kind, "year": school_year, "class": class_name, "term": term}
        return base + urlencode(params | ({"subject": subject} if subject else {}))

    return link


def progress_bars(rows: list[Row]) -> list[Bar]:
    return [Bar(r.label, r.cells_percent, f"{r.entered}/{r.expected} ô") for r in rows]


def stage_bars(progress: Progress) -> list[Bar]:
    total = progress.total
    return [
        Bar("Đã nhập (ô)", total.cells_percent, f"{total.entered}/{total.expected} ô"),
        Bar("Đã nộp", total.submitted_percent, f"{total.submitted}/{total.books} sổ"),
        Bar("Tổ CM đã kiểm tra", total.checked_percent, f"{total.checked}/{total.books} sổ"),
        Bar("BGH đã duyệt", total.approved_percent, f"{total.approved}/{total.books} sổ"),
    ]


def level_segments(counts: Any) -> list[Segment]:
    return [Segment(LEVEL_NAMES[level], counts[level], LEVEL_CSS[level]) for level in LEVELS]


class DashboardsView(CustomView):
    menu_label = "Theo dõi, kiểm tra"
    icon = "fa fa-chart-column"
    path = "/dashboards"
    route_name = "dashboards"

    def __init__(self, school_name: str = "") -> None:
        super().__init__()
        self.school_name = school_name

    def is_accessible(self, request: Request) -> bool:
        return may_view(access_of(request))

    async def _board(self, request: Request) -> Board | None:
        """None when no school year is current (is_accessible checked the grant)."""
        return await open_board(access_of(request), request.query_params.get("term"))

    def _no_year(self, request: Request) -> Response:
        return self._message(request, "Chưa có năm học hiện tại", NO_YEAR, 404)

    def _render(
        self, request: Request, section: str, board: Board, context: dict[str, Any]
    ) -> Response:
        assert self._admin is not None
        terms = [(t, TERM_LABELS[t]) for t in ("hk1", "hk2")]
        return self._admin._template_response(
            request,
            f"dashboards/{section}.html",
            {
                "title": f"{SECTIONS[section]} — Theo dõi, kiểm tra",
                "section": section,
                "sections": SECTIONS,
                "board": board,
                "terms": terms,
                "term_label": TERM_LABELS[board.term],
                "term_phrase": in_sentence(TERM_LABELS[board.term]),
                "class_link": class_link(request),
                "pupil_link": pupil_link(request),
                "book_link": book_link(request, board.school_year),
                "may_export": may_export(access_of(request)),
                "may_inspect": access_of(request).can("inspections", Action.CREATE),
                **context,
            },
        )

    @route("", methods=["GET"])
    async def index(self, request: Request) -> Response:
        board = await self._board(request)
        if board is None:
            return self._no_year(request)
        progress = board.progress()
        # A school has hundreds of classes and teachers: a page of each (light pages on slow
        # links, DOMAIN §1 Art. 5.3).
        class_page, teacher_page = (
            page_number(request, "class_page"),
            page_number(request, "teacher_page"),
        )
        classes = progress.classes[(class_page - 1) * PAGE_SIZE : class_page * PAGE_SIZE]
        teachers = progress.teachers[(teacher_page - 1) * PAGE_SIZE : teacher_page * PAGE_SIZE]
        charts = {
            "stages": percent_bars(
                f"Tiến độ chung, {in_sentence(TERM_LABELS[board.term])}", stage_bars(progress)
            ),
            "grades": percent_bars("Tỉ lệ ô đã nhập theo khối", progress_bars(progress.grades)),
            "classes": percent_bars("Tỉ lệ ô đã nhập theo lớp", progress_bars(classes)),
            "subjects": percent_bars("Tỉ lệ ô đã nhập theo môn", progress_bars(progress.subjects)),
        }
        return self._render(
            request,
            "progress",
            board,
            {
                "progress": progress,
                "charts": charts,
                "classes": classes,
                "class_page": class_page,
                "class_pages": pages(len(progress.classes)),
                "teachers": teachers,
                "teacher_page": teacher_page,
                "teacher_pages": pages(len(progress.teachers)),
            },
        )

    @route("/timeliness", methods=["GET"], name="dashboard_timeliness")
    async def timeliness(self, request: Request) -> Response:
        board = await self._board(request)
        if board is None:
            return self._no_year(request)
        found = await timing(
            access_of(request), board.school_year, board.term, board.states, board.today
        )
        points = [(found.week_label(i), n) for i, n in enumerate(found.weeks)]
        chart = line_chart(
            f"Số ô được nhập mỗi tuần, {in_sentence(TERM_LABELS[board.term])}", points
        )
        books = sorted(found.by_book.items(), key=lambda kv: (kv[0][0], kv[0][1] or "~"))
        late, late_page = found.late_books, page_number(request, "late_page")
        book_page = page_number(request, "book_page")
        return self._render(
            request,
            "timeliness",
            board,
            {
                "timing": found,
                "chart": chart,
                "late": late[(late_page - 1) * PAGE_SIZE : late_page * PAGE_SIZE],
                "late_page": late_page,
                "late_pages": pages(len(late)),
                "book_rows": books[(book_page - 1) * PAGE_SIZE : book_page * PAGE_SIZE],
                "book_page": book_page,
                "book_pages": pages(len(books)),
                "format_date": format_date,
            },
        )

    @route("/quality", methods=["GET"], name="dashboard_quality")
    async def quality(self, request: Request) -> Response:
        board = await self._board(request)
        if board is None:
            return self._no_year(request)
        kind = request.query_params.get("kind") or ""
        issues = board.snapshot.issues
        counts = {k: sum(1 for i in issues if i.kind == k) for k in KIND_LABELS}
        shown = [i for i in issues if i.kind == kind] if kind in KIND_LABELS else issues
        shown = [i for i in shown if i.term in (None, "year", board.term)]
        page = page_number(request)
        books = book_issues(board.states)
        book_page = page_number(request, "book_page")
        return self._render(
            request,
            "quality",
            board,
            {
                "kind": kind,
                "kinds": KIND_LABELS,
                "counts": counts,
                "issues": shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
                "issue_total": len(shown),
                "page": page,
                "pages": pages(len(shown)),
                "books": books[(book_page - 1) * PAGE_SIZE : book_page * PAGE_SIZE],
                "book_total": len(books),
                "book_page": book_page,
                "book_pages": pages(len(books)),
            },
        )

    @route("/crosschecks", methods=["GET"], name="dashboard_crosschecks")
    async def crosschecks(self, request: Request) -> Response:
        board = await self._board(request)
        if board is None:
            return self._no_year(request)
        events = cross_checks(board.books, board.term)
        return self._render(
            request,
            "crosschecks",
            board,
            {"events": events, "checkers": checkers(events), "format_date": format_date},
        )

    def _results(self, request: Request, board: Board) -> Results:
        period = request.query_params.get("period") or "year"
        return results(board.snapshot, period if period in TERM_LABELS else "year")

    @route("/results", methods=["GET"], name="dashboard_results")
    async def results_page(self, request: Request) -> Response:
        board = await self._board(request)
        if board is None:
            return self._no_year(request)
        stats = self._results(request, board)
        charts = {}
        if "learning" in stats.readable:
            rows = [(r.label, level_segments(r.learning)) for r in stats.classes]
            charts["learning"] = stacked_bars(
                f"Kết quả học tập {stats.period_phrase} theo lớp", rows
            )
        if "conduct" in stats.readable:
            rows = [(r.label, level_segments(r.conduct)) for r in stats.classes]
            charts["conduct"] = stacked_bars(
                f"Kết quả rèn luyện {stats.period_phrase} theo lớp", rows
            )
        return self._render(
            request,
            "results",
            board,
            {
                "stats": stats,
                "charts": charts,
                "levels": LEVELS,
                "level_names": LEVEL_NAMES,
                "titles": TITLES,
                "periods": TERM_LABELS,
            },
        )

    @route("/results.xlsx", methods=["GET"], name="dashboard_results_excel")
    async def results_excel(self, request: Request) -> Response:
        access = access_of(request)
        if not may_export(access):
            return self._message(
                request, "Không có quyền", "Bạn không có quyền xuất thống kê.", 403
            )
        board = await self._board(request)
        if board is None:
            return self._no_year(request)
        stats = self._results(request, board)
        export = await files.results_statistics(
            access, stats, school_year=board.school_year, school=self.school_name
        )
        return download(export)

    @route("/inspections/{pk}/print", methods=["GET"], name="inspection_print")
    async def print_inspection(self, request: Request) -> Response:
        """The inspection record as a page to print (its own print stylesheet)."""
        assert self._admin is not None
        handle = access_of(request).handle("inspections", Action.VIEW)
        found: Found | None = await handle.get(request.path_params["pk"])
        if found is None:
            return self._message(request, "Không tìm thấy", NOT_FOUND, 404)
        return self._admin.templates.TemplateResponse(
            request,
            "dashboards/inspection_print.html",
            {
                "record": found.visible,
                "school_name": self.school_name,
                "format_date": format_date,
                "printed_at": format_date(utcnow()),
            },
        )

    def _message(self, request: Request, title: str, message: str, status: int) -> Response:
        assert self._admin is not None
        return self._admin._template_response(
            request,
            "hocba/not_found.html",
            {"title": title, "message": message},
            status_code=status,
        )
