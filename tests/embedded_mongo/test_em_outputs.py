"""Aggregations that write: $out replaces a collection's documents, $merge merges into one;
and $listLocalSessions lists the sessions in use."""

from __future__ import annotations

import pytest
from pymongo.errors import OperationFailure


@pytest.fixture
async def target(db, coll):
    other = db[coll.name + "_out"]
    await other.drop()
    yield other
    await other.drop()


async def test_out_replaces_the_target_documents(coll, target) -> None:
    await coll.insert_many([{"_id": i, "x": i} for i in range(1, 4)])
    await target.insert_one({"_id": 99, "old": True})
    await target.create_index("x")
    pipeline = [{"$match": {"_id": {"$gt": 1}}}, {"$sort": {"x": 1}}, {"$out": target.name}]
    assert await (await coll.aggregate(pipeline)).to_list() == []
    assert await target.find().sort("_id").to_list() == [{"_id": 2, "x": 2}, {"_id": 3, "x": 3}]
    assert "x_1" in await target.index_information()


async def test_merge_merges_on_id(coll, target) -> None:
    await coll.insert_many([{"_id": 1, "x": 1}, {"_id": 2, "x": 2}])
    await target.insert_one({"_id": 1, "y": "kept"})
    await (await coll.aggregate([{"$merge": {"into": target.name}}])).to_list()
    assert await target.find().sort("_id").to_list() == [
        {"_id": 1, "y": "kept", "x": 1},
        {"_id": 2, "x": 2},
    ]
    keep = {"$merge": {"into": target.name, "whenMatched": "keepExisting"}}
    await coll.update_one({"_id": 1}, {"$set": {"x": 10}})
    await (await coll.aggregate([keep])).to_list()
    assert (await target.find_one({"_id": 1}))["x"] == 1


async def test_output_stage_must_come_last(coll, target) -> None:
    with pytest.raises(OperationFailure):
        await coll.aggregate([{"$out": target.name}, {"$match": {}}])


async def test_list_local_sessions(mongo_client) -> None:
    pipeline = [{"$listLocalSessions": {}}, {"$limit": 1}, {"$project": {"_id": 0, "d": "x"}}]
    found = await (await mongo_client.admin.aggregate(pipeline)).to_list()
    assert found == [{"d": "x"}]
