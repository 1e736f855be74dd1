"""Puts the IT group's system notice (if one is posted) on every request's state, so every page
layout can show it as a banner until it is withdrawn."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Receive, Scope, Send

from app.operations.notices import current_notice
from app.web.paths import is_static

log = logging.getLogger(__name__)


class SystemNoticeMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not is_static(scope.get("path", "")):
            try:
                notice = await current_notice()
            except Exception:  # the database may still be starting: no banner rather than 500
                log.debug("system notice not available", exc_info=True)
                notice = None
            scope.setdefault("state", {})["system_notice"] = notice
        await self.app(scope, receive, send)
