"""Test harness: one database server for the whole session, emptied around each test.

With ``MONGODB_URI`` set the suite runs against that server (it must be a replica set: change
streams are part of the product). Otherwise an embedded server is started on a loopback port.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from app.auth import passwords
from app.db import init_models
from embedded_mongo import ServerThread, start_in_thread
from models.student import StudentRecord
from tests.factories import TEST_FIELD_KEY

BROWSER_TESTS = Path(__file__).parent / "browser"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser walks first: they are the longest files, and with the suite spread over
    workers file by file (``make test``), none of them is then left to run alone at the end."""
    items.sort(key=lambda item: not item.path.is_relative_to(BROWSER_TESTS))


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> None:
    """argon2id with minimal cost: tests hash hundreds of passwords; production is unchanged."""
    from argon2.profiles import CHEAPEST

    passwords.use_parameters(CHEAPEST)


@pytest.fixture(scope="session")
def embedded_server() -> Iterator[ServerThread | None]:
    if os.environ.get("MONGODB_URI"):
        yield None
        return
    server = start_in_thread()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mongo_uri(embedded_server: ServerThread | None) -> str:
    return os.environ.get("MONGODB_URI") or embedded_server.uri  # type: ignore[union-attr]


@pytest.fixture(scope="session")
def db_name() -> str:
    # A fresh name per run, so a shared real server never mixes runs.
    return f"hocba_test_{secrets.token_hex(4)}"


@pytest.fixture(scope="session")
async def mongo_client(mongo_uri: str) -> AsyncIterator[AsyncMongoClient]:
    client: AsyncMongoClient = AsyncMongoClient(mongo_uri, uuidRepresentation="standard")
    hello = await client.admin.command("hello")
    assert hello.get("setName"), "the test database must be a replica set (change streams)"
    yield client
    await client.close()


@pytest.fixture(scope="session")
async def session_db(mongo_client: AsyncMongoClient, db_name: str) -> AsyncIterator[AsyncDatabase]:
    db = mongo_client[db_name]
    yield db
    await mongo_client.drop_database(db_name)


@pytest.fixture
async def db(session_db: AsyncDatabase) -> AsyncDatabase:
    """The test database, emptied before each test; indexes are kept."""
    for name in await session_db.list_collection_names():
        await session_db[name].delete_many({})
    return session_db


@pytest.fixture(scope="session")
async def beanie_db(session_db: AsyncDatabase) -> AsyncDatabase:
    """The session database with every Beanie document initialised (indexes created once)."""
    await init_models(session_db.client, session_db.name, TEST_FIELD_KEY)
    return session_db


@pytest.fixture
async def mdb(beanie_db: AsyncDatabase) -> AsyncDatabase:
    """Beanie-ready database, emptied before each test."""
    # A test that ran the app's start-up binds Beanie to the app's own client, closed at its
    # shut-down: bind it back to the session's database before this test uses it.
    if StudentRecord.get_pymongo_collection().database.client is not beanie_db.client:
        await init_models(beanie_db.client, beanie_db.name, TEST_FIELD_KEY)
    for name in await beanie_db.list_collection_names():
        await beanie_db[name].delete_many({})
    return beanie_db
