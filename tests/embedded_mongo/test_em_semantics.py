"""MongoDB's comparison rules, checked through the real driver (embedded_mongo/semantics.py).

Every expectation here is what a real MongoDB answers, so the file also passes with MONGODB_URI.
"""

from __future__ import annotations

import math
import re
from typing import Any

from bson.decimal128 import Decimal128
from bson.int64 import Int64
from pymongo.asynchronous.collection import AsyncCollection


async def ids(coll: AsyncCollection, query: dict[str, Any]) -> set[Any]:
    return {doc["_id"] async for doc in coll.find(query, {"_id": 1})}


async def test_numbers_compare_by_value_across_int_long_double_decimal(
    coll: AsyncCollection,
) -> None:
    await coll.insert_many(
        [
            {"_id": 1, "v": Decimal128("7.5")},
            {"_id": 2, "v": 7},
            {"_id": 3, "v": 7.0},
            {"_id": 4, "v": Decimal128("7")},
            {"_id": 5, "v": Int64(8)},
            {"_id": 6, "v": 6.25},
            {"_id": 7, "v": "7"},
        ]
    )
    # Ranges: a Decimal128 against an int or a double (this used to crash).
    assert await ids(coll, {"v": {"$gt": 7}}) == {1, 5}
    assert await ids(coll, {"v": {"$gte": 7}}) == {1, 2, 3, 4, 5}
    assert await ids(coll, {"v": {"$lt": Decimal128("7.5")}}) == {2, 3, 4, 6}
    assert await ids(coll, {"v": {"$lte": 7.5}}) == {1, 2, 3, 4, 6}
    assert await ids(coll, {"v": {"$gt": Decimal128("6.25"), "$lt": Int64(8)}}) == {1, 2, 3, 4}
    # Equality: 7, 7.0, Decimal128("7") and Decimal128("7.00") are one value; "7" is a string.
    assert await ids(coll, {"v": 7}) == {2, 3, 4}
    assert await ids(coll, {"v": Decimal128("7.00")}) == {2, 3, 4}
    assert await ids(coll, {"v": {"$eq": 7.5}}) == {1}
    assert await ids(coll, {"v": {"$in": [Decimal128("7.50"), 8.0]}}) == {1, 5}
    assert await ids(coll, {"v": {"$ne": 7}}) == {1, 5, 6, 7}
    assert await ids(coll, {"v": {"$nin": [Decimal128("7"), "7"]}}) == {1, 5, 6}
    assert await coll.count_documents({"v": {"$gte": Decimal128("7")}}) == 5


async def test_decimal_scores_in_arrays_and_elem_match(coll: AsyncCollection) -> None:
    await coll.insert_one({"_id": 1, "tx": [Decimal128("8.5"), Decimal128("6")], "gk": 7})
    assert await ids(coll, {"tx": {"$gt": 8}}) == {1}
    assert await ids(coll, {"tx": {"$gt": 9}}) == set()
    assert await ids(coll, {"tx": 6}) == {1}
    assert await ids(coll, {"tx": [8.5, 6]}) == {1}
    # Without $elemMatch each bound may be met by a different element.
    assert await ids(coll, {"tx": {"$gt": 8, "$lt": 7}}) == {1}
    assert await ids(coll, {"tx": {"$elemMatch": {"$gt": 8, "$lt": 7}}}) == set()
    assert await ids(coll, {"tx": {"$elemMatch": {"$gte": 6, "$lt": 7}}}) == {1}
    assert await ids(coll, {"tx": {"$all": [6.0, Decimal128("8.50")]}}) == {1}


async def test_numbers_of_different_types_compare_exactly(coll: AsyncCollection) -> None:
    await coll.insert_many(
        [
            {"_id": 1, "v": Decimal128("0.1")},
            {"_id": 2, "v": Decimal128("0.5")},
            {"_id": 3, "v": Int64(2**53 + 1)},
        ]
    )
    # The double 0.1 is 0.1000000000000000055…: not equal to, and greater than, decimal 0.1.
    assert await ids(coll, {"v": 0.1}) == set()
    assert await ids(coll, {"v": {"$lt": 0.1}}) == {1}
    assert await ids(coll, {"v": 0.5}) == {2}
    # 2**53 + 1 has no double; it is greater than the double 2**53, not equal to it.
    assert await ids(coll, {"v": float(2**53)}) == set()
    assert await ids(coll, {"v": {"$gt": float(2**53)}}) == {3}
    assert await ids(coll, {"v": Decimal128(str(2**53 + 1))}) == {3}


