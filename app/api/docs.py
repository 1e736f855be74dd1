"""The API's reference pages, served from this site's own files (no CDN: they work offline)
and only to signed-in staff (the API describes how pupils' records are shaped)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from app.auth.deps import CurrentUser

ASSETS = "/api-docs"
router = APIRouter(include_in_schema=False)


@router.get("/openapi.json")
async def openapi(request: Request, user: CurrentUser) -> JSONResponse:
    schema: dict[str, Any] = request.app.openapi()
    return JSONResponse(schema)


@router.get("/docs")
async def docs(user: CurrentUser) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Học bạ số — tài liệu API",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
    )


def install_docs(app: FastAPI) -> None:
    app.mount(ASSETS, StaticFiles(directory=swagger_ui_path), name="api-docs")
    app.include_router(router)
