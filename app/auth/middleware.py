"""Request context: request id, signed-in user, acting person (pure ASGI middleware).

For every HTTP request: a fresh request id (``current_request_id``, ``X-Request-ID`` header),
the session from the ``hocba_session`` cookie (``request.state.session``), its user
(``request.state.user``, None when signed out) and ``current_actor``. A user who must change
the password is sent to the change page from everywhere else; a parent's account reaches only
the parents' pages and its own account pages (deny by default: the panel, the API and every
other staff page send it home).
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.context import current_actor, current_request_id
from app.store import DENY_ALL
from app.web.paths import STATIC_PREFIXES

from .config import PARENT_HOME, config_for
from .events import ClientInfo, current_client
from .sessions import COOKIE_NAME, clear_session_cookie, resolve_session
from .signin import password_change_reason
from .user_writes import actor_of

ACCOUNT_PAGE = "/account"
PASSWORD_PAGE = "/account/password"
# Reachable while a password change is pending; static files and /healthz never touch the
# database for a session.
CHANGE_EXEMPT = (PASSWORD_PAGE, "/logout", "/login", *STATIC_PREFIXES, "/healthz", "/favicon.ico")
NO_SESSION = (*STATIC_PREFIXES, "/healthz")
PARENT_PATHS = (PARENT_HOME, PARENT_HOME + "/", "/account", "/account/", *CHANGE_EXEMPT)
PARENT_API = "Tài khoản phụ huynh không dùng được chức năng này."
MUST_CHANGE_API = "Bạn cần đổi mật khẩu trước khi tiếp tục."


def _exempt(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in prefixes)


class AuthContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        config = config_for(conn)
        request_id = uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state.update(
            request_id=request_id, user=None, session=None, session_ended=False, access=DENY_ALL
        )
        path: str = scope["path"]
        token = conn.cookies.get(COOKIE_NAME)
        if token and not _exempt(path, NO_SESSION):
            resolved = await resolve_session(token, config=config)
            if resolved is None:
                state["session_ended"] = True
            else:
                state["session"], state["access"] = resolved
                state["user"] = resolved[1].user

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                if state["session_ended"]:
                    cleared = Response()
                    clear_session_cookie(cleared, config)
                    headers.append("set-cookie", cleared.headers["set-cookie"])
            await send(message)

        user = state["user"]
        client = ClientInfo(
            ip=conn.client.host if conn.client else None, user_agent=conn.headers.get("user-agent")
        )
        tokens = (
            current_request_id.set(request_id),
            current_actor.set(actor_of(user) if user is not None else None),
            current_client.set(client),
        )
        try:
            if (
                user is not None
                and not _exempt(path, CHANGE_EXEMPT)
                and password_change_reason(user, config=config) is not None
            ):
                await _to_password_page(conn)(scope, receive, send_wrapper)
                return
            if user is not None and user.is_parent and not _exempt(path, PARENT_PATHS):
                await _to_parent_home(conn)(scope, receive, send_wrapper)
                return
            await self.app(scope, receive, send_wrapper)
        finally:
            current_client.reset(tokens[2])
            current_actor.reset(tokens[1])
            current_request_id.reset(tokens[0])


def _to_parent_home(conn: HTTPConnection) -> Response:
    if conn.url.path.startswith("/api/"):
        return JSONResponse({"detail": PARENT_API}, status_code=403)
    return RedirectResponse(PARENT_HOME, status_code=303)


def _to_password_page(conn: HTTPConnection) -> Response:
    if conn.url.path.startswith("/api/"):
        return JSONResponse({"detail": MUST_CHANGE_API}, status_code=403)
    target = conn.url.path + (f"?{conn.url.query}" if conn.url.query else "")
    return RedirectResponse(f"{PASSWORD_PAGE}?{urlencode({'next': target})}", status_code=303)