async def test_nan_equals_nan_and_never_matches_a_range(coll: AsyncCollection) -> None:
    await coll.insert_many(
        [
            {"_id": 1, "v": math.nan},
            {"_id": 2, "v": Decimal128("NaN")},
            {"_id": 3, "v": -math.inf},
            {"_id": 4, "v": 0},
        ]
    )
    assert await ids(coll, {"v": math.nan}) == {1, 2}
    assert await ids(coll, {"v": Decimal128("NaN")}) == {1, 2}
    assert await ids(coll, {"v": {"$lt": 0}}) == {3}
    assert await ids(coll, {"v": {"$gte": math.nan}}) == {1, 2}
    assert await ids(coll, {"v": {"$gt": math.nan}}) == set()
    assert await ids(coll, {"v": {"$ne": math.nan}}) == {3, 4}
    # In a sort, NaN comes before every other number (-Infinity included).
    ordered = [doc["_id"] async for doc in coll.find({}, {"_id": 1}).sort("v", 1)]
    assert set(ordered[:2]) == {1, 2}
    assert ordered[2:] == [3, 4]


async def test_booleans_never_equal_numbers(coll: AsyncCollection) -> None:
    await coll.insert_many(
        [
            {"_id": 1, "f": True},
            {"_id": 2, "f": 1},
            {"_id": 3, "f": False},
            {"_id": 4, "f": 0},
            {"_id": 5, "f": 1.0},
            {"_id": 6, "f": Decimal128("1")},
            {"_id": 7, "f": [1, True]},
        ]
    )
    assert await ids(coll, {"f": True}) == {1, 7}
    assert await ids(coll, {"f": 1}) == {2, 5, 6, 7}
    assert await ids(coll, {"f": False}) == {3}
    assert await ids(coll, {"f": 0}) == {4}
    assert await ids(coll, {"f": {"$in": [False]}}) == {3}
    assert await ids(coll, {"f": {"$ne": True}}) == {2, 3, 4, 5, 6}
    assert await ids(coll, {"f": {"$nin": [0, 1]}}) == {1, 3}
    # Type bracketing: a range on a number never matches a boolean, and the other way round.
    assert await ids(coll, {"f": {"$gt": 0}}) == {2, 5, 6, 7}
    assert await ids(coll, {"f": {"$gt": False}}) == {1, 7}
    # Arrays are equal element by element: [1, true] is not [true, 1] but is [1.0, true].
    assert await ids(coll, {"f": [True, 1]}) == set()
    assert await ids(coll, {"f": [1.0, True]}) == {7}


async def test_embedded_documents_compare_field_by_field_in_order(
    coll: AsyncCollection,
) -> None:
    await coll.insert_many(
        [
            {"_id": {"a": 1, "b": 1}, "d": {"x": 1, "y": {"p": 1, "q": 2}}},
            {"_id": 2, "g": [{"r": "cha", "n": "A"}, {"r": "me", "n": "B"}]},
        ]
    )
    # _id lookups (which the server answers from its _id map) follow the same rule.
    assert await coll.count_documents({"_id": {"b": 1, "a": 1}}) == 0
    assert await coll.count_documents({"_id": {"a": 1, "b": 1}}) == 1
    assert await coll.count_documents({"_id": {"a": 1.0, "b": Decimal128("1")}}) == 1
    assert await coll.count_documents({"_id": {"$in": [{"b": 1, "a": 1}]}}) == 0
    assert await coll.find_one({"_id": {"b": 1, "a": 1}}) is None
    assert await coll.count_documents({"d": {"y": {"q": 2, "p": 1}, "x": 1}}) == 0
    assert await coll.count_documents({"d": {"x": 1, "y": {"q": 2, "p": 1}}}) == 0
    assert await coll.count_documents({"d": {"x": 1, "y": {"p": 1, "q": 2}}}) == 1
    assert await coll.count_documents({"d": {"x": 1}}) == 0
    assert await coll.count_documents({"d.y": {"$eq": {"p": 1.0, "q": Decimal128("2")}}}) == 1
    assert await coll.count_documents({"d.y": {"$in": [{"q": 2, "p": 1}]}}) == 0
    # An array of documents matches a document equal to one of its elements, in order.
    assert await ids(coll, {"g": {"n": "A", "r": "cha"}}) == set()
    assert await ids(coll, {"g": {"r": "cha", "n": "A"}}) == {2}
    # Ordering documents: field by field ({x: 1, ...} < {x: 2}).
    assert await coll.count_documents({"d": {"$lt": {"x": 2}}}) == 1
    assert await coll.count_documents({"d": {"$gt": {"x": 1, "y": {"p": 1}}}}) == 1
    # ... value types before field names, field names before values.
    assert await coll.count_documents({"d": {"$gt": {"x": 1, "z": 0}}}) == 1
    assert await coll.count_documents({"d": {"$gt": {"x": 1, "z": {}}}}) == 0


