"""One CSRF token for the whole site, shared with the admin panel.

starlette-admin's ``CSRFMiddleware`` (double-submit, signed cookie) guards every unsafe request,
with the app's SECRET_KEY. Two small additions:

- :class:`EnsureCSRFCookie` (outside it) hands out the cookie before anything else runs and puts
  it into the request, so the panel's own ``CSRFMiddleware`` (same cookie, salt and secret) sees
  a valid cookie and never issues a second, different token on a first visit;
- :class:`CSRFGuard` turns its plain-text 403 into a Vietnamese page (JSON under /api/).
"""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.base import RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette_admin.security.csrf import _CSRF_SALT, CSRFMiddleware

from .templates import render_message

CSRF_REJECTED = (
    "Yêu cầu bị từ chối vì thiếu mã bảo vệ hoặc biểu mẫu đã cũ (CSRF). "
    "Hãy tải lại trang rồi thử lại."
)

__all__ = ["CSRF_REJECTED", "CSRFGuard", "EnsureCSRFCookie", "refusal"]


class EnsureCSRFCookie:
    """Pure ASGI: make sure every HTTP request carries a valid signed CSRF cookie."""

    def __init__(self, app: ASGIApp, secret_key: str, secure: bool) -> None:
        self.app = app
        self.secure = secure
        self._signer = URLSafeSerializer(secret_key, salt=_CSRF_SALT)

    def _valid(self, signed: str | None) -> bool:
        if not signed:
            return False
        try:
            self._signer.loads(signed)
        except BadSignature:
            return False
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        name = CSRFMiddleware.cookie_name
        request = Request(scope)
        if self._valid(request.cookies.get(name)):
            await self.app(scope, receive, send)
            return
        signed = self._signer.dumps(secrets.token_hex(32))
        scope = dict(scope)
        scope["headers"] = _with_cookie(scope["headers"], name, signed)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                response = Response()
                response.set_cookie(
                    name, signed, path="/", httponly=False, samesite="lax", secure=self.secure
                )  # JS reads it for X-CSRFToken
                headers = MutableHeaders(scope=message)
                # Only the cookie: a blank Response also carries its own Content-Length.
                for key, value in response.raw_headers:
                    if key == b"set-cookie":
                        headers.append("set-cookie", value.decode("latin-1"))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _with_cookie(
    headers: list[tuple[bytes, bytes]], name: str, value: str
) -> list[tuple[bytes, bytes]]:
    """Headers whose Cookie line holds ``name=value`` instead of any earlier value."""
    others = [(k, v) for k, v in headers if k.lower() != b"cookie"]
    parts = [
        part
        for k, v in headers
        if k.lower() == b"cookie"
        for part in v.decode("latin-1").split(";")
        if part.strip() and part.split("=", 1)[0].strip() != name
    ]
    parts.append(f"{name}={value}")
    cookie = "; ".join(p.strip() for p in parts)
    return [*others, (b"cookie", cookie.encode("latin-1"))]


class CSRFGuard(CSRFMiddleware):
    """starlette-admin's CSRF check with a Vietnamese refusal."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        try:
            response = await super().dispatch(request, call_next)
        except HTTPException as exc:
            # The form could not be read (a field over the size limit, too many fields): a
            # clear refusal, never an error page.
            if exc.status_code != 400:
                raise
            return refusal(request, unreadable_form(str(exc.detail)), status_code=400)
        # call_next() never yields a PlainTextResponse; only the CSRF refusal does.
        if type(response) is PlainTextResponse and response.status_code == 403:
            return forbidden_response(request, CSRF_REJECTED)
        return response


def forbidden_response(request: Request, message: str) -> Response:
    return refusal(request, message, status_code=403)


def refusal(request: Request, message: str, *, status_code: int) -> Response:
    """A refused request: JSON for the API, a page in Vietnamese for people."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status_code)
    return render_message(
        request, title="Không thể thực hiện yêu cầu", message=message, status_code=status_code
    )


def unreadable_form(detail: str) -> str:
    """The form parser's English reason, said in Vietnamese."""
    if "maximum size" in detail:
        return "Một ô trong biểu mẫu dài quá mức cho phép (tối đa 1 MB). Hãy rút ngắn rồi gửi lại."
    if "Too many" in detail:
        return "Biểu mẫu có quá nhiều trường nên không được nhận. Hãy tải lại trang rồi gửi lại."
    return "Không đọc được biểu mẫu gửi lên. Hãy tải lại trang rồi gửi lại."
