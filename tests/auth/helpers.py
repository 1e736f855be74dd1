"""Helpers for sign-in tests: settings, app building, CSRF-aware form posts."""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
from beanie import SortDirection
from fastapi import FastAPI

from app.auth.config import AuthConfig
from app.config import Settings
from app.main import create_app
from models.user import User
from tests.factories import TEST_FIELD_KEY

SECRET = "s" * 40
PASSWORD = "Trời xanh mây trắng 2025"
BASE_URL = "https://testserver"
CSRF_COOKIE = "starlette_admin_csrftoken"
# Journal order; _id breaks ties between entries written in the same millisecond.
OLDEST_FIRST = [("at", SortDirection.ASCENDING), ("_id", SortDirection.ASCENDING)]

MakeUser = Callable[..., Awaitable[User]]
MakeClient = Callable[..., httpx.AsyncClient]


class Delays(list[float]):
    """Stands in for asyncio.sleep: records each requested delay instead of waiting."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_settings(mongo_uri: str, db_name: str, **overrides: Any) -> Settings:
    fields: dict[str, Any] = {
        "env": "test",
        "secret_key": SECRET,
        "mongodb_uri": mongo_uri,
        "mongodb_db": db_name,
        "field_key": base64.b64encode(TEST_FIELD_KEY).decode("ascii"),
    }
    fields.update(overrides)
    return Settings(**fields)


def build_app(settings: Settings, delays: Delays) -> FastAPI:
    app = create_app(settings)
    config: AuthConfig = app.state.auth_config
    app.state.auth_config = replace(config, sleep=delays)
    return app


def csrf_token(client: httpx.AsyncClient) -> str:
    token = client.cookies.get(CSRF_COOKIE)
    assert token, "no CSRF cookie yet: GET a page first"
    return token


async def get_form_token(client: httpx.AsyncClient, path: str = "/login") -> str:
    """GET a form page and return the hidden csrftoken it renders (must equal the cookie)."""
    response = await client.get(path)
    match = re.search(r'name="csrftoken" value="([^"]+)"', response.text)
    assert match, f"no csrftoken field on {path}"
    return match.group(1)


async def login(
    client: httpx.AsyncClient, username: str = "gv.lan", password: str = PASSWORD, **extra: str
) -> httpx.Response:
    token = await get_form_token(client, "/login")
    data = {"username": username, "password": password, "csrftoken": token, **extra}
    return await client.post("/login", data=data)


async def post_form(client: httpx.AsyncClient, path: str, data: dict[str, str]) -> httpx.Response:
    if CSRF_COOKIE not in client.cookies:
        await client.get("/login")
    return await client.post(path, data={**data, "csrftoken": csrf_token(client)})


async def is_signed_out(client: httpx.AsyncClient, path: str = "/account") -> bool:
    """True when ``path`` sends the client to the sign-in page (not e.g. to a password change)."""
    response = await client.get(path)
    return response.status_code == 303 and response.headers["location"].startswith("/login?")


@asynccontextmanager
async def serving(app: FastAPI, base_url: str = BASE_URL) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``app`` with the app's lifespan (start-up and shut-down) around it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client
