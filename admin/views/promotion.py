"""«Chuyển năm học»: the office's year-end move of pupils into next year's classes, with a
preview per class (who goes where, who stays, who graduates, who waits) and one confirmed
batch. The rules live in app/office/promotion.py; this page reads the form and shows them."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette_admin.routing import route
from starlette_admin.views import CustomView

from app.errors import HocBaError
from app.office import promotion_run
from app.office.promotion import (
    DONE,
    GRADUATE,
    GROUP_LABELS,
    PENDING,
    PROMOTE,
    RETAIN,
    may_promote,
    preview,
)

from ..access import access_of

TITLE = "Chuyển năm học"
MAX_CLASSES = 200  # targets read from one form (a large school has ~60 classes)


class PromotionView(CustomView):
    menu_label = TITLE
    icon = "fa fa-forward"
    path = "/promotion"
    route_name = "promotion"

    def is_accessible(self, request: Request) -> bool:
        return may_promote(access_of(request))

    @route("", methods=["GET", "POST"])
    async def index(self, request: Request) -> Response:
        """The preview (GET, or POST with other classes chosen) and the confirmed move."""
        year, promote_to, retain_to, confirmed = await _read(request)
        access = access_of(request)
        error = None
        if confirmed:
            try:
                await promotion_run.start(access, year, promote_to=promote_to, retain_to=retain_to)
            except HocBaError as exc:
                error = exc.message
            else:
                return RedirectResponse(request.url_for("admin:promotion_run"), status_code=303)
        try:
            plan = await preview(access, year, promote_to=promote_to, retain_to=retain_to)
        except HocBaError as exc:
            error, plan = exc.message, None
            if year is not None:  # a year not in the catalogue: show the current one
                try:
                    plan = await preview(access)
                except HocBaError:
                    plan = None
        return self._page(
            request, "office/promotion.html", {"plan": plan, "error": error}, 422 if error else 200
        )

    @route("/run", methods=["GET"], name="promotion_run")
    async def run(self, request: Request) -> Response:
        """The confirmed move: its progress while it runs (the page refreshes), then what
        was done."""
        current = promotion_run.current()
        if current is None:
            return RedirectResponse(request.url_for("admin:promotion"), status_code=303)
        return self._page(request, "office/promotion_done.html", {"run": current})

    def _page(
        self, request: Request, template: str, context: dict[str, Any], status: int = 200
    ) -> Response:
        assert self._admin is not None
        response = self._admin._template_response(
            request,
            template,
            {
                "title": TITLE,
                "labels": GROUP_LABELS,
                "groups": {
                    "promote": PROMOTE,
                    "retain": RETAIN,
                    "graduate": GRADUATE,
                    "pending": PENDING,
                    "done": DONE,
                },
                **context,
            },
        )
        response.status_code = status
        return response


async def _read(request: Request) -> tuple[str | None, dict[str, str], dict[str, str], bool]:
    """The chosen school year, the classes chosen per source class, and whether the office
    confirmed the move (only a POST can)."""
    if request.method != "POST":
        return request.query_params.get("year") or None, {}, {}, False
    form = await request.form()
    targets: dict[str, dict[str, str]] = {"promote_to": {}, "retain_to": {}}
    for key, value in form.multi_items():
        kind, _, source = key.partition(".")
        wanted = kind in targets and source and isinstance(value, str)
        if wanted and len(targets[kind]) < MAX_CLASSES:
            targets[kind][source[:20]] = str(value).strip()[:20]
    year = form.get("year")
    return (
        year.strip() if isinstance(year, str) and year.strip() else None,
        targets["promote_to"],
        targets["retain_to"],
        form.get("do") == "apply",
    )
