"""Jinja2 templates of the site pages (app/templates), shared with other teams' pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates
from starlette_admin.security.csrf import csrf_input

from app.clock import format_date, format_datetime

from .config import config_for
from .flash import clear_flash, has_flash, pop_flash

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.globals.update(
    csrf_input=csrf_input, format_datetime=format_datetime, format_date=format_date
)


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    notices: list[dict[str, str]] | None = None,
) -> Response:
    """Render a page with the signed-in user, the queued notices and the school name.

    ``notices`` are shown on this page only; queued ones (set before a redirect) are consumed.
    """
    settings = getattr(request.app.state, "settings", None)
    config = config_for(request)
    flashes = pop_flash(request, config) + list(notices or [])
    page = {
        "home_path": config.home_path,
        "user": getattr(request.state, "user", None),
        # While an IT user previews a parent's pages: the parent (app.parents.routes).
        "preview_of": getattr(request.state, "preview_of", None),
        "flashes": flashes,
        "school_name": getattr(settings, "school_name", ""),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, page, status_code=status_code)
    if has_flash(request):
        clear_flash(response)
    return response


def render_message(
    request: Request, *, title: str, message: str, status_code: int = 200
) -> Response:
    return render(
        request, "message.html", {"title": title, "message": message}, status_code=status_code
    )
