"""Domain errors as JSON responses with Vietnamese messages."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app.errors import HocBaError
from app.validation_vi import error_message


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HocBaError)
    async def _domain(request: Request, exc: HocBaError) -> JSONResponse:
        body: dict[str, object] = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return JSONResponse(body, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "detail": error_message(e)}
            for e in exc.errors()
        ]
        return JSONResponse(
            {"detail": "Dữ liệu gửi lên không hợp lệ", "errors": errors}, status_code=422
        )