async def test_gte_and_lte_null_match_null_and_missing(coll: AsyncCollection) -> None:
    await coll.insert_many(
        [{"_id": 1, "v": None}, {"_id": 2}, {"_id": 3, "v": 0}, {"_id": 4, "v": ""}]
    )
    assert await ids(coll, {"v": None}) == {1, 2}
    assert await ids(coll, {"v": {"$lte": None}}) == {1, 2}
    assert await ids(coll, {"v": {"$gte": None}}) == {1, 2}
    assert await ids(coll, {"v": {"$lt": None}}) == set()
    assert await ids(coll, {"v": {"$gt": None}}) == set()
    assert await ids(coll, {"w.x": {"$lte": None}}) == {1, 2, 3, 4}


async def test_all_with_an_empty_array_matches_nothing(coll: AsyncCollection) -> None:
    await coll.insert_many(
        [
            {"_id": 1, "tags": ["a", "b"]},
            {"_id": 2, "tags": []},
            {"_id": 3, "tags": "a"},
            {"_id": 4},
        ]
    )
    assert await ids(coll, {"tags": {"$all": []}}) == set()
    assert await ids(coll, {"tags": {"$all": ["a"]}}) == {1, 3}
    assert await ids(coll, {"tags": {"$all": ["b", "a"]}}) == {1}


async def test_not_with_regex_and_options(coll: AsyncCollection) -> None:
    await coll.insert_many(
        [
            {"_id": 1, "code": "HS001"},
            {"_id": 2, "code": "GV002"},
            {"_id": 3, "code": 5},
            {"_id": 4},
        ]
    )
    assert await ids(coll, {"code": {"$not": {"$regex": "^hs", "$options": "i"}}}) == {2, 3, 4}
    assert await ids(coll, {"code": {"$not": {"$regex": "^hs"}}}) == {1, 2, 3, 4}
    assert await ids(coll, {"code": {"$not": re.compile("^hs", re.IGNORECASE)}}) == {2, 3, 4}
    assert await ids(coll, {"code": {"$regex": "^hs", "$options": "i"}}) == {1}


async def test_sort_orders_mixed_numbers_by_value(coll: AsyncCollection) -> None:
    values = {
        1: Decimal128("7.5"),
        2: 7,
        3: 6.25,
        4: Decimal128("-1"),
        5: Int64(10),
        6: 8.0,
        7: Decimal128("7.25"),
        8: "a",
        9: None,
        10: True,
    }
    await coll.insert_many([{"_id": k, "avg": v} for k, v in values.items()])
    # null < numbers (by value, whatever their type) < strings < booleans.
    ascending = [9, 4, 3, 2, 7, 1, 6, 5, 8, 10]
    got = [doc["_id"] async for doc in coll.find({}, {"_id": 1}).sort("avg", 1)]
    assert got == ascending
    got = [doc["_id"] async for doc in coll.find({}, {"_id": 1}).sort("avg", -1)]
    assert got == ascending[::-1]
    pipeline: list[dict[str, Any]] = [
        {"$match": {"avg": {"$gte": 7}}},
        {"$sort": {"avg": -1}},
        {"$project": {"_id": 1}},
    ]
    assert [doc["_id"] async for doc in await coll.aggregate(pipeline)] == [5, 6, 1, 7, 2]
    top = await coll.find_one({"avg": {"$lt": Decimal128("8")}}, sort=[("avg", -1)])
    assert top is not None
    assert top["_id"] == 1


async def test_writes_use_the_same_rules(coll: AsyncCollection) -> None:
    await coll.insert_many(
        [
            {"_id": 1, "avg": Decimal128("4.9"), "ok": False},
            {"_id": 2, "avg": Decimal128("5.0"), "ok": False},
            {"_id": 3, "avg": 6, "ok": 0},
        ]
    )
    result = await coll.update_many({"avg": {"$gte": 5}, "ok": False}, {"$set": {"ok": True}})
    assert (result.matched_count, result.modified_count) == (1, 1)
    assert await ids(coll, {"ok": True}) == {2}
    deleted = await coll.delete_many({"avg": {"$lt": 5.0}})
    assert deleted.deleted_count == 1
    assert await ids(coll, {}) == {2, 3}


async def test_numeric_id_lookups_match_across_types(coll: AsyncCollection) -> None:
    await coll.insert_many([{"_id": 7, "n": "int"}, {"_id": 2.5, "n": "double"}])
    assert await ids(coll, {"_id": Decimal128("7")}) == {7}
    assert await ids(coll, {"_id": 7.0}) == {7}
    assert await ids(coll, {"_id": Int64(7)}) == {7}
    assert await ids(coll, {"_id": Decimal128("2.50")}) == {2.5}
    assert await ids(coll, {"_id": {"$in": [Decimal128("7"), "x"]}}) == {7}
    assert await ids(coll, {"_id": True}) == set()
