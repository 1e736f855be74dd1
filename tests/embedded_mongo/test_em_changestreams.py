"""Change streams: scopes, event shapes, images, resuming, waiting, tokens and bounded history."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from bson.int64 import Int64
from bson.timestamp import Timestamp
from em_support import Commands, drain, embedded_only, next_change
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

AWAIT_MS = 200


async def test_collection_stream_event_shapes(db: AsyncDatabase, coll: AsyncCollection) -> None:
    async with await coll.watch(max_await_time_ms=AWAIT_MS) as stream:
        await coll.insert_one({"_id": 1, "a": 1, "b": {"c": 1}, "arr": [1, 2]})
        await coll.update_one({"_id": 1}, {"$set": {"b.c": 2, "new": "x"}, "$unset": {"a": ""}})
        await coll.update_one({"_id": 1}, {"$push": {"arr": 3}})
        await coll.replace_one({"_id": 1}, {"z": 1})
        await coll.delete_one({"_id": 1})
        insert, update, push, replace, delete = [await next_change(stream) for _ in range(5)]

    ns = {"db": db.name, "coll": coll.name}
    for event in (insert, update, push, replace, delete):
        assert event["ns"] == ns
        assert event["documentKey"] == {"_id": 1}
        assert isinstance(event["clusterTime"], Timestamp)
        assert isinstance(event["_id"], dict)
        assert "_data" in event["_id"]
    assert insert["operationType"] == "insert"
    assert insert["fullDocument"] == {"_id": 1, "a": 1, "b": {"c": 1}, "arr": [1, 2]}
    assert update["operationType"] == "update"
    assert "fullDocument" not in update
    assert update["updateDescription"]["updatedFields"] == {"b.c": 2, "new": "x"}
    assert update["updateDescription"]["removedFields"] == ["a"]
    assert push["updateDescription"]["updatedFields"] == {"arr.2": 3}
    assert replace["operationType"] == "replace"
    assert replace["fullDocument"] == {"_id": 1, "z": 1}
    assert delete["operationType"] == "delete"
    assert "fullDocument" not in delete
    times = [e["clusterTime"] for e in (insert, update, push, replace, delete)]
    assert times == sorted(times)
    assert len(set(times)) == 5


async def test_stream_pipeline_filters_and_reshapes(coll: AsyncCollection) -> None:
    pipeline = [
        {"$match": {"operationType": {"$in": ["insert", "delete"]}}},
        {"$project": {"operationType": 1, "documentKey": 1}},
    ]
    async with await coll.watch(pipeline, max_await_time_ms=AWAIT_MS) as stream:
        await coll.insert_one({"_id": 1, "big": "x" * 100})
        await coll.update_one({"_id": 1}, {"$set": {"big": "y"}})
        await coll.delete_one({"_id": 1})
        events = [await next_change(stream) for _ in range(2)]
        assert await drain(stream) == []
    assert [e["operationType"] for e in events] == ["insert", "delete"]
    assert all(set(e) == {"_id", "operationType", "documentKey"} for e in events)


async def test_full_document_update_lookup(coll: AsyncCollection) -> None:
    async with await coll.watch(full_document="updateLookup", max_await_time_ms=AWAIT_MS) as stream:
        await coll.insert_many([{"_id": 1, "n": 0}, {"_id": 2, "n": 0}])
        await coll.update_one({"_id": 1}, {"$inc": {"n": 1}})
        await coll.update_one({"_id": 1}, {"$inc": {"n": 1}})
        await coll.update_one({"_id": 2}, {"$inc": {"n": 1}})
        await coll.delete_one({"_id": 2})
        events = [await next_change(stream) for _ in range(6)]
    first, second, gone = events[2], events[3], events[4]
    # The lookup happens when the event is read: both updates see the latest version.
    assert first["fullDocument"] == {"_id": 1, "n": 2}
    assert second["fullDocument"] == {"_id": 1, "n": 2}
    assert first["updateDescription"]["updatedFields"] == {"n": 1}
    assert gone["operationType"] == "update"
    assert gone["fullDocument"] is None


async def test_pre_and_post_images(db: AsyncDatabase, coll: AsyncCollection) -> None:
    await db.create_collection(coll.name)
    await db.command("collMod", coll.name, changeStreamPreAndPostImages={"enabled": True})
    async with await coll.watch(
        full_document="whenAvailable",
        full_document_before_change="required",
        max_await_time_ms=AWAIT_MS,
    ) as stream:
        await coll.insert_one({"_id": 1, "v": 1})
        await coll.update_one({"_id": 1}, {"$set": {"v": 2}})
        await coll.replace_one({"_id": 1}, {"v": 3})
        await coll.delete_one({"_id": 1})
        insert, update, replace, delete = [await next_change(stream) for _ in range(4)]
    assert insert["fullDocument"] == {"_id": 1, "v": 1}
    assert update["fullDocumentBeforeChange"] == {"_id": 1, "v": 1}
    assert update["fullDocument"] == {"_id": 1, "v": 2}
    assert replace["fullDocumentBeforeChange"] == {"_id": 1, "v": 2}
    assert replace["fullDocument"] == {"_id": 1, "v": 3}
    assert delete["fullDocumentBeforeChange"] == {"_id": 1, "v": 3}


async def test_pre_images_when_not_enabled(db: AsyncDatabase, coll: AsyncCollection) -> None:
    await coll.insert_one({"_id": 1, "v": 1})
    async with await coll.watch(
        full_document_before_change="whenAvailable", max_await_time_ms=AWAIT_MS
    ) as stream:
        await coll.update_one({"_id": 1}, {"$set": {"v": 2}})
        update = await next_change(stream)
    assert update["fullDocumentBeforeChange"] is None
    async with await coll.watch(
        full_document_before_change="required", max_await_time_ms=AWAIT_MS
    ) as stream:
        await coll.delete_one({"_id": 1})
        with pytest.raises(OperationFailure):
            await next_change(stream)


async def test_drop_invalidates_and_start_after_continues(
    db: AsyncDatabase, coll: AsyncCollection
) -> None:
    async with await coll.watch(max_await_time_ms=AWAIT_MS) as stream:
        await coll.insert_one({"_id": 1})
        await db.drop_collection(coll.name)
        events = [await next_change(stream) for _ in range(3)]
        assert [e["operationType"] for e in events] == ["insert", "drop", "invalidate"]
        assert events[1]["ns"] == {"db": db.name, "coll": coll.name}
        assert await stream.try_next() is None
        assert not stream.alive
    invalidate_token = events[2]["_id"]
    with pytest.raises(OperationFailure) as info:
        await coll.watch(resume_after=invalidate_token)
    assert info.value.code == 260
    async with await coll.watch(start_after=invalidate_token, max_await_time_ms=AWAIT_MS) as stream:
        await coll.insert_one({"_id": 2})
        event = await next_change(stream)
    assert event["operationType"] == "insert"
    assert event["documentKey"] == {"_id": 2}


async def test_resume_after_token(coll: AsyncCollection) -> None:
    async with await coll.watch(max_await_time_ms=AWAIT_MS) as stream:
        await coll.insert_many([{"_id": i} for i in range(4)])
        first = await next_change(stream)
    assert first["documentKey"] == {"_id": 0}
    async with await coll.watch(resume_after=first["_id"], max_await_time_ms=AWAIT_MS) as stream:
        rest = [await next_change(stream) for _ in range(3)]
        assert await drain(stream) == []
    assert [e["documentKey"]["_id"] for e in rest] == [1, 2, 3]


async def test_start_at_operation_time(
    mongo_client: AsyncMongoClient, coll: AsyncCollection
) -> None:
    await coll.insert_one({"_id": "before"})
    async with mongo_client.start_session() as session:
        await coll.insert_one({"_id": "at"}, session=session)
        at = session.operation_time
    await coll.insert_one({"_id": "after"})
    assert isinstance(at, Timestamp)
    async with await coll.watch(start_at_operation_time=at, max_await_time_ms=AWAIT_MS) as stream:
        events = [await next_change(stream) for _ in range(2)]
        assert await drain(stream) == []
    assert [e["documentKey"]["_id"] for e in events] == ["at", "after"]


async def test_database_stream(db: AsyncDatabase, coll: AsyncCollection) -> None:
    other = db[f"{coll.name}_other"]
    await other.drop()
    async with await db.watch(max_await_time_ms=AWAIT_MS) as stream:
        await coll.insert_one({"_id": 1})
        await other.insert_one({"_id": 2})
        await other.drop()
        await coll.insert_one({"_id": 3})
        events = [await next_change(stream) for _ in range(4)]
        assert stream.alive
    assert [(e["operationType"], e["ns"]["coll"]) for e in events] == [
        ("insert", coll.name),
        ("insert", other.name),
        ("drop", other.name),
        ("insert", coll.name),
    ]


async def test_deployment_stream(
    mongo_client: AsyncMongoClient, db: AsyncDatabase, coll: AsyncCollection
) -> None:
    other = mongo_client[f"{db.name}_cluster"]
    await mongo_client.drop_database(other.name)
    ours = {db.name, other.name}
    async with await mongo_client.watch(max_await_time_ms=AWAIT_MS) as stream:
        await coll.insert_one({"_id": 1})
        await other.items.insert_one({"_id": 2})
        await mongo_client.drop_database(other.name)
        await coll.insert_one({"_id": 3})
        events = []
        while len(events) < 5:
            event = await next_change(stream)
            if event["ns"]["db"] in ours:
                events.append(event)
        assert stream.alive
    assert [(e["operationType"], e["ns"]["db"]) for e in events] == [
        ("insert", db.name),
        ("insert", other.name),
        ("drop", other.name),
        ("dropDatabase", other.name),
        ("insert", db.name),
    ]


async def test_get_more_waits_and_wakes_on_a_write(coll: AsyncCollection) -> None:
    async with await coll.watch(max_await_time_ms=5000) as stream:

        async def write_later() -> None:
            await asyncio.sleep(0.2)
            await coll.insert_one({"_id": "late"})

        writer = asyncio.create_task(write_later())
        started = time.monotonic()
        change = await stream.try_next()
        elapsed = time.monotonic() - started
        await writer
    assert change is not None
    assert change["documentKey"] == {"_id": "late"}
    assert 0.15 <= elapsed < 2.0, elapsed


async def test_get_more_waits_until_max_await(coll: AsyncCollection) -> None:
    async with await coll.watch(max_await_time_ms=400) as stream:
        started = time.monotonic()
        assert await stream.try_next() is None
        elapsed = time.monotonic() - started
    assert 0.35 <= elapsed < 3.0, elapsed


async def test_post_batch_resume_token_advances_without_events(
    db: AsyncDatabase, coll: AsyncCollection
) -> None:
    other = db[f"{coll.name}_unwatched"]
    async with await coll.watch(max_await_time_ms=AWAIT_MS) as stream:
        initial = stream.resume_token
        assert initial is not None
        await other.insert_one({"_id": 1})
        assert await stream.try_next() is None
        advanced = stream.resume_token
        assert advanced is not None
        assert advanced != initial
        await coll.insert_one({"_id": "mine"})
        await next_change(stream)
    # Resuming from the advanced token sees what came after it, not the unwatched write.
    async with await coll.watch(resume_after=advanced, max_await_time_ms=AWAIT_MS) as stream:
        assert (await next_change(stream))["documentKey"] == {"_id": "mine"}
    await other.drop()


async def test_post_batch_resume_token_on_every_raw_batch(
    db: AsyncDatabase, coll: AsyncCollection
) -> None:
    reply = await db.command("aggregate", coll.name, pipeline=[{"$changeStream": {}}], cursor={})
    cursor = reply["cursor"]
    assert cursor["firstBatch"] == []
    assert "_data" in cursor["postBatchResumeToken"]
    assert type(cursor["id"]) is Int64
    assert cursor["id"] != 0
    cursor_id = cursor["id"]
    empty = await db.command("getMore", cursor_id, collection=coll.name, maxTimeMS=100)
    assert empty["cursor"]["nextBatch"] == []
    assert "_data" in empty["cursor"]["postBatchResumeToken"]
    await coll.insert_one({"_id": 1})
    full = await db.command("getMore", cursor_id, collection=coll.name, maxTimeMS=2000)
    [event] = full["cursor"]["nextBatch"]
    assert full["cursor"]["postBatchResumeToken"] == event["_id"]
    assert full["cursor"]["ns"] == f"{db.name}.{coll.name}"
    await db.command("killCursors", coll.name, cursors=[cursor_id])


async def test_pymongo_resumes_after_cursor_not_found(
    mongo_uri: str, db_name: str, client_for: Callable, coll: AsyncCollection
) -> None:
    commands = Commands()
    watcher = client_for(mongo_uri, event_listeners=[commands])
    killer = client_for(mongo_uri)
    watched = watcher[db_name][coll.name]
    async with await watched.watch(max_await_time_ms=AWAIT_MS) as stream:
        await coll.insert_one({"_id": 1})
        assert (await next_change(stream))["documentKey"] == {"_id": 1}
        [opened] = commands.cursors("aggregate")
        reply = await killer[db_name].command("killCursors", coll.name, cursors=[opened["id"]])
        assert reply["cursorsKilled"] == [opened["id"]]
        await coll.insert_many([{"_id": 2}, {"_id": 3}])
        rest = [await next_change(stream) for _ in range(2)]
        assert await drain(stream) == []
    assert [e["documentKey"]["_id"] for e in rest] == [2, 3]
    assert len(commands.sent("aggregate")) == 2, "PyMongo must have resumed with a new aggregate"
    assert "resumeAfter" in commands.sent("aggregate")[1]["pipeline"][0]["$changeStream"]


@embedded_only
async def test_bounded_history_answers_286(own_server: Callable, client_for: Callable) -> None:
    server = own_server(history_size=5)
    client = client_for(server.uri)
    items = client.hist.items
    async with await items.watch(max_await_time_ms=AWAIT_MS) as stream:
        await items.insert_one({"_id": 0})
        old_token = (await next_change(stream))["_id"]
    async with client.start_session() as session:
        await items.insert_one({"_id": 1}, session=session)
        start_time = session.operation_time
    slow = await items.watch(max_await_time_ms=AWAIT_MS)
    await items.insert_many([{"_id": i} for i in range(2, 12)])
    for options in ({"resume_after": old_token}, {"start_at_operation_time": start_time}):
        with pytest.raises(OperationFailure) as info:
            await items.watch(**options)
        assert info.value.code == 286, options
    # A stream that fell behind the retained history fails instead of skipping events.
    with pytest.raises(OperationFailure) as info:
        await slow.try_next()
    assert info.value.code == 286
    await slow.close()
    # Recent tokens still resume.
    async with await items.watch(max_await_time_ms=AWAIT_MS) as stream:
        await items.insert_one({"_id": 12})
        recent = (await next_change(stream))["_id"]
    async with await items.watch(resume_after=recent, max_await_time_ms=AWAIT_MS) as stream:
        await items.insert_one({"_id": 13})
        assert (await next_change(stream))["documentKey"] == {"_id": 13}


async def test_start_at_a_future_operation_time_skips_earlier_writes(db) -> None:
    from bson.timestamp import Timestamp

    coll = db["future_start"]
    hello = await db.client.admin.command("hello")
    now = hello.get("operationTime") or Timestamp(0, 0)
    future = Timestamp(now.time + 3600, 1)
    async with await coll.watch(start_at_operation_time=future, max_await_time_ms=300) as stream:
        await coll.insert_one({"_id": "early"})
        assert await stream.try_next() is None
