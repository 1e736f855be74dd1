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


async def test_documents_stage_feeds_merge_and_merge_fail_names_the_key(db, target) -> None:
    await target.insert_one({"_id": 2, "x": 0})
    pipeline = [{"$documents": [{"_id": 1, "x": 1}]}, {"$merge": {"into": target.name}}]
    await (await db.aggregate(pipeline)).to_list()
    assert await target.find().sort("_id").to_list() == [{"_id": 1, "x": 1}, {"_id": 2, "x": 0}]
    failing = [
        {"$documents": [{"_id": 2, "x": 1}]},
        {"$merge": {"into": target.name, "whenMatched": "fail"}},
    ]
    with pytest.raises(OperationFailure) as info:
        await db.aggregate(failing)
    assert info.value.code == 11000
    assert info.value.details["keyPattern"] == {"_id": 1}
    assert info.value.details["keyValue"] == {"_id": 2}


async def test_rand_in_let(coll) -> None:
    await coll.insert_one({"_id": 1})
    pipeline = [{"$project": {"_id": 0, "r": "$$r"}}]
    (found,) = await (await coll.aggregate(pipeline, let={"r": {"$rand": {}}})).to_list()
    assert isinstance(found["r"], float)
    assert 0 <= found["r"] < 1
