"""Aggregations that read a few paths of large documents: the same answers whether the server
copies whole documents or only what the stages read (the embedded server does the latter where
it can tell; MongoDB answers these the same)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from em_support import embedded_only
from pymongo.asynchronous.collection import AsyncCollection

from embedded_mongo.reads import filter_paths, pruned, tail_paths

YEAR = "2025-2026"


def _pupil(n: int) -> dict[str, Any]:
    return {
        "_id": n,
        "current": {"class_name": f"7A{n % 2 + 1}", "school_year": YEAR},
        "status": "studying" if n < 5 else "left",
        "profile": {"full_name": f"Học sinh {n}", "born": datetime(2013, 1, n + 1, tzinfo=UTC)},
        "years": {
            "2024-2025": {"class_name": f"6A{n % 2 + 1}", "subjects": {"TOAN": {"tx": [5, 6]}}},
            YEAR: {
                "class_name": f"7A{n % 2 + 1}",
                "subjects": {"TOAN": {"tx": [7, 8]}, "NGUVAN": {"tx": [n]}, "ANH": {}},
                "locks": {"year": {"locked": n == 0}},
                "at": datetime(2026, 1, n + 1, tzinfo=UTC),
            },
        },
        "tags": [{"k": "a", "v": n}, {"k": "b", "v": n + 1}],
        "big": "x" * 20_000,
    }


@pytest.fixture
async def pupils(coll: AsyncCollection) -> AsyncCollection:
    await coll.insert_many([_pupil(n) for n in range(6)])
    return coll


async def _run(coll: AsyncCollection, pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [doc async for doc in await coll.aggregate(pipeline)]


async def test_a_group_after_a_match_on_nested_paths(pupils: AsyncCollection) -> None:
    rows = await _run(
        pupils,
        [
            {
                "$match": {
                    "current.school_year": YEAR,
                    "status": "studying",
                    f"years.{YEAR}.locks.year.locked": {"$ne": True},
                }
            },
            {"$group": {"_id": "$current.class_name", "pupils": {"$sum": 1}}},
            {"$sort": {"_id": 1}},
        ],
    )
    assert rows == [{"_id": "7A1", "pupils": 2}, {"_id": "7A2", "pupils": 2}]


async def test_a_projection_of_a_subdocuments_keys_in_their_order(pupils: AsyncCollection) -> None:
    root = f"years.{YEAR}"
    rows = await _run(
        pupils,
        [
            {"$match": {f"{root}.class_name": {"$exists": True}, "_id": {"$lt": 2}}},
            {
                "$project": {
                    "_id": 0,
                    "c": f"${root}.class_name",
                    "s": {
                        "$map": {
                            "input": {"$objectToArray": {"$ifNull": [f"${root}.subjects", {}]}},
                            "in": "$$this.k",
                        }
                    },
                }
            },
        ],
    )
    assert rows == [
        {"c": "7A1", "s": ["TOAN", "NGUVAN", "ANH"]},
        {"c": "7A2", "s": ["TOAN", "NGUVAN", "ANH"]},
    ]


async def test_fields_added_then_projected_and_paths_through_arrays(
    pupils: AsyncCollection,
) -> None:
    rows = await _run(
        pupils,
        [
            {"$match": {"$expr": {"$lt": ["$_id", 2]}}},
            {"$addFields": {"first": {"$arrayElemAt": [f"$years.{YEAR}.subjects.TOAN.tx", 0]}}},
            {"$project": {"first": 1, "values": "$tags.v", "when": f"$years.{YEAR}.at"}},
        ],
    )
    assert rows == [
        {"_id": 0, "first": 7, "values": [0, 1], "when": datetime(2026, 1, 1)},
        {"_id": 1, "first": 7, "values": [1, 2], "when": datetime(2026, 1, 2)},
    ]


async def test_whole_documents_where_a_stage_reads_them(pupils: AsyncCollection) -> None:
    first = await _run(
        pupils,
        [{"$match": {"_id": 3}}, {"$group": {"_id": None, "doc": {"$first": "$$ROOT"}}}],
    )
    stored = await pupils.find_one({"_id": 3})
    assert first == [{"_id": None, "doc": stored}]
    # An exclusion passes every other field through.
    [rest] = await _run(pupils, [{"$match": {"_id": 4}}, {"$project": {"big": 0, "tags": 0}}])
    assert set(rest) == {"_id", "current", "status", "profile", "years"}
    whole = await pupils.find_one({"_id": 4})
    assert whole is not None
    assert rest["years"] == whole["years"]
    replaced = await _run(
        pupils, [{"$match": {"_id": 5}}, {"$replaceRoot": {"newRoot": "$current"}}]
    )
    assert replaced == [{"class_name": "7A2", "school_year": YEAR}]
    nested = await _run(
        pupils,
        [{"$match": {"_id": 5}}, {"$project": {"current": {"who": "$status"}}}],
    )
    assert nested == [{"_id": 5, "current": {"who": "left"}}]


@embedded_only
def test_what_the_stages_read() -> None:
    assert tail_paths([{"$group": {"_id": "$a.b", "n": {"$sum": "$c"}}}]) == {"_id", "a.b", "c"}
    assert tail_paths([{"$match": {"x": 1}}, {"$project": {"y": 1}}]) == {"_id", "x", "y"}
    assert tail_paths([{"$project": {"y": {"z": "$w"}}}]) == {"_id", "y", "w"}
    assert tail_paths([{"$project": {"t.v": {"$add": ["$n", 1]}}}]) == {"_id", "t.v", "n"}
    assert tail_paths([{"$project": {"y": {"$concat": ["$$ROOT.a", "z"]}}}]) is None
    assert tail_paths([{"$group": {"_id": 1, "d": {"$first": "$$CURRENT"}}}]) is None
    assert tail_paths([{"$project": {"y": {"$getField": "a.b"}}}]) is None
    assert tail_paths([{"$project": {"big": 0}}]) is None  # nothing bounds what passes
    assert tail_paths([{"$project": {"big": 0}}, {"$group": {"_id": "$k"}}]) == {"_id", "k"}
    assert tail_paths([{"$lookup": {"from": "o", "as": "x", "pipeline": []}}]) is None
    assert tail_paths([{"$sort": {"s": {"$meta": "textScore"}}}, {"$count": "n"}]) is None
    top = {"$top": {"output": "$o", "sortBy": {"when": -1}}}
    assert tail_paths([{"$group": {"_id": None, "t": top}}]) == {"_id", "o", "when"}
    assert filter_paths({"$text": {"$search": "a"}}) is None
    assert filter_paths({"$or": [{"a.b": 1}, {"c": {"$gt": 2}}]}) == {"a.b", "c"}


@embedded_only
def test_a_pruned_document_keeps_order_and_arrays_whole() -> None:
    doc = {"_id": 1, "z": {"b": 2, "a": 1, "c": 3}, "arr": [{"x": 1}], "other": "big"}
    view = pruned(doc, {"_id", "z.c", "z.a", "arr.x", "missing.path"})
    assert view == {"_id": 1, "z": {"a": 1, "c": 3}, "arr": [{"x": 1}]}
    assert list(view["z"]) == ["a", "c"]  # the document's order, not the paths'
    assert view["arr"] is doc["arr"]  # shared: the server copies what it hands on
    assert pruned(doc, {"z", "z.a"}) == {"z": doc["z"]}
