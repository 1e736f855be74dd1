"""Every command the server implements, through the real PyMongo async client.

These hold on a real MongoDB replica set too (run with MONGODB_URI set).
"""

from __future__ import annotations

import uuid

import pytest
from bson.binary import Binary
from em_support import drain
from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, OperationFailure, WriteError


async def test_ping_and_build_info(mongo_client: AsyncMongoClient) -> None:
    assert (await mongo_client.admin.command("ping"))["ok"] == 1
    info = await mongo_client.admin.command("buildInfo")
    assert isinstance(info["version"], str)
    assert info["versionArray"][0] >= 4
    assert info["maxBsonObjectSize"] == 16 * 1024 * 1024


async def test_end_sessions(mongo_client: AsyncMongoClient) -> None:
    session = mongo_client.start_session()
    await mongo_client.admin.command("ping", session=session)
    lsid = session.session_id
    await session.end_session()
    reply = await mongo_client.admin.command("endSessions", [lsid])
    assert reply["ok"] == 1


async def test_list_databases(db: AsyncDatabase, coll: AsyncCollection) -> None:
    await coll.insert_one({"x": 1})
    names = await db.client.list_database_names()
    assert db.name in names
    reply = await db.client.admin.command("listDatabases", nameOnly=True, filter={"name": db.name})
    assert [d["name"] for d in reply["databases"]] == [db.name]


async def test_create_list_and_drop_collections(db: AsyncDatabase) -> None:
    name = "c_create_list_drop"
    await db.drop_collection(name)
    await db.command("create", name)
    with pytest.raises(OperationFailure) as info:
        await db.command("create", name)
    assert info.value.code == 48
    infos = await (await db.list_collections(filter={"name": name})).to_list()
    assert len(infos) == 1
    assert infos[0]["type"] == "collection"
    collection_uuid = infos[0]["info"]["uuid"]
    # PyMongo decodes listCollections with the default codec: a subtype-4 Binary or a UUID.
    assert isinstance(collection_uuid, uuid.UUID) or (
        isinstance(collection_uuid, Binary) and collection_uuid.subtype == 4
    )
    assert name in await db.list_collection_names()
    reply = await db.command("drop", name)
    assert reply["ok"] == 1
    assert name not in await db.list_collection_names()


async def test_collection_survives_being_emptied(db: AsyncDatabase, coll: AsyncCollection) -> None:
    await coll.insert_one({"_id": 1, "k": 1})
    await coll.create_index("k")
    await coll.delete_many({})
    assert coll.name in await db.list_collection_names()
    assert "k_1" in await coll.index_information()
    reply = await db.command("listIndexes", coll.name)
    assert len(reply["cursor"]["firstBatch"]) == 2


async def test_drop_database(mongo_client: AsyncMongoClient, db_name: str) -> None:
    other = mongo_client[f"{db_name}_dropdb"]
    await other.items.insert_one({"x": 1})
    assert other.name in await mongo_client.list_database_names()
    await mongo_client.drop_database(other.name)
    assert other.name not in await mongo_client.list_database_names()
    assert await other.items.count_documents({}) == 0


async def test_coll_mod(db: AsyncDatabase, coll: AsyncCollection) -> None:
    with pytest.raises(OperationFailure) as info:
        await db.command("collMod", coll.name, changeStreamPreAndPostImages={"enabled": True})
    assert info.value.code == 26
    await db.create_collection(coll.name)
    await db.command("collMod", coll.name, changeStreamPreAndPostImages={"enabled": True})
    [spec] = await (await db.list_collections(filter={"name": coll.name})).to_list()
    assert spec["options"]["changeStreamPreAndPostImages"] == {"enabled": True}


