"""Aggregation answers where the backend used to differ from MongoDB: a $lookup nested in a
localField/foreignField $lookup, $group over nothing, dotted $project paths, distinct's order,
field names read literally ($setField, $getField, top-level '$' names)."""

from __future__ import annotations

import pytest


@pytest.fixture
async def linked(db):
    names = ("c_pupils", "c_classes", "c_schools")
    for name in names:
        await db.drop_collection(name)
    await db.c_pupils.insert_many([{"_id": 1, "cls": "7A1"}, {"_id": 2, "cls": "7A2"}])
    await db.c_classes.insert_many(
        [{"_id": 10, "name": "7A1", "school": 100}, {"_id": 11, "name": "7A2", "school": 200}]
    )
    await db.c_schools.insert_many([{"_id": 100, "n": "A"}, {"_id": 200, "n": "B"}])
    yield db
    for name in names:
        await db.drop_collection(name)


async def test_lookup_nested_in_a_local_foreign_field_lookup(linked) -> None:
    inner = {"from": "c_schools", "localField": "school", "foreignField": "_id", "as": "s"}
    pipeline = [
        {
            "$lookup": {
                "from": "c_classes",
                "localField": "cls",
                "foreignField": "name",
                "as": "c",
                "pipeline": [{"$lookup": inner}, {"$project": {"_id": 0, "s.n": 1}}],
            }
        },
        {"$sort": {"_id": 1}},
    ]
    found = await (await linked.c_pupils.aggregate(pipeline)).to_list()
    assert [p["c"] for p in found] == [[{"s": [{"n": "A"}]}], [{"s": [{"n": "B"}]}]]


async def test_group_with_null_id_over_no_documents_outputs_nothing(coll) -> None:
    pipeline = [{"$match": {"x": 1}}, {"$group": {"_id": None, "s": {"$sum": "$x"}}}]
    assert await (await coll.aggregate(pipeline)).to_list() == []
    await coll.insert_one({"x": 1})
    assert await (await coll.aggregate(pipeline)).to_list() == [{"_id": None, "s": 1}]


async def test_project_dotted_path_sets_an_embedded_field(coll) -> None:
    await coll.insert_one({"_id": 1, "x": 3, "a": {"c": 2}})
    cursor = await coll.aggregate([{"$project": {"a.b": "$x", "x": 5}}])
    assert await cursor.to_list() == [{"_id": 1, "x": 3, "a": {"b": 3}}]


async def test_distinct_values_are_sorted(coll) -> None:
    await coll.insert_many([{"x": 3}, {"x": "b"}, {"x": 1}, {"x": "a"}, {"x": 2.5}])
    assert await coll.distinct("x") == [1, 2.5, 3, "a", "b"]


async def test_set_field_and_get_field_read_names_literally(coll) -> None:
    await coll.insert_one({"_id": 1, "foo": {}})
    stage = {"$replaceWith": {"$setField": {"field": "a.b", "value": 1, "input": "$$ROOT"}}}
    assert await (await coll.aggregate([stage])).to_list() == [{"_id": 1, "foo": {}, "a.b": 1}]
    await coll.update_one(
        {"_id": 1},
        [
            {
                "$set": {
                    "foo": {"$setField": {"field": {"$literal": "$a"}, "value": 2, "input": "$foo"}}
                }
            },
            {"$replaceWith": {"$setField": {"field": "x.y", "value": 3, "input": "$$ROOT"}}},
        ],
    )
    assert await coll.find_one() == {"_id": 1, "foo": {"$a": 2}, "x.y": 3}
    got = {"$project": {"_id": 0, "v": {"$getField": {"$literal": "x.y"}}}}
    assert await (await coll.aggregate([got])).to_list() == [{"v": 3}]


async def test_top_level_dollar_prefixed_field_is_stored(coll) -> None:
    await coll.insert_one({"_id": 1, "$a": 1})
    assert await coll.find_one({"_id": 1}) == {"_id": 1, "$a": 1}
