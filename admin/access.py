"""Per-request access: every scope a user has, computed once per request before the panel runs.

starlette-admin asks ``can_edit(request)`` and friends synchronously, so the async permission
engine runs first, in :class:`AccessMiddleware`, and the views read the result from
``request.state.access``. A request without it is denied everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from app.permissions.engine import Action, compute_scope, subject
from app.permissions.resources import RESOURCES
from app.permissions.scope import Scope as AccessScope
from models.user import User


@dataclass
class Access:
    user: User | None
    scopes: dict[tuple[str, Action], AccessScope] = field(default_factory=dict)
    preview_of: User | None = None  # set while an IT user previews the panel as someone else
    real_can_manage_roles: bool = False  # the signed-in user's own right, even while previewing

    def scope(self, resource: str, action: Action) -> AccessScope | None:
        return self.scopes.get((resource, action))

    def can(self, resource: str, action: Action) -> bool:
        scope = self.scope(resource, action)
        return scope is not None and scope.allowed

    @property
    def read_only(self) -> bool:
        return self.preview_of is not None


DENY_ALL = Access(user=None)


def access_of(request: HTTPConnection) -> Access:
    return getattr(request.state, "access", None) or DENY_ALL


class AccessMiddleware:
    """Computes the signed-in user's scopes (after the session middleware ran)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            conn = HTTPConnection(scope)
            user = getattr(conn.state, "user", None)
            access: Access = DENY_ALL
            if user is not None:
                access = await _access_for(user, getattr(conn.state, "session", None))
            conn.state.access = access
        await self.app(scope, receive, send)


async def _access_for(user: User, session: Any) -> Access:
    own = await scopes_for_user(user)
    manage = own.get(("roles", Action.EDIT))
    can_manage = manage is not None and manage.allowed
    preview_id = getattr(session, "preview_user_id", None)
    if preview_id is not None and can_manage:
        target = await User.get(preview_id)
        if target is not None:
            return Access(
                user=user,
                scopes=await scopes_for_user(target),
                preview_of=target,
                real_can_manage_roles=True,
            )
    return Access(user=user, scopes=own, real_can_manage_roles=can_manage)


async def scopes_for_user(user: User) -> dict[tuple[str, Action], AccessScope]:
    """Every (resource, action) scope of one user, from the roles as stored right now."""
    ctx, roles = await subject(user)  # the user as stored now: disabled means nothing
    if not ctx.active:
        return {}
    return {
        (resource, action): compute_scope(ctx, roles, resource, action)
        for resource in RESOURCES
        for action in Action
    }


def scoped_filter(request: HTTPConnection, resource: str, action: Action) -> dict[str, Any] | None:
    """The effective MongoDB filter, or None when the action is not granted at all."""
    scope = access_of(request).scope(resource, action)
    if scope is None or not scope.allowed:
        return None
    return scope.filter
