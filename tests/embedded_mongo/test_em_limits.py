"""What MongoDB refuses to store: documents over 16 MiB (on insert, and when an update grows a
document), '$'-prefixed names in _id; and the _id index is never created twice."""

from __future__ import annotations

import pytest
from pymongo.errors import OperationFailure, WriteError

MIB = 1024 * 1024


async def test_insert_over_16_mib_is_refused(coll) -> None:
    with pytest.raises(WriteError) as info:
        await coll.insert_one({"_id": 1, "blob": "x" * (16 * MIB)})
    assert info.value.code == 2
    assert "too large" in str(info.value)
    assert await coll.count_documents({}) == 0


async def test_update_growing_a_document_over_16_mib_is_refused(coll) -> None:
    await coll.insert_one({"_id": 1, "a": "x" * (9 * MIB)})
    with pytest.raises(WriteError) as info:
        await coll.update_one({"_id": 1}, {"$set": {"b": "y" * (9 * MIB)}})
    assert info.value.code == 17419
    stored = await coll.find_one({"_id": 1}, {"a": 0})
    assert stored == {"_id": 1}  # left as it was
    with pytest.raises(OperationFailure) as again:
        await coll.find_one_and_update({"_id": 1}, {"$set": {"b": "y" * (9 * MIB)}})
    assert again.value.code == 17419
    await coll.update_one({"_id": 1}, {"$set": {"b": "small"}})  # still writable
    assert (await coll.find_one({"_id": 1}, {"a": 0})) == {"_id": 1, "b": "small"}


async def test_dollar_prefixed_field_in_id_is_refused(coll) -> None:
    with pytest.raises(WriteError):
        await coll.insert_one({"_id": {"$a": 1}})
    assert await coll.count_documents({}) == 0


async def test_create_index_on_id_adds_no_second_index(coll) -> None:
    await coll.insert_one({"_id": 1})
    await coll.create_index([("_id", 1)])
    names = [i["name"] async for i in await coll.list_indexes()]
    assert names == ["_id_"]


async def test_unknown_statement_field_fails_the_whole_command(db, coll) -> None:
    await coll.insert_one({"_id": 1, "x": 1})
    updates = [{"q": {}, "u": {"$inc": {"x": 1}}}, {"q": {}, "u": {"$inc": {"x": 1}}, "nope": 1}]
    with pytest.raises(OperationFailure) as info:
        await db.command("update", coll.name, updates=updates)
    assert info.value.code == 40415
    assert await coll.find_one() == {"_id": 1, "x": 1}  # nothing applied


async def test_null_id_is_a_value(coll) -> None:
    result = await coll.replace_one({}, {"_id": None}, upsert=True)
    assert result.upserted_id is None
    assert await coll.count_documents({"_id": {"$type": "null"}}) == 1
    await coll.insert_one({"_id": 1, "v": None})
    assert await coll.count_documents({"v": {"$type": "null"}}) == 1


async def test_pipeline_update_keeps_the_id(coll) -> None:
    await coll.insert_one({"_id": 1, "x": 1, "t": {"u": 2}})
    await coll.update_one({"_id": 1}, [{"$replaceRoot": {"newRoot": "$t"}}, {"$set": {"f": 1}}])
    assert await coll.find_one() == {"_id": 1, "u": 2, "f": 1}


async def test_upsert_on_a_null_id_inserts_a_null_id(coll) -> None:
    result = await coll.update_one({"_id": None}, {"$unset": {"a": ""}}, upsert=True)
    assert result.upserted_id is None
    assert "upserted" in result.raw_result
    assert result.raw_result["n"] == 1
    assert await coll.find().to_list() == [{"_id": None}]