async def test_indexes_create_list_drop(db: AsyncDatabase, coll: AsyncCollection) -> None:
    with pytest.raises(OperationFailure) as info:
        await db.command("listIndexes", coll.name)
    assert info.value.code == 26
    # PyMongo hides code 26 for list_indexes(); the collection simply has none.
    assert await (await coll.list_indexes()).to_list() == []

    name = await coll.create_index([("school", 1), ("code", -1)], unique=True, name="school_code")
    assert name == "school_code"
    await coll.create_index("class_id")
    indexes = {i["name"]: i for i in await (await coll.list_indexes()).to_list()}
    assert set(indexes) == {"_id_", "school_code", "class_id_1"}
    assert dict(indexes["school_code"]["key"]) == {"school": 1, "code": -1}
    assert indexes["school_code"]["unique"] is True
    assert not indexes["class_id_1"].get("unique")
    info_map = await coll.index_information()
    assert info_map["class_id_1"]["key"] == [("class_id", 1)]

    await coll.drop_index("class_id_1")
    assert "class_id_1" not in await coll.index_information()
    with pytest.raises(OperationFailure) as info:
        await coll.drop_index("class_id_1")
    assert info.value.code == 27
    await coll.drop_indexes()
    assert list(await coll.index_information()) == ["_id_"]


async def test_insert_and_find(coll: AsyncCollection) -> None:
    result = await coll.insert_many(
        [{"_id": i, "n": i, "tag": "odd" if i % 2 else "even"} for i in range(10)]
    )
    assert result.inserted_ids == list(range(10))
    docs = await coll.find({"tag": "odd"}, {"_id": 0, "n": 1}).sort("n", -1).to_list()
    assert docs == [{"n": 9}, {"n": 7}, {"n": 5}, {"n": 3}, {"n": 1}]
    page = await coll.find({}).sort([("tag", 1), ("n", -1)]).skip(2).limit(3).to_list()
    assert [d["n"] for d in page] == [4, 2, 0]
    assert await coll.find_one({"n": {"$gte": 8}}, sort=[("n", 1)]) == {
        "_id": 8,
        "n": 8,
        "tag": "even",
    }


async def test_insert_unordered_reports_each_failure(coll: AsyncCollection) -> None:
    docs = [{"_id": 1}, {"_id": 1}, {"_id": 2}, {"_id": 2}, {"_id": 3}]
    with pytest.raises(BulkWriteError) as info:
        await coll.insert_many(docs, ordered=False)
    details = info.value.details
    assert details["nInserted"] == 3
    assert [e["index"] for e in details["writeErrors"]] == [1, 3]
    assert all(e["code"] == 11000 for e in details["writeErrors"])
    assert await coll.count_documents({}) == 3


async def test_update_operators_and_upsert(coll: AsyncCollection) -> None:
    await coll.insert_many([{"_id": 1, "n": 1, "gone": True}, {"_id": 2, "n": 2}])
    result = await coll.update_one({"_id": 1}, {"$inc": {"n": 10}, "$unset": {"gone": ""}})
    assert (result.matched_count, result.modified_count) == (1, 1)
    assert await coll.find_one({"_id": 1}) == {"_id": 1, "n": 11}
    result = await coll.update_one({"_id": 1}, {"$set": {"n": 11}})
    assert (result.matched_count, result.modified_count) == (1, 0)
    result = await coll.update_many({}, {"$set": {"seen": True}})
    assert (result.matched_count, result.modified_count) == (2, 2)
    result = await coll.update_one(
        {"code": "HS9"}, {"$set": {"name": "Lan"}, "$setOnInsert": {"n": 0}}, upsert=True
    )
    assert result.upserted_id is not None
    assert result.matched_count == 0
    assert await coll.find_one({"_id": result.upserted_id}, {"_id": 0}) == {
        "code": "HS9",
        "name": "Lan",
        "n": 0,
    }
    result = await coll.replace_one({"_id": 42}, {"name": "Minh"}, upsert=True)
    assert result.upserted_id == 42
    assert await coll.find_one({"_id": 42}) == {"_id": 42, "name": "Minh"}


