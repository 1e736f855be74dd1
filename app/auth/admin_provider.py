"""starlette-admin sign-in through the site's own sessions.

The panel never shows its own login form: its ``login`` route (where its ``AuthMiddleware``
sends strangers, with ``?next=<absolute url>``) forwards to the site's ``/login?next=<path>``,
and its ``logout`` route (the POST form in the panel's user menu) ends the site session.

Usage: ``Admin(..., auth_provider=AdminAuthProvider(), secret_key=settings.secret_key)``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates
from starlette_admin.auth import AdminUser, BaseAuthProvider

from .deps import LOGIN_PAGE, safe_next
from .login_routes import perform_logout
from .signin import password_change_reason


class AdminAuthProvider(BaseAuthProvider):
    """The panel's user is ``request.state.user`` (set by the site's auth middleware)."""

    async def authenticate(self, request: Request) -> AdminUser | None:
        user = getattr(request.state, "user", None)
        if user is None or user.is_parent or password_change_reason(user) is not None:
            return None  # parents never enter the panel (the site sends them home first)
        return AdminUser(username=user.full_name)

    def get_routes(self, templates: Jinja2Templates) -> list[Route]:
        return [
            Route(self.login_path, self._to_site_login, methods=["GET", "POST"], name="login"),
            Route(self.logout_path, self._logout, methods=["POST"], name="logout"),
        ]

    async def _to_site_login(self, request: Request) -> Response:
        target = safe_next(request, request.query_params.get("next"), "")
        query = f"?{urlencode({'next': target})}" if target else ""
        return RedirectResponse(LOGIN_PAGE + query, status_code=303)

    async def _logout(self, request: Request) -> Response:
        return await perform_logout(request)
