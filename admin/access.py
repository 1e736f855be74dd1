"""The panel's view of the request's access, and the IT group's "preview as user U".

The sign-in middleware builds one :class:`~app.store.Access` per request (shared with the API);
starlette-admin asks ``can_edit(request)`` and friends synchronously, so the views read it from
``request.state.access``. A request without it is denied everything.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from app.store import DENY_ALL, Access, principal_of
from models.role import Action

__all__ = ["DENY_ALL", "Access", "AccessMiddleware", "access_of"]


def access_of(request: HTTPConnection) -> Access:
    access = getattr(request.state, "access", None)
    return access if isinstance(access, Access) else DENY_ALL


class AccessMiddleware:
    """Swaps in the previewed user's access while an IT user previews the panel."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            conn = HTTPConnection(scope)
            own = access_of(conn)
            conn.state.access = await _with_preview(own, getattr(conn.state, "session", None))
        await self.app(scope, receive, send)


async def _with_preview(own: Access, session: Any) -> Access:
    if own.user is None:
        return own
    can_manage = own.scope("roles", Action.EDIT).allowed
    own.real_can_manage_roles = can_manage
    preview_id = getattr(session, "preview_user_id", None)
    if preview_id is None or not can_manage:
        return own
    target = await principal_of(preview_id)
    if target.user is None:
        return own
    return Access(principal=target, signed_in=own.user, real_can_manage_roles=True)