async def test_update_dotted_paths_through_maps(coll: AsyncCollection) -> None:
    await coll.insert_one(
        {"_id": "hs1", "years": {"2025-2026": {"subjects": {"TOAN": {"hk1": {"tx": [7, 8]}}}}}}
    )
    await coll.update_one(
        {"_id": "hs1"},
        {
            "$set": {
                "years.2025-2026.subjects.TOAN.hk1.gk": 8.5,
                "years.2025-2026.subjects.VAN.hk1.gk": 7,
            },
            "$push": {"years.2025-2026.subjects.TOAN.hk1.tx": 9},
        },
    )
    doc = await coll.find_one({"years.2025-2026.subjects.TOAN.hk1.gk": 8.5})
    assert doc is not None
    assert doc["years"]["2025-2026"]["subjects"] == {
        "TOAN": {"hk1": {"tx": [7, 8, 9], "gk": 8.5}},
        "VAN": {"hk1": {"gk": 7}},
    }


async def test_update_with_array_filters(coll: AsyncCollection) -> None:
    await coll.insert_one(
        {"_id": 1, "grades": [{"s": "TOAN", "v": 5}, {"s": "VAN", "v": 6}, {"s": "TOAN", "v": 7}]}
    )
    await coll.update_one(
        {"_id": 1}, {"$set": {"grades.$[g].v": 10}}, array_filters=[{"g.s": "TOAN"}]
    )
    doc = await coll.find_one({"_id": 1})
    assert [g["v"] for g in doc["grades"]] == [10, 6, 10]
    await coll.update_one({"_id": 1, "grades.s": "VAN"}, {"$set": {"grades.$.v": 9}})
    doc = await coll.find_one({"_id": 1})
    assert [g["v"] for g in doc["grades"]] == [10, 9, 10]


async def test_nested_array_filters_work_exactly_or_are_refused(coll: AsyncCollection) -> None:
    original = {
        "_id": 1,
        "a": [
            {"k": 1, "b": [{"j": 1, "c": 0}, {"j": 2, "c": 0}]},
            {"k": 2, "b": [{"j": 1, "c": 0}]},
        ],
    }
    await coll.insert_one(original)
    refused: OperationFailure | None = None
    try:
        await coll.update_one(
            {"_id": 1},
            {"$set": {"a.$[x].b.$[y].c": 5}},
            array_filters=[{"x.k": 1}, {"y.j": 2}],
        )
    except OperationFailure as exc:
        refused = exc
    if refused is not None:
        assert refused.code == 115
        assert "not supported" in str(refused)
        assert await coll.find_one({"_id": 1}) == original
        return
    expected = {
        "_id": 1,
        "a": [
            {"k": 1, "b": [{"j": 1, "c": 0}, {"j": 2, "c": 5}]},
            {"k": 2, "b": [{"j": 1, "c": 0}]},
        ],
    }
    assert await coll.find_one({"_id": 1}) == expected


async def test_failed_update_changes_nothing(coll: AsyncCollection) -> None:
    original = {"_id": 1, "name": "An", "tags": "toan"}
    await coll.insert_one(original)
    async with await coll.watch(max_await_time_ms=200) as stream:
        for update, code in (
            ({"$set": {"a": 5}, "$inc": {"name": 1}}, None),  # $inc on a string
            ({"$set": {"b": 5}, "$push": {"tags": "van"}}, None),  # $push on a non-array
            ({"$set": {"c": 5}, "$frob": {"x": 1}}, 9),  # unknown modifier
        ):
            with pytest.raises(WriteError) as info:
                await coll.update_one({"_id": 1}, update)
            if code is not None:
                assert info.value.code == code
            assert await coll.find_one({"_id": 1}) == original
        await coll.update_one({"_id": 1}, {"$set": {"ok": True}})
        [event] = await drain(stream)  # the failed updates left no change event
    assert event["updateDescription"]["updatedFields"] == {"ok": True}


async def test_mul_works_exactly_or_is_refused(coll: AsyncCollection) -> None:
    await coll.insert_one({"_id": 1, "n": 3})
    refused: OperationFailure | None = None
    try:
        await coll.update_one({"_id": 1}, {"$mul": {"n": 2}})
    except OperationFailure as exc:
        refused = exc
    if refused is not None:
        assert refused.code == 115
        assert await coll.find_one({"_id": 1}) == {"_id": 1, "n": 3}
    else:
        assert await coll.find_one({"_id": 1}) == {"_id": 1, "n": 6}


