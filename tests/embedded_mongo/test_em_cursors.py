"""Cursors: Int64 ids, ns on every reply, batch sizes, the 16 MiB batch limit, killCursors."""

from __future__ import annotations

from collections.abc import Callable

import bson
import pytest
from bson.int64 import Int64
from em_support import Commands
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

MAX_BATCH = 16 * 1024 * 1024


async def test_cursor_ids_are_int64_and_ns_is_on_every_reply(
    db: AsyncDatabase, coll: AsyncCollection
) -> None:
    await coll.insert_many([{"_id": i} for i in range(5)])
    ns = f"{db.name}.{coll.name}"
    first = (await db.command("find", coll.name, batchSize=2, sort={"_id": 1}))["cursor"]
    assert type(first["id"]) is Int64
    assert first["id"] != 0
    assert first["ns"] == ns
    assert [d["_id"] for d in first["firstBatch"]] == [0, 1]
    seen = [0, 1]
    cursor_id = first["id"]
    while cursor_id:
        more = (await db.command("getMore", cursor_id, collection=coll.name, batchSize=2))["cursor"]
        assert type(more["id"]) is Int64
        assert more["ns"] == ns
        seen += [d["_id"] for d in more["nextBatch"]]
        cursor_id = more["id"]
    assert seen == [0, 1, 2, 3, 4]
    exhausted = (await db.command("find", coll.name))["cursor"]
    assert type(exhausted["id"]) is Int64
    assert exhausted["id"] == 0
    assert exhausted["ns"] == ns
    agg = await db.command("aggregate", coll.name, pipeline=[], cursor={"batchSize": 1})
    assert type(agg["cursor"]["id"]) is Int64
    assert agg["cursor"]["ns"] == ns
    await db.command("killCursors", coll.name, cursors=[agg["cursor"]["id"]])


async def test_batch_size_single_batch_and_negative_limit(
    mongo_uri: str, client_for: Callable, db_name: str, coll: AsyncCollection
) -> None:
    await coll.insert_many([{"_id": i} for i in range(10)])
    listener = Commands()
    client = client_for(mongo_uri, event_listeners=[listener])
    other = client[db_name][coll.name]

    docs = await other.find().sort("_id", 1).batch_size(3).to_list()
    assert [d["_id"] for d in docs] == list(range(10))
    sizes = [
        len(c.get("firstBatch", c.get("nextBatch", [])))
        for c in listener.cursors("find", "getMore")
    ]
    assert sizes[:3] == [3, 3, 3]
    assert sum(sizes) == 10

    listener.replies.clear()
    docs = await other.find().sort("_id", 1).limit(-4).to_list()
    assert [d["_id"] for d in docs] == [0, 1, 2, 3]
    [reply] = listener.cursors("find")
    assert reply["id"] == 0  # a negative limit means one batch and no cursor left open
    assert not listener.cursors("getMore")

    raw = await client[db_name].command("find", coll.name, batchSize=3, singleBatch=True)
    assert len(raw["cursor"]["firstBatch"]) == 3
    assert raw["cursor"]["id"] == 0

    raw = await client[db_name].command("find", coll.name, batchSize=0)
    assert raw["cursor"]["firstBatch"] == []
    assert raw["cursor"]["id"] != 0
    more = await client[db_name].command("getMore", raw["cursor"]["id"], collection=coll.name)
    assert len(more["cursor"]["nextBatch"]) == 10
    assert more["cursor"]["id"] == 0


async def test_batches_never_exceed_16_mib(db: AsyncDatabase, coll: AsyncCollection) -> None:
    blob = "x" * 1_000_000
    for start in range(0, 40, 10):
        await coll.insert_many([{"_id": i, "blob": blob} for i in range(start, start + 10)])
    first = (await db.command("find", coll.name, sort={"_id": 1}))["cursor"]
    batches = [first["firstBatch"]]
    cursor_id = first["id"]
    assert cursor_id != 0, "40 documents of 1 MB cannot fit in one batch"
    while cursor_id:
        more = (await db.command("getMore", cursor_id, collection=coll.name))["cursor"]
        batches.append(more["nextBatch"])
        cursor_id = more["id"]
    assert len(batches) >= 3
    for batch in batches:
        assert sum(len(bson.encode(d)) for d in batch) <= MAX_BATCH
    assert [d["_id"] for batch in batches for d in batch] == list(range(40))
    assert all(d["blob"] == blob for batch in batches for d in batch)
    # The driver pages through the same result transparently.
    assert len(await coll.find({}, {"_id": 1}).to_list()) == 40
    assert await coll.count_documents({}) == 40


async def test_kill_cursors_and_unknown_cursor(db: AsyncDatabase, coll: AsyncCollection) -> None:
    await coll.insert_many([{"_id": i} for i in range(5)])
    first = (await db.command("find", coll.name, batchSize=1))["cursor"]
    reply = await db.command("killCursors", coll.name, cursors=[first["id"]])
    assert reply["cursorsKilled"] == [first["id"]]
    with pytest.raises(OperationFailure) as info:
        await db.command("getMore", first["id"], collection=coll.name)
    assert info.value.code == 43
    with pytest.raises(OperationFailure) as info:
        await db.command("getMore", Int64(1234567890123), collection=coll.name)
    assert info.value.code == 43
    reply = await db.command("killCursors", coll.name, cursors=[Int64(1234567890123)])
    assert reply["cursorsNotFound"] == [1234567890123]
    # A PyMongo cursor closed early kills its server-side cursor too.
    cursor = coll.find().batch_size(2)
    assert (await cursor.next())["_id"] == 0
    cursor_id = cursor.cursor_id
    await cursor.close()
    with pytest.raises(OperationFailure) as info:
        await db.command("getMore", Int64(cursor_id), collection=coll.name)
    assert info.value.code == 43
