"""Change-stream answers checked against PyMongo's specification tests: a pipeline may not
change the resume token, unknown stages are named, renames are reported (and end a collection's
stream), and showExpandedEvents brings the DDL events, collection UUIDs and disambiguated paths
(never accepted and then silently missing)."""

from __future__ import annotations

import pytest
from em_support import next_change
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

AWAIT_MS = 200


async def test_projecting_out_the_resume_token_is_an_error(coll: AsyncCollection) -> None:
    async with await coll.watch([{"$project": {"_id": 0}}], max_await_time_ms=AWAIT_MS) as stream:
        await coll.insert_one({"_id": 1})
        with pytest.raises(OperationFailure) as info:
            await next_change(stream)
    assert info.value.code == 280
    assert info.value.has_error_label("NonResumableChangeStreamError")


async def test_unknown_stage_is_named(coll: AsyncCollection) -> None:
    with pytest.raises(OperationFailure) as info:
        await coll.watch([{"$unsupported": "foo"}])
    assert info.value.code == 40324


async def test_dotted_project_in_a_stream_sets_an_embedded_field(coll: AsyncCollection) -> None:
    pipeline = [{"$project": {"operationType": 1, "ns.viewOn": "db.coll"}}]
    async with await coll.watch(pipeline, max_await_time_ms=AWAIT_MS) as stream:
        await coll.insert_one({"_id": 1})
        change = await next_change(stream)
    assert change["ns"] == {"viewOn": "db.coll"}


async def test_rename_event_then_invalidate(db: AsyncDatabase, coll: AsyncCollection) -> None:
    target = coll.name + "_renamed"
    await db.drop_collection(target)
    await coll.insert_one({"_id": 1})
    async with await coll.watch(max_await_time_ms=AWAIT_MS) as stream:
        await coll.rename(target)
        rename = await next_change(stream)
        invalidate = await next_change(stream)
    assert rename["operationType"] == "rename"
    assert rename["ns"] == {"db": db.name, "coll": coll.name}
    assert rename["to"] == {"db": db.name, "coll": target}
    assert invalidate["operationType"] == "invalidate"
    assert await db[target].find_one() == {"_id": 1}
    assert coll.name not in await db.list_collection_names()
    await db.drop_collection(target)


async def test_expanded_events_are_reported(db: AsyncDatabase) -> None:
    name = "c_expanded_events"
    await db.drop_collection(name)
    async with await db.watch(show_expanded_events=True, max_await_time_ms=AWAIT_MS) as stream:
        await db.create_collection(name)
        await db[name].create_index("x", name="x_1")
        await db.command("collMod", name)
        await db[name].drop_index("x_1")
        await db[name].insert_one({"_id": 1})
        events = [await next_change(stream) for _ in range(5)]
    await db.drop_collection(name)
    assert [e["operationType"] for e in events] == [
        "create",
        "createIndexes",
        "modify",
        "dropIndexes",
        "insert",
    ]
    assert {e["ns"]["coll"] for e in events} == {name}
    assert len({e["collectionUUID"] for e in events}) == 1
    assert events[1]["operationDescription"]["indexes"][0]["name"] == "x_1"


async def test_expanded_events_stay_out_of_plain_streams(db: AsyncDatabase) -> None:
    name = "c_plain_stream"
    await db.drop_collection(name)
    async with await db.watch(max_await_time_ms=AWAIT_MS) as stream:
        await db.create_collection(name)
        await db[name].create_index("x")
        await db[name].insert_one({"_id": 1})
        change = await next_change(stream)
    await db.drop_collection(name)
    assert change["operationType"] == "insert"
    assert "collectionUUID" not in change


async def test_disambiguated_paths(coll: AsyncCollection) -> None:
    await coll.insert_many([{"_id": 1, "a": {"1": 1}}, {"_id": 2, "a": [{"1": 1}]}])
    async with await coll.watch(show_expanded_events=True, max_await_time_ms=AWAIT_MS) as stream:
        await coll.update_one({"_id": 1}, {"$set": {"a.1": 2}})
        await coll.update_one({"_id": 2}, {"$set": {"a.0.1": 2}})
        first, second = [await next_change(stream) for _ in range(2)]
    assert first["updateDescription"]["disambiguatedPaths"] == {"a.1": ["a", "1"]}
    assert second["updateDescription"]["disambiguatedPaths"] == {"a.0.1": ["a", 0, "1"]}
    async with await coll.watch(max_await_time_ms=AWAIT_MS) as plain:
        await coll.update_one({"_id": 1}, {"$set": {"a.1": 3}})
        change = await next_change(plain)
    assert "disambiguatedPaths" not in change["updateDescription"]
