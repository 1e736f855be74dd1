"""Fixtures for sign-in tests: an app on the test database, clients, users, recorded delays."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pymongo.asynchronous.database import AsyncDatabase

from app.auth.passwords import hash_password
from app.clock import utcnow
from models.user import User
from tests.auth.helpers import (
    BASE_URL,
    PASSWORD,
    Delays,
    MakeClient,
    MakeUser,
    build_app,
    make_settings,
)


@pytest.fixture
def delays() -> Delays:
    return Delays()


@pytest.fixture
def app(mdb: AsyncDatabase, mongo_uri: str, db_name: str, delays: Delays) -> FastAPI:
    return build_app(make_settings(mongo_uri, db_name), delays)


@pytest.fixture
async def make_client(app: FastAPI) -> AsyncIterator[MakeClient]:
    clients: list[httpx.AsyncClient] = []

    def make(ip: str = "127.0.0.1", target: FastAPI | None = None) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=target or app, client=(ip, 50000))
        client = httpx.AsyncClient(
            transport=transport, base_url=BASE_URL, headers={"User-Agent": "pytest-browser/1.0"}
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def client(make_client: MakeClient) -> httpx.AsyncClient:
    return make_client()


@pytest.fixture
def make_user(mdb: AsyncDatabase) -> MakeUser:
    async def make(
        username: str = "gv.lan",
        password: str = PASSWORD,
        *,
        full_name: str = "Nguyễn Thị Lan",
        roles: list[str] | None = None,
        changed_at: datetime | None = None,
        **fields: Any,
    ) -> User:
        user = User(
            username=username,
            full_name=full_name,
            roles=roles or ["gvbm"],
            password_hash=hash_password(password),
            password_changed_at=changed_at or utcnow() - timedelta(days=1),
            must_change_password=fields.pop("must_change_password", False),
            version=1,
            **fields,
        )
        await user.insert()
        return user

    return make
