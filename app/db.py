"""Database connection: one PyMongo async client per process."""

from __future__ import annotations

from typing import Any

from beanie import init_beanie
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from app.store.fields import configure as configure_fields
from models import ALL_DOCUMENTS


def make_client(uri: str, *, timeout_ms: int = 5000) -> AsyncMongoClient:
    # Standard UUIDs (subtype 4) for Beanie's revision ids; short timeouts so a dead database
    # shows up as an unhealthy service quickly instead of hanging requests.
    return AsyncMongoClient(
        uri, uuidRepresentation="standard", serverSelectionTimeoutMS=timeout_ms, tz_aware=False
    )


async def database_status(client: AsyncMongoClient) -> dict[str, Any]:
    """Reachability and replica-set membership, as reported by the server itself."""
    try:
        hello = await client.admin.command("hello")
    except PyMongoError as exc:
        return {"reachable": False, "replica_set": None, "error": type(exc).__name__}
    return {
        "reachable": True,
        "replica_set": hello.get("setName"),
        "writable_primary": bool(hello.get("isWritablePrimary")),
    }


async def init_models(client: AsyncMongoClient, db_name: str, field_key: bytes | None) -> None:
    """Initialise Beanie on every document (creates the indexes the screens need)."""
    await init_beanie(database=client[db_name], document_models=ALL_DOCUMENTS)
    if field_key is not None:
        configure_fields(field_key)
