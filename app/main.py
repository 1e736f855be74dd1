"""FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse, RedirectResponse
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from admin.app import build_admin

from .api.docs import install_docs
from .api.errors import install_error_handlers
from .api.students import router as students_api
from .auth.install import install_auth
from .changelog.worker import ChangeLogWorker
from .config import Settings, get_settings
from .db import database_status, init_models, make_client
from .parents.routes import install_parent_pages
from .web.headers import SecurityHeadersMiddleware
from .web.limits import BodyLimitMiddleware
from .web.notice import SystemNoticeMiddleware

log = logging.getLogger(__name__)


async def _init_until_ready(app: FastAPI, client: AsyncMongoClient, settings: Settings) -> None:
    """Initialise the models, retrying while the database is unreachable (it may start later),
    then run the change-log worker in this process unless configured otherwise."""
    app.state.models_ready = False
    while True:
        try:
            await init_models(client, settings.mongodb_db, settings.field_master_key())
        except PyMongoError as exc:
            log.warning("database not ready (%s); retrying in 5 s", type(exc).__name__)
            await asyncio.sleep(5)
            continue
        app.state.models_ready = True
        break
    if settings.runs_changelog_worker:
        worker = ChangeLogWorker(client[settings.mongodb_db])
        app.state.changelog_worker = worker
        try:
            await worker.run()
        finally:
            worker.stop()


def create_app(settings: Settings | None = None, *, mongo_uri: str | None = None) -> FastAPI:
    """Build the app. ``mongo_uri`` overrides the settings (used for the embedded server)."""
    settings = settings or get_settings()
    if settings.field_master_key() is None:
        # Pupils' national IDs and guardians' phones are encrypted with it: no key, no app.
        raise RuntimeError("FIELD_KEY or FIELD_KEY_FILE is required when ENV=production")
    uri = mongo_uri or settings.mongodb_uri
    if uri is None:
        raise RuntimeError("no database: set MONGODB_URI or start the embedded server")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = make_client(uri, timeout_ms=settings.mongodb_timeout_ms)
        app.state.mongo = client
        app.state.db = client[settings.mongodb_db]
        retry = asyncio.create_task(_init_until_ready(app, client, settings))
        try:
            yield
        finally:
            worker = getattr(app.state, "changelog_worker", None)
            if worker is not None:
                worker.stop()  # releases the lease so another process takes over at once
                with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(retry, timeout=5)
            retry.cancel()
            await client.close()

    # The reference pages are served by app/api/docs.py: local files, signed-in staff only.
    app = FastAPI(
        title="Học bạ số",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    install_auth(app, settings)  # sessions, login pages, CSRF, request context (app/auth)
    # Outermost: every answer carries the security headers; oversized bodies never get in.
    app.add_middleware(SystemNoticeMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    install_error_handlers(app)
    app.include_router(students_api)
    install_parent_pages(app)  # /phu-huynh: the parents' own pages
    install_docs(app)
    build_admin(settings).mount_to(app)

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/admin/", status_code=303)

    @app.get("/healthz", tags=["system"])
    async def healthz() -> JSONResponse:
        """Liveness and database status; 503 when the database cannot be reached."""
        status = await database_status(app.state.mongo)
        healthy = status["reachable"] and status.get("writable_primary", False)
        body = {"status": "ok" if healthy else "unavailable", "database": status}
        return JSONResponse(body, status_code=200 if healthy else 503)

    return app
