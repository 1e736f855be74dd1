"""Request context: request id, state, current actor; the CurrentUser dependency."""

from __future__ import annotations

import socket
from typing import Any

import httpx
from fastapi import FastAPI, Request

from app.auth.deps import CurrentUser, OptionalUser
from app.config import Settings
from app.context import current_actor, current_request_id
from app.main import create_app
from tests.auth.helpers import SECRET, MakeUser, login, serving


def add_probe_routes(app: FastAPI) -> None:
    @app.get("/api/v1/probe")
    async def api_probe(request: Request, user: CurrentUser) -> dict[str, Any]:
        actor = current_actor.get()
        return {
            "user": user.username,
            "state_user": request.state.user.username,
            "session": str(request.state.session.id),
            "actor": actor.__dict__ if actor else None,
            "request_id": current_request_id.get(),
        }

    @app.get("/page-probe")
    async def page_probe(user: CurrentUser) -> dict[str, str]:
        return {"user": user.username}

    @app.get("/open-probe")
    async def open_probe(request: Request, user: OptionalUser) -> dict[str, Any]:
        return {
            "user": user.username if user else None,
            "state_user": request.state.user,
            "actor": current_actor.get(),
            "request_id": current_request_id.get(),
        }


async def test_signed_in_request_sets_user_actor_and_request_id(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    add_probe_routes(app)
    user = await make_user(roles=["gvcn", "gvbm"])
    await login(client)
    response = await client.get("/api/v1/probe")
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == body["state_user"] == "gv.lan"
    assert body["actor"] == {"id": str(user.id), "name": "Nguyễn Thị Lan", "role": "gvcn,gvbm"}
    assert body["request_id"] == response.headers["x-request-id"]
    assert len(body["request_id"]) == 32
    again = await client.get("/api/v1/probe")
    assert again.json()["request_id"] != body["request_id"]
    # Reset after the request.
    assert current_actor.get() is None
    assert current_request_id.get() is None


async def test_signed_out_api_gets_401_json(app: FastAPI, client: httpx.AsyncClient) -> None:
    add_probe_routes(app)
    response = await client.get("/api/v1/probe")
    assert response.status_code == 401
    assert response.json() == {"detail": "Bạn cần đăng nhập để tiếp tục."}
    assert response.headers["x-request-id"]


async def test_signed_out_page_redirects_to_login(app: FastAPI, client: httpx.AsyncClient) -> None:
    add_probe_routes(app)
    response = await client.get("/page-probe?tab=2")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fpage-probe%3Ftab%3D2"


async def test_optional_user_is_none_when_signed_out(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    add_probe_routes(app)
    body = (await client.get("/open-probe")).json()
    assert body["user"] is None
    assert body["state_user"] is None
    assert body["actor"] is None
    assert body["request_id"]


async def test_healthz_never_looks_up_the_session() -> None:
    # Database down and a session cookie present: /healthz must still report, not fail.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(
        env="test",
        secret_key=SECRET,
        mongodb_uri=f"mongodb://127.0.0.1:{port}/",
        mongodb_timeout_ms=300,
    )
    async with serving(create_app(settings), "https://testserver") as client:
        client.cookies.set("hocba_session", "some-token")
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert len(response.headers["x-request-id"]) == 32
    # Had the middleware looked the token up, it would have answered by clearing the cookie.
    assert "hocba_session" not in response.headers.get("set-cookie", "")
