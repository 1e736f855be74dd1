"""Fixtures for the embedded server's own tests.

Tests that only use ``mongo_client``/``db`` must hold on a real MongoDB replica set too (run with
``MONGODB_URI``). Tests that need a server of their own (standalone, small history, data dir) or
that look inside the embedded server are marked ``embedded_only`` and skipped under MONGODB_URI.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from embedded_mongo import ServerThread, start_in_thread


@pytest.fixture
async def coll(request: pytest.FixtureRequest, db: AsyncDatabase) -> AsyncIterator[AsyncCollection]:
    """A collection named after the test, dropped afterwards (indexes included)."""
    name = "c_" + re.sub(r"\W+", "_", request.node.name)[:60]
    await db.drop_collection(name)
    yield db[name]
    await db.drop_collection(name)


@pytest.fixture
def own_server() -> Iterator[Callable[..., ServerThread]]:
    """Factory for private embedded servers, all stopped at the end of the test."""
    servers: list[ServerThread] = []

    def start(**options: object) -> ServerThread:
        server = start_in_thread(**options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
async def client_for() -> AsyncIterator[Callable[..., AsyncMongoClient]]:
    """Factory for extra clients (closed at the end of the test)."""
    clients: list[AsyncMongoClient] = []

    def make(uri: str, **kwargs: object) -> AsyncMongoClient:
        client: AsyncMongoClient = AsyncMongoClient(
            uri, uuidRepresentation="standard", serverSelectionTimeoutMS=5000, **kwargs
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()
