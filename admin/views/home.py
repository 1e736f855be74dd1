"""The panel's home page: one panel per list the user may open, with its count, a link to the
list, and an "add" link only where the user may add."""

from __future__ import annotations

from html import escape
from typing import Any

from starlette.requests import Request
from starlette_admin import HtmlWidget, PanelWidget
from starlette_admin.helpers import create_url, view_list_url
from starlette_admin.views import DefaultIndexView
from starlette_admin.widgets import BaseWidget


class HomeView(DefaultIndexView):
    """``DefaultIndexView`` with our own words: its sentence "Browse all records or add a new
    one" is built from English pieces and always links to the create page, which most staff
    may not open (403)."""

    def __init__(self, title: str) -> None:
        # The admin hands over its views and templates once it has built them (attach).
        super().__init__([], None, app_title=title, welcome_text=f"<h2>{escape(title)}</h2>")  # type: ignore[arg-type]

    def attach(self, model_views: list[Any], env: Any) -> None:
        self._model_views = model_views
        self.env = env

    async def _build_view_panel(self, request: Request, view: Any) -> BaseWidget:
        key = str(view.key)
        count = await view.count(request)
        links = f'<a href="{escape(str(view_list_url(request, key)))}">Xem danh sách</a>'
        if view.can_create(request):
            links += f' · <a href="{escape(str(create_url(request, key)))}">Thêm mới</a>'
        html = f"<p><strong>{count}</strong> bản ghi</p><p>{links}</p>"
        return PanelWidget(
            title=view.menu_label, icon=view.icon or "", children=[HtmlWidget(html=html)]
        )
