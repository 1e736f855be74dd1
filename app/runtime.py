"""Where the database comes from: MONGODB_URI, or the embedded server in development."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING

from .config import Settings
from .db import init_models, make_client

if TYPE_CHECKING:
    from pymongo import AsyncMongoClient


@contextmanager
def database_uri(settings: Settings) -> Iterator[str]:
    """The URI to use; starts (and finally stops) the embedded server when none is configured."""
    if settings.mongodb_uri is not None:
        yield settings.mongodb_uri
        return
    if settings.env == "production":
        raise RuntimeError("MONGODB_URI is required in production")
    from embedded_mongo import start_in_thread

    server = start_in_thread(port=settings.embedded_port, data_dir=settings.embedded_data_dir)
    print(
        f"Embedded database (for trials only) at {server.uri}, data in {settings.embedded_data_dir}"
    )
    try:
        yield server.uri
    finally:
        server.stop()


@asynccontextmanager
async def connected(settings: Settings, uri: str) -> AsyncIterator[AsyncMongoClient]:
    """A client with the models initialised, closed on exit."""
    client = make_client(uri, timeout_ms=settings.mongodb_timeout_ms)
    try:
        await init_models(client, settings.mongodb_db, settings.field_master_key())
        yield client
    finally:
        await client.close()
