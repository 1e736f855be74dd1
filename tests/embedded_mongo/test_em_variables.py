"""Command ``let`` variables on reads and writes, and undefined ``$$variables``."""

from __future__ import annotations

import pytest
from pymongo.errors import OperationFailure

BY_ID = {"$expr": {"$eq": ["$_id", "$$id"]}}


@pytest.fixture
async def three(coll):
    await coll.insert_many([{"_id": 1, "x": 1}, {"_id": 2, "x": 2}, {"_id": 3, "x": 3}])
    return coll


async def test_delete_many_with_let_deletes_only_the_bound_documents(three) -> None:
    result = await three.delete_many(BY_ID, let={"id": 2})
    assert result.deleted_count == 1
    assert [d["_id"] async for d in three.find()] == [1, 3]


async def test_update_and_find_and_modify_with_let(three) -> None:
    await three.update_one(BY_ID, [{"$set": {"y": "$$v"}}], let={"id": 1, "v": "one"})
    await three.update_many(BY_ID, {"$set": {"z": 1}}, let={"id": 3})
    found = await three.find_one_and_update(BY_ID, {"$inc": {"x": 10}}, let={"id": 2})
    assert found is not None
    assert found["_id"] == 2
    assert [d async for d in three.find()] == [
        {"_id": 1, "x": 1, "y": "one"},
        {"_id": 2, "x": 12},
        {"_id": 3, "x": 3, "z": 1},
    ]


async def test_find_and_aggregate_with_let(three) -> None:
    assert [d["_id"] async for d in three.find(BY_ID, let={"id": 3})] == [3]
    pipeline = [{"$match": BY_ID}, {"$project": {"_id": 0, "v": "$$v"}}]
    cursor = await three.aggregate(pipeline, let={"id": 1, "v": {"k": 1}})
    assert await cursor.to_list() == [{"v": {"k": 1}}]


async def test_undefined_variable_is_an_error(three) -> None:
    with pytest.raises(OperationFailure) as info:
        await three.find({"$expr": {"$eq": ["$_id", "$$nowhere"]}}).to_list()
    assert info.value.code == 17276
    with pytest.raises(OperationFailure):
        await three.delete_many({"$expr": {"$eq": ["$_id", "$$nowhere"]}})
    assert await three.count_documents({}) == 3


async def test_variables_bound_inside_the_request_stay_usable(three) -> None:
    pipeline = [
        {"$project": {"a": {"$map": {"input": [1, 2], "as": "n", "in": {"$add": ["$$n", "$x"]}}}}},
        {"$match": {"_id": 1}},
    ]
    assert await (await three.aggregate(pipeline)).to_list() == [{"_id": 1, "a": [2, 3]}]
