"""Errors in the shapes a real server sends, loud refusals, and connections that survive both."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from beanie import Document, init_beanie
from beanie.exceptions import RevisionIdWasChanged
from bson.int64 import Int64
from em_support import embedded_only
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.collation import Collation
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure, WriteError


class PoolEvents(monitoring.ConnectionPoolListener):
    """Counts connections opened and closed by one client."""

    def __init__(self) -> None:
        self.created = 0
        self.closed: list[str] = []

    def connection_created(self, event: monitoring.ConnectionCreatedEvent) -> None:
        self.created += 1

    def connection_closed(self, event: monitoring.ConnectionClosedEvent) -> None:
        self.closed.append(event.reason)

    # Every other pool event is irrelevant here (the base class raises NotImplementedError).
    def pool_created(self, event: Any) -> None: ...
    def pool_ready(self, event: Any) -> None: ...
    def pool_cleared(self, event: Any) -> None: ...
    def pool_closed(self, event: Any) -> None: ...
    def connection_ready(self, event: Any) -> None: ...
    def connection_check_out_started(self, event: Any) -> None: ...
    def connection_check_out_failed(self, event: Any) -> None: ...
    def connection_checked_out(self, event: Any) -> None: ...
    def connection_checked_in(self, event: Any) -> None: ...


async def test_error_reply_shape_and_unknown_command(db: AsyncDatabase) -> None:
    with pytest.raises(OperationFailure) as info:
        await db.command("noSuchCommandAtAll")
    reply = info.value.details
    assert reply["ok"] == 0
    assert reply["code"] == 59
    assert reply["codeName"] == "CommandNotFound"
    assert "noSuchCommandAtAll" in reply["errmsg"]


async def test_duplicate_key_errors(coll: AsyncCollection) -> None:
    await coll.insert_one({"_id": "hs1"})
    with pytest.raises(DuplicateKeyError) as info:
        await coll.insert_one({"_id": "hs1"})
    assert info.value.code == 11000
    assert info.value.details["keyPattern"] == {"_id": 1}
    assert info.value.details["keyValue"] == {"_id": "hs1"}

    await coll.create_index("email", unique=True)
    await coll.insert_one({"_id": "a", "email": "a@x.vn"})
    with pytest.raises(BulkWriteError) as bulk:
        await coll.insert_many([{"_id": "b", "email": "b@x.vn"}, {"_id": "c", "email": "a@x.vn"}])
    [error] = bulk.value.details["writeErrors"]
    assert error["index"] == 1
    assert error["code"] == 11000
    assert error["keyPattern"] == {"email": 1}
    assert error["keyValue"] == {"email": "a@x.vn"}
    assert "errmsg" in error

    with pytest.raises(DuplicateKeyError) as info:
        await coll.find_one_and_update({"_id": "b"}, {"$set": {"email": "a@x.vn"}})
    assert info.value.details["keyPattern"] == {"email": 1}


class Pupil(Document):
    name: str

    class Settings:
        name = "em_beanie_pupils"
        use_revision = True


@pytest.fixture
async def pupils(db: AsyncDatabase) -> AsyncIterator[type[Pupil]]:
    await init_beanie(database=db, document_models=[Pupil])
    yield Pupil
    await db.drop_collection("em_beanie_pupils")


async def test_beanie_stale_save_and_replace_raise_revision_changed(pupils: type[Pupil]) -> None:
    pupil = pupils(name="An")
    await pupil.insert()
    first = await pupils.get(pupil.id)
    second = await pupils.get(pupil.id)
    assert first is not None
    assert second is not None
    first.name = "An (1)"
    await first.save()
    second.name = "An (2)"
    with pytest.raises(RevisionIdWasChanged):
        await second.save()
    with pytest.raises(RevisionIdWasChanged):
        await second.replace()
    stored = await pupils.get(pupil.id)
    assert stored is not None
    assert stored.name == "An (1)"
    # A fresh copy saves fine, and its revision id is a UUID that round-trips.
    stored.name = "An (3)"
    await stored.save()
    again = await pupils.get(pupil.id)
    assert again is not None
    assert again.name == "An (3)"
    assert isinstance(again.revision_id, uuid.UUID)


REFUSALS: dict[str, Callable[[AsyncDatabase, AsyncCollection], Awaitable[Any]]] = {
    "collation": lambda db, c: c.find({}, collation=Collation("vi")).to_list(),
    "$text": lambda db, c: c.find({"$text": {"$search": "toan"}}).to_list(),
    "$jsonSchema validator": lambda db, c: db.create_collection(
        c.name + "_v", validator={"$jsonSchema": {"required": ["name"]}}
    ),
    "partial index": lambda db, c: c.create_index(
        "email", unique=True, partialFilterExpression={"email": {"$exists": True}}
    ),
    "TTL index": lambda db, c: c.create_index("at", expireAfterSeconds=60),
    "view": lambda db, c: db.command("create", c.name + "_view", viewOn=c.name, pipeline=[]),
}


@embedded_only
@pytest.mark.parametrize("feature", sorted(REFUSALS))
async def test_unsupported_features_are_refused_loudly(
    db: AsyncDatabase, coll: AsyncCollection, feature: str
) -> None:
    await coll.insert_one({"_id": 1, "name": "toan"})
    with pytest.raises(OperationFailure) as info:
        await REFUSALS[feature](db, coll)
    assert info.value.code == 115
    assert info.value.details["codeName"] == "CommandNotSupported"
    assert "not supported" in str(info.value)
    assert await coll.find_one({"_id": 1}) == {"_id": 1, "name": "toan"}
    assert coll.name + "_v" not in await db.list_collection_names()


@embedded_only
async def test_transactions_are_refused(
    mongo_client: AsyncMongoClient, coll: AsyncCollection
) -> None:
    async with mongo_client.start_session() as session:
        await session.start_transaction()
        with pytest.raises(OperationFailure) as info:
            await coll.insert_one({"_id": 1}, session=session)
        assert info.value.code == 115
        assert "Transactions are not supported" in str(info.value)
    assert await coll.count_documents({}) == 0
    await coll.insert_one({"_id": 2})
    assert await coll.count_documents({}) == 1


BAD_COMMANDS: list[tuple[str, Callable[[AsyncDatabase, AsyncCollection], Awaitable[Any]]]] = [
    ("unknown command", lambda db, c: db.command("frobnicate")),
    ("duplicate key", lambda db, c: c.insert_one({"_id": 1})),
    ("unknown cursor", lambda db, c: db.command("getMore", Int64(987654321), collection=c.name)),
    ("missing namespace", lambda db, c: db.command("listIndexes", c.name + "_missing")),
    ("bad update operator", lambda db, c: c.update_one({"_id": 1}, {"$frob": {"x": 1}})),
    ("bad pipeline stage", lambda db, c: c.aggregate([{"$frob": {}}])),
    ("bad query operator", lambda db, c: c.find_one({"x": {"$frob": 1}})),
    ("immutable _id", lambda db, c: c.update_one({"_id": 1}, {"$set": {"_id": 2}})),
    # Both documents lack the uniquely indexed field: a duplicate null key.
    ("duplicate missing key", lambda db, c: c.insert_one({"_id": 3})),
]


async def test_errors_never_drop_the_connection(
    mongo_uri: str, db_name: str, client_for: Callable, coll: AsyncCollection
) -> None:
    pool = PoolEvents()
    client = client_for(mongo_uri, maxPoolSize=1, event_listeners=[pool])
    db = client[db_name]
    target = db[coll.name]
    await target.create_index("email", unique=True)
    await target.insert_one({"_id": 1})
    failures = []
    for label, run in BAD_COMMANDS:
        with pytest.raises((OperationFailure, WriteError)):
            await run(db, target)
        failures.append(label)
        assert await target.find_one({"_id": 1}) == {"_id": 1}, label
    assert len(failures) == len(BAD_COMMANDS)
    assert pool.closed == []
    assert pool.created == 1


@embedded_only
async def test_refusals_never_drop_the_connection(
    mongo_uri: str, db_name: str, client_for: Callable, coll: AsyncCollection
) -> None:
    pool = PoolEvents()
    client = client_for(mongo_uri, maxPoolSize=1, event_listeners=[pool])
    db = client[db_name]
    target = db[coll.name]
    await target.insert_one({"_id": 1})
    for feature in sorted(REFUSALS):
        with pytest.raises(OperationFailure):
            await REFUSALS[feature](db, target)
        assert (await db.command("ping"))["ok"] == 1
    assert pool.closed == []
    assert pool.created == 1