async def test_delete(coll: AsyncCollection) -> None:
    await coll.insert_many([{"_id": i, "even": i % 2 == 0} for i in range(6)])
    assert (await coll.delete_one({"even": True})).deleted_count == 1
    assert (await coll.delete_many({"even": True})).deleted_count == 2
    assert (await coll.delete_one({"_id": 99})).deleted_count == 0
    assert sorted(await coll.distinct("_id")) == [1, 3, 5]


async def test_find_and_modify(coll: AsyncCollection) -> None:
    await coll.insert_many([{"_id": 1, "n": 1, "k": "a"}, {"_id": 2, "n": 2, "k": "a"}])
    before = await coll.find_one_and_update({"k": "a"}, {"$inc": {"n": 1}}, sort=[("n", -1)])
    assert before == {"_id": 2, "n": 2, "k": "a"}
    after = await coll.find_one_and_update(
        {"_id": 1}, {"$inc": {"n": 5}}, projection={"n": 1}, return_document=ReturnDocument.AFTER
    )
    assert after == {"_id": 1, "n": 6}
    created = await coll.find_one_and_update(
        {"_id": 3}, {"$set": {"n": 0}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    assert created == {"_id": 3, "n": 0}
    assert await coll.find_one_and_update({"_id": 4}, {"$set": {"n": 0}}, upsert=True) is None
    replaced = await coll.find_one_and_replace(
        {"_id": 3}, {"n": 30}, return_document=ReturnDocument.AFTER
    )
    assert replaced == {"_id": 3, "n": 30}
    removed = await coll.find_one_and_delete({"n": {"$gte": 30}})
    assert removed == {"_id": 3, "n": 30}
    assert await coll.find_one_and_delete({"_id": 99}) is None
    assert await coll.count_documents({}) == 3


async def test_count_and_distinct(db: AsyncDatabase, coll: AsyncCollection) -> None:
    await coll.insert_many([{"cls": c, "n": i} for i, c in enumerate("AABBBC")])
    assert (await db.command("count", coll.name))["n"] == 6
    assert (await db.command("count", coll.name, query={"cls": "B"}))["n"] == 3
    assert (await db.command("count", coll.name, query={}, skip=1, limit=2))["n"] == 2
    assert await coll.count_documents({"cls": {"$in": ["A", "C"]}}) == 3
    assert await coll.estimated_document_count() == 6
    assert sorted(await coll.distinct("cls")) == ["A", "B", "C"]
    assert sorted(await coll.distinct("cls", {"n": {"$gte": 3}})) == ["B", "C"]


async def test_aggregate_group_unwind_lookup(db: AsyncDatabase, coll: AsyncCollection) -> None:
    classes = db[f"{coll.name}_classes"]
    await classes.drop()
    try:
        await classes.insert_many([{"_id": "6A", "room": 101}, {"_id": "6B", "room": 102}])
        await coll.insert_many(
            [
                {"_id": 1, "cls": "6A", "scores": [8, 9]},
                {"_id": 2, "cls": "6A", "scores": [7]},
                {"_id": 3, "cls": "6B", "scores": [10, 6]},
            ]
        )
        grouped = await (
            await coll.aggregate(
                [
                    {"$unwind": "$scores"},
                    {"$group": {"_id": "$cls", "total": {"$sum": "$scores"}, "n": {"$sum": 1}}},
                    {"$sort": {"_id": 1}},
                ]
            )
        ).to_list()
        assert grouped == [{"_id": "6A", "total": 24, "n": 3}, {"_id": "6B", "total": 16, "n": 2}]
        joined = await (
            await coll.aggregate(
                [
                    {"$match": {"_id": {"$in": [1, 3]}}},
                    {
                        "$lookup": {
                            "from": classes.name,
                            "localField": "cls",
                            "foreignField": "_id",
                            "as": "class",
                        }
                    },
                    {"$project": {"room": {"$first": "$class.room"}}},
                    {"$sort": {"_id": 1}},
                ]
            )
        ).to_list()
        assert joined == [{"_id": 1, "room": 101}, {"_id": 3, "room": 102}]
    finally:
        await classes.drop()
