"""The panel's view of the request's access, and the IT group's "preview as user U".

The sign-in middleware builds one :class:`~app.store.Access` per request (shared with the API);
starlette-admin asks ``can_edit(request)`` and friends synchronously, so the views read it from
``request.state.access``. A request without it is denied everything.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.auth.config import PARENT_HOME
from app.store import DENY_ALL, Access, previewing

__all__ = ["DENY_ALL", "Access", "AccessMiddleware", "access_of", "panel_path"]


def access_of(request: HTTPConnection) -> Access:
    access = getattr(request.state, "access", None)
    return access if isinstance(access, Access) else DENY_ALL


class AccessMiddleware:
    """Swaps in the previewed user's access while an IT user previews the panel. A parent has
    no panel: while a parent is previewed, the panel's pages lead to the parents' pages (all
    but the preview page itself, where the preview ends)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            conn = HTTPConnection(scope)
            session = getattr(conn.state, "session", None)
            preview_id = getattr(session, "preview_user_id", None)
            access = conn.state.access = await previewing(access_of(conn), preview_id)
            shown = access.preview_of
            if shown is not None and shown.is_parent and not _kept_in_parent_preview(scope):
                await RedirectResponse(PARENT_HOME, status_code=303)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def panel_path(scope: Scope) -> str:
    """The request's path inside the panel ("" or "/" for its home)."""
    root = str(scope.get("root_path") or "").rstrip("/")
    return str(scope.get("path") or "").removeprefix(root)


def _kept_in_parent_preview(scope: Scope) -> bool:
    return panel_path(scope).startswith(("/preview", "/static/"))
