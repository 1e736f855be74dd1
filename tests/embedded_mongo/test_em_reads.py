"""Reads that copy only what they return (embedded_mongo/queries.py).

Two kinds of tests:

* differential, in-process (embedded only): for many filters, sorts, windows, projections and
  pipelines, ``queries.find``/``count``/``distinct``/``aggregate`` give exactly (``repr``: values,
  types, field order) what mongomock-ng's own ``find``/``distinct``/``aggregate`` give, errors
  included;
* through the driver: the same reads with expectations a real MongoDB also meets, and (embedded
  only) counts of document copies proving that a page copies its rows and nothing more.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import mongomock_ng
import pytest
from beanie import Document, Link, init_beanie
from bson import encode
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.objectid import ObjectId
from em_support import embedded_only
from mongomock_ng import filtering
from mongomock_ng.collection import Collection
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from embedded_mongo import ServerThread, queries, semantics
from embedded_mongo.store import Store  # noqa: F401  (installs the semantics and fast paths)
from embedded_mongo.wire import CODEC

SCHOOL_IDS = [ObjectId(f"65000000000000000000000{i}") for i in range(3)]


def _pupils() -> list[dict[str, Any]]:
    """Documents with the value kinds the comparison rules care about, ties included."""
    docs: list[dict[str, Any]] = []
    marks: list[Any] = [Decimal128("7.5"), 7, 7.0, Decimal128("8"), Int64(9), 6.25, None, "7"]
    for i in range(40):
        doc: dict[str, Any] = {
            "_id": i,
            "code": f"HS{i % 17:03d}",
            "name": ["An", "Bình", "Chi", "an", "Dũng", "Ánh"][i % 6] + f" {i % 5}",
            "grade": 6 + i % 4,
            "school_id": SCHOOL_IDS[i % 3],
            "avg": marks[i % len(marks)],
            "active": i % 3 != 0,
            "born": datetime(2010, 1 + i % 12, 1 + i % 27, 8, 30, 0, (i % 4) * 1000),
            "tags": [["a", "b"], ["c"], [], [3, "b"]][i % 4],
            "scores": [{"s": "toan", "v": i % 10}, {"s": "van", "v": (i * 3) % 10}],
            "home": {"city": ["HN", "HCM", "DN"][i % 3], "ward": i % 5},
            "years": {"2023": {"class_name": f"{6 + i % 4}A{i % 3}", "rank": i % 7}},
        }
        if i % 5 == 0:
            del doc["avg"]
        if i % 7 == 0:
            doc["home"] = None
        if i % 11 == 0:
            del doc["tags"]
        docs.append(doc)
    docs.append({"_id": "s1", "name": "Zed", "grade": "8", "avg": True})
    docs.append({"_id": ObjectId("650000000000000000000099"), "name": None, "grade": 7.5})
    return docs


def _schools() -> list[dict[str, Any]]:
    return [{"_id": sid, "name": f"THCS {n}", "n": n} for n, sid in enumerate(SCHOOL_IDS)]


@pytest.fixture
def mm() -> Iterator[Collection]:
    """A mongomock-ng collection (as the server holds them) with the documents above, plus two
    stored outside the insert path with sub-millisecond dates, which mongomock's aggregation
    ``$match`` compares after rounding (and ``find`` does not)."""
    client: Any = mongomock_ng.MongoClient()
    coll = client.em_reads.pupils
    coll.insert_many(_pupils())
    client.em_reads.schools.insert_many(_schools())
    for key, micro in (("m1", 123456), ("m2", 999)):
        coll._store[key] = {
            "_id": key,
            "name": "Micro",
            "born": datetime(2011, 5, 5, 0, 0, 0, micro),
        }
    yield coll
    client.drop_database("em_reads")


def outcome(func: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """What a call gives: the repr of its result (types, order), or its error's type."""
    try:
        result = func(*args, **kwargs)
        if not isinstance(result, (list, int)):
            result = list(result)  # a mongomock cursor
        return repr(result)
    except Exception as exc:  # the very same failure is part of the contract
        return f"raised {type(exc).__name__}"


FILTERS: list[dict[str, Any]] = [
    {},
    {"grade": 7},
    {"avg": 7},
    {"avg": {"$gte": 7}},
    {"avg": {"$lte": None}},
    {"avg": {"$exists": False}},
    {"active": True, "grade": {"$in": [6, 8]}},
    {"$or": [{"grade": 9}, {"home.city": "HN"}]},
    {"tags": "b"},
    {"tags": {"$size": 0}},
    {"scores": {"$elemMatch": {"s": "van", "v": {"$gt": 4}}}},
    {"name": {"$regex": "^a", "$options": "i"}},
    {"born": {"$lte": datetime(2011, 5, 5, 0, 0, 0, 123000)}},
    {"_id": 5},
    {"_id": {"$in": [9, 3, 77, 21]}, "grade": {"$ne": 6}},
    {"years.2023.rank": {"$gt": 3}, "school_id": SCHOOL_IDS[1]},
    {"$expr": {"$gt": ["$grade", 7]}},
    {"missing": {"$exists": True}},
]
SORTS: list[Any] = [
    None,
    {"name": 1},
    {"avg": -1},
    {"grade": 1, "name": -1},
    {"home.city": 1, "_id": -1},
    {"tags": 1, "_id": 1},  # arrays by their first element here (tags' first is their least)
    {"$natural": -1},
    {"born": -1, "code": 1, "_id": 1},
]
WINDOWS = [(0, 0), (0, 5), (3, 4), (10, 0), (38, 5), (200, 3), (2, -3)]
PROJECTIONS: list[Any] = [
    None,
    {"name": 1},
    {"name": 1, "_id": 0},
    {"scores": 0, "years": 0},
    {"home.city": 1, "years.2023.rank": 1},
    {"scores": {"$slice": 1}},
    {"scores": {"$elemMatch": {"v": {"$gte": 5}}}, "name": 1},
    {"tags": {"$size": 2}},
    {"label": "$name", "grade": 1},
    {"name": 1, "grade": 0},  # invalid: mixes inclusion and exclusion
]


@embedded_only
@pytest.mark.parametrize("filter_", FILTERS, ids=repr)
def test_find_matches_mongomock(mm: Collection, filter_: dict[str, Any]) -> None:
    for sort, (skip, limit) in itertools.product(SORTS, WINDOWS):
        expected = outcome(mm.find, filter_, sort=sort, skip=skip, limit=limit)
        got = outcome(queries.find, mm, filter_, sort=sort, skip=skip, limit=limit)
        assert got == expected, (sort, skip, limit)


@embedded_only
@pytest.mark.parametrize("projection", PROJECTIONS, ids=repr)
def test_find_projections_match_mongomock(mm: Collection, projection: Any) -> None:
    cases = itertools.product(FILTERS[:12], [None, {"name": 1}, {"grade": -1, "_id": 1}])
    for (filter_, sort), (skip, limit) in itertools.product(cases, [(0, 0), (3, 4), (0, 2)]):
        # Fresh projection dicts: mongomock reorders the one it is given.
        expected = outcome(
            mm.find, filter_, dict(projection or {}), skip=skip, limit=limit, sort=sort
        )
        got = outcome(
            queries.find,
            mm,
            filter_,
            dict(projection or {}) or None,
            sort=sort,
            skip=skip,
            limit=limit,
        )
        assert got == expected, (filter_, sort, skip, limit)
        # What a find command replies: encoded at once, without copies where it can be.
        expected = outcome(
            lambda *a, **k: [encode(d, codec_options=CODEC) for d in mm.find(*a, **k)],
            filter_,
            dict(projection or {}),
            skip=skip,
            limit=limit,
            sort=sort,
        )
        encoded = outcome(
            lambda *a, **k: [d.raw for d in queries.find_encoded(*a, **k)],
            mm,
            filter_,
            dict(projection or {}) or None,
            sort=sort,
            skip=skip,
            limit=limit,
        )
        assert encoded == expected, (filter_, sort, skip, limit)


@embedded_only
def test_positional_projection_matches_mongomock(mm: Collection) -> None:
    filter_ = {"scores.v": {"$gte": 8}}
    for skip, limit in WINDOWS:
        expected = outcome(mm.find, filter_, {"scores.$": 1}, skip=skip, limit=limit)
        got = outcome(queries.find, mm, filter_, {"scores.$": 1}, skip=skip, limit=limit)
        assert got == expected


@embedded_only
def test_invalid_projection_fails_even_when_the_page_is_empty(mm: Collection) -> None:
    # mongomock projected every match, so a bad projection failed whatever the window.
    with pytest.raises(ValueError, match="mix including and excluding"):
        queries.find(mm, {}, {"name": 1, "grade": 0}, skip=500)
    assert queries.find(mm, {"_id": -1}, {"name": 1, "grade": 0}) == []


@embedded_only
@pytest.mark.parametrize("filter_", FILTERS, ids=repr)
def test_count_and_distinct_match_mongomock(mm: Collection, filter_: dict[str, Any]) -> None:
    for skip, limit in WINDOWS:
        expected = outcome(
            lambda f, **kw: len(list(mm.find(f, **kw))), filter_, skip=skip, limit=limit
        )
        assert outcome(queries.count, mm, filter_, skip=skip, limit=limit) == expected
    # MongoDB promises no order for distinct values: compare them as sets of exact reprs.
    for key in ("grade", "name", "tags", "home", "home.city", "scores.s", "avg", "nothing"):
        expected = outcome(lambda *a: sorted(map(repr, mm.distinct(*a))), key, filter_)
        if expected == "raised TypeError":  # mongomock cannot hash Decimal128 ("avg")
            expected = outcome(lambda *a: sorted(map(repr, distinct_oracle(*a))), mm, key, filter_)
        got = outcome(lambda *a: sorted(map(repr, queries.distinct(*a))), mm, key, filter_)
        assert got == expected, key


def distinct_oracle(mm: Collection, key: str, filter_: dict[str, Any]) -> list[Any]:
    """Distinct values the slow way: each value (arrays unwound one level) kept unless an
    equal one, by MongoDB equality, was kept before."""
    kept: list[Any] = []
    for doc in mm.find(filter_):
        for candidate in filtering.iter_key_candidates(key, doc):
            if candidate is filtering.NOTHING:
                continue
            for value in candidate if isinstance(candidate, list) else [candidate]:
                if not any(semantics.bson_equal(value, k) for k in kept):
                    kept.append(value)
    return kept


LOOKUP_SCHOOL = {
    "$lookup": {"from": "schools", "localField": "school_id", "foreignField": "_id", "as": "school"}
}
# Shaped like Beanie 2.2's fetch_links pipeline for a direct link (beanie/odm/utils/find.py):
# lookup + unwind + addFields + project, then the query's $match, $sort, $skip and $limit.
BEANIE_LINK = [
    {
        "$lookup": {
            "from": "schools",
            "localField": "school_id",
            "foreignField": "_id",
            "as": "_link_school",
        }
    },
    {"$unwind": {"path": "$_link_school", "preserveNullAndEmptyArrays": True}},
    {
        "$addFields": {
            "school": {
                "$cond": {
                    "if": {"$ifNull": ["$_link_school", False]},
                    "then": "$_link_school",
                    "else": "$school",
                }
            }
        }
    },
    {"$project": {"_link_school": 0}},
]
PIPELINES: list[list[dict[str, Any]]] = [
    [],
    [{"$match": {"grade": {"$gte": 7}}}],
    [{"$match": {"active": True}}, {"$sort": {"name": 1, "_id": -1}}, {"$skip": 3}, {"$limit": 5}],
    [{"$sort": {"avg": -1}}, {"$limit": 7}],
    [{"$skip": 4}, {"$match": {"grade": 8}}, {"$limit": 2}],
    [{"$match": {"grade": 7}}, {"$match": {"active": False}}, {"$sort": {"code": 1}}],
    [{"$match": {"avg": {"$gte": 7}}}, {"$group": {"_id": 1, "n": {"$sum": 1}}}],
    [{"$match": {}}, {"$skip": 5}, {"$limit": 9}, {"$group": {"_id": 1, "n": {"$sum": 1}}}],
    [{"$match": {"grade": 99}}, {"$group": {"_id": 1, "n": {"$sum": 1}}}],
    [{"$match": {"grade": 6}}, {"$group": {"_id": None, "n": {"$sum": 1}}}],
    [{"$match": {"grade": 6}}, {"$group": {"_id": "$active", "n": {"$sum": 1}}}],
    [{"$match": {"grade": 7}}, {"$count": "total"}],
    [{"$match": {"born": {"$lte": datetime(2011, 5, 5, 0, 0, 0, 123000)}}}],
    [{"$match": {"born": {"$lt": datetime(2011, 5, 5)}}}, {"$project": {"born": 1}}],
    [{"$match": {"$expr": {"$lt": ["$grade", 8]}}}, {"$sort": {"_id": 1}}, {"$limit": 4}],
    [{"$match": {"_id": 12}}],
    [{"$match": {"_id": 12, "grade": 6}}],
    [{"$match": {"_id": {"$in": [30, 2, 17]}}}, {"$project": {"name": 1}}],
    [
        {"$match": {"active": True}},
        {"$sort": {"name": 1}},
        {"$skip": 2},
        {"$limit": 6},
        LOOKUP_SCHOOL,
    ],
    [LOOKUP_SCHOOL, {"$match": {"school.n": 1}}, {"$sort": {"_id": 1}}],
    [*BEANIE_LINK, {"$match": {"grade": {"$in": [6, 9]}}}, {"$sort": {"name": 1}}, {"$limit": 5}],
    [*BEANIE_LINK, {"$match": {"school.name": "THCS 2"}}, {"$sort": {"_id": -1}}],
    [*BEANIE_LINK, {"$match": {"active": True}}, {"$count": "count"}],
    [*BEANIE_LINK, {"$sort": {"avg": -1, "_id": 1}}, {"$skip": 3}, {"$limit": 4}],
    [*BEANIE_LINK, {"$sort": {"school.name": 1, "_id": 1}}, {"$skip": 3}, {"$limit": 4}],
    [*BEANIE_LINK, {"$match": {"grade": 7}}, {"$group": {"_id": 1, "n": {"$sum": 1}}}],
    [*BEANIE_LINK, {"$limit": 6}, {"$project": {"name": 1, "school": 1}}],
    [LOOKUP_SCHOOL, {"$sort": {"name": -1}}, {"$limit": 3}],
    [
        {"$lookup": {"from": "schools", "localField": "tags", "foreignField": "_id", "as": "_l"}},
        {"$unwind": {"path": "$_l", "preserveNullAndEmptyArrays": True}},
        {"$sort": {"name": 1}},
        {"$limit": 5},
    ],
    [
        {"$lookup": {"from": "schools", "localField": "grade", "foreignField": "n", "as": "_l"}},
        {"$unwind": {"path": "$_l", "preserveNullAndEmptyArrays": True}},
        {"$sort": {"_id": -1}},
        {"$skip": 2},
        {"$limit": 5},
    ],
    [
        {"$lookup": {"from": "schools", "localField": "a", "foreignField": "_id", "as": "x.y"}},
        {"$count": "n"},
    ],
    [{"$unwind": "$tags"}, {"$match": {"grade": 6}}, {"$sort": {"tags": 1}}, {"$skip": 1}],
    [{"$unwind": "$tags"}, {"$match": {"tags": "b"}}, {"$project": {"tags": 1}}],
    [{"$set": {"grade": 1}}, {"$match": {"grade": 1}}, {"$count": "n"}],
    [{"$unset": "years"}, {"$match": {"years": {"$exists": False}}}, {"$count": "n"}],
    [{"$match": {"grade": {"$bad": 1}}}],
    [{"$match": {"active": True}}, {"$limit": "x"}],
    [{"$match": {"active": True}}, {"$sort": {"name": 1}}, {"$group": {"_id": "$grade"}}],
]


@embedded_only
@pytest.mark.parametrize("pipeline", PIPELINES, ids=repr)
def test_aggregate_matches_mongomock(mm: Collection, pipeline: list[dict[str, Any]]) -> None:
    expected = outcome(mm.aggregate, pipeline)
    assert outcome(queries.aggregate, mm, pipeline) == expected


@embedded_only
def test_results_are_copies(mm: Collection) -> None:
    for docs in (
        queries.find(mm, {"grade": 6}, sort={"name": 1}, limit=3),
        queries.aggregate(mm, [{"$match": {"grade": 6}}, {"$limit": 3}]),
        queries.aggregate(mm, [{"$match": {"grade": 6}}, {"$limit": 3}, LOOKUP_SCHOOL]),
    ):
        for doc in docs:
            doc["name"] = "changed"
            doc["scores"].append("changed")
    assert queries.count(mm, {"name": "changed"}) == 0
    assert queries.count(mm, {"scores": "changed"}) == 0


@embedded_only
@pytest.mark.parametrize(
    "column",
    [
        ["b", "a", "b", "c", "a", "B", "é", ""],
        [3, 1, 3, 2, -1, 0, 2, 3],
        [True, False, True, False, False, True, True, False],
        [datetime(2024, 1, d % 3 + 1) for d in range(8)],
        [ObjectId(f"6500000000000000000000{d % 4:02d}") for d in range(8)],
        [3, 1, Int64(3), 2.5, -1, Decimal128("2"), 2, 3],  # mixed numbers: mongomock's path
        ["b", 1, None, "a", 1, [2], {"x": 1}, "b"],  # mixed types: mongomock's path
    ],
    ids=["str", "int", "bool", "date", "oid", "numbers", "mixed"],
)
def test_native_sort_is_mongomock_sort(column: list[Any]) -> None:
    docs = [{"_id": i, "v": v, "n": {"v": v}} for i, v in enumerate(column)]
    docs.append({"_id": 99})  # missing: mongomock's path for the whole column
    for key, direction, rows in itertools.product(("v", "n.v"), (1, -1), (docs[:-1], docs)):
        expected = sorted(
            rows,
            key=lambda d, k=key: mongomock_ng.filtering.resolve_sort_key(k, d),
            reverse=direction < 0,
        )
        assert queries._sort_pass(list(rows), key, direction) == expected


def test_match_hoisting() -> None:
    beanie_page = [*BEANIE_LINK, {"$match": {"grade": 6}}, {"$sort": {"name": 1}}, {"$limit": 5}]
    assert queries.hoist_matches(beanie_page) == [
        {"$match": {"grade": 6}},
        *beanie_page[:4],
        *beanie_page[5:],
    ]
    # A filter on a field the lookup stages write stays where it is.
    on_link = [*BEANIE_LINK, {"$match": {"school.name": "x"}}, {"$limit": 5}]
    assert queries.hoist_matches(on_link) == on_link
    # So does one that may read anything, and one behind a stage that is not per document.
    with_expr = [LOOKUP_SCHOOL, {"$match": {"$expr": {"$eq": ["$a", 1]}}}]
    assert queries.hoist_matches(with_expr) == with_expr
    behind_limit = [{"$limit": 3}, {"$match": {"a": 1}}]
    assert queries.hoist_matches(behind_limit) == behind_limit
    behind_group = [{"$group": {"_id": "$a"}}, {"$match": {"_id": 1}}]
    assert queries.hoist_matches(behind_group) == behind_group
    inclusion = [{"$project": {"a": 1}}, {"$match": {"b": 1}}]
    assert queries.hoist_matches(inclusion) == inclusion
    assert queries.filter_roots({"a.b": 1, "$or": [{"c": 1}, {"d.e": {"$gt": 1}}]}) == {
        "a",
        "c",
        "d",
    }
    assert queries.filter_roots({"$comment": "x"}) == set()
    assert queries.filter_roots({"a": 1, "$expr": {"$eq": ["$b", 1]}}) is None


# -- through the driver ---------------------------------------------------------------------------
async def _seed(coll: AsyncCollection, schools: AsyncCollection) -> None:
    await schools.insert_many(_schools())
    await coll.insert_many(
        [
            {
                "_id": i,
                "name": f"p{i:03d}",
                "grade": 6 + i % 4,
                "avg": [Decimal128("7.5"), 7, 8.25, Int64(6)][i % 4],
                "school_id": SCHOOL_IDS[i % 3],
                "big": {"years": [{"marks": [Decimal128("8.5")] * 10}] * 4},
            }
            for i in range(120)
        ]
    )


@pytest.fixture
async def schools(db: AsyncDatabase, coll: AsyncCollection) -> AsyncIterator[AsyncCollection]:
    name = f"{coll.name}_schools"
    await db.drop_collection(name)
    yield db[name]
    await db.drop_collection(name)


async def test_arrays_sort_by_their_least_or_greatest_element(coll: AsyncCollection) -> None:
    """MongoDB's rule: ascending compares an array's smallest element, descending its largest;
    an empty array comes before null and a missing field."""
    await coll.insert_many(
        [
            {"_id": 1, "t": [5, 1]},
            {"_id": 2, "t": [3]},
            {"_id": 3, "t": []},
            {"_id": 4},
            {"_id": 5, "t": 2},
            {"_id": 6, "t": [4, 0, 9]},
        ]
    )
    up = await coll.find({}, {"_id": 1}).sort([("t", 1), ("_id", 1)]).to_list()
    assert [d["_id"] for d in up] == [3, 4, 6, 1, 5, 2]
    down = await coll.find({}, {"_id": 1}).sort([("t", -1), ("_id", 1)]).to_list()
    assert [d["_id"] for d in down] == [6, 1, 2, 5, 4, 3]
    staged = await coll.aggregate([{"$sort": {"t": -1, "_id": 1}}, {"$project": {"_id": 1}}])
    assert [d["_id"] for d in await staged.to_list()] == [6, 1, 2, 5, 4, 3]


async def test_pages_counts_and_distinct_through_the_driver(
    coll: AsyncCollection, schools: AsyncCollection
) -> None:
    await _seed(coll, schools)
    # grade 6 or 8 is i % 4 in (0, 2): avg 7.5 or 8.25, both >= 7; the 60 even i.
    query = {"grade": {"$in": [6, 8]}, "avg": {"$gte": 7}}
    page = (
        await coll.find(query, {"big": 0})
        .sort([("avg", -1), ("_id", 1)])
        .skip(5)
        .limit(4)
        .to_list()
    )
    assert [(d["_id"], d["avg"]) for d in page] == [(22, 8.25), (26, 8.25), (30, 8.25), (34, 8.25)]
    assert set(page[0]) == {"_id", "name", "grade", "avg", "school_id"}
    names = await coll.find(query, {"name": 1, "_id": 0}).sort("name", -1).limit(2).to_list()
    assert names == [{"name": "p118"}, {"name": "p116"}]
    assert await coll.count_documents(query) == 60
    assert await coll.count_documents(query, skip=55, limit=10) == 5
    assert await coll.count_documents({"grade": 99}) == 0
    assert await coll.count_documents({}) == 120
    assert sorted(await coll.distinct("grade", {"avg": 7})) == [7]
    assert sorted(await coll.distinct("grade")) == [6, 7, 8, 9]
    # Numbers are one value whatever their type, as in MongoDB; decimals included.
    await coll.insert_many(
        [
            {"_id": "d1", "grade": Decimal128("7"), "avg": Decimal128("8.25")},
            {"_id": "d2", "grade": 7.0, "avg": Decimal128("8.250")},
            {"_id": "d3", "grade": True, "avg": Decimal128("9.5")},
        ]
    )
    grades = await coll.distinct("grade")
    assert len(grades) == 5
    assert sorted(g for g in grades if not isinstance(g, bool)) == [6, 7, 8, 9]
    assert True in grades
    averages = await coll.distinct("avg", {"_id": {"$in": ["d1", "d2", "d3"]}})
    assert sorted(a.to_decimal() for a in averages) == [Decimal("8.25"), Decimal("9.5")]
    await coll.delete_many({"_id": {"$in": ["d1", "d2", "d3"]}})
    assert len(await coll.find(query).skip(58).to_list()) == 2
    assert len(await coll.find(query).skip(30).batch_size(7).to_list()) == 30
    pipeline = [
        {"$match": query},
        {"$sort": {"name": -1}},
        {"$skip": 2},
        {"$limit": 3},
        {
            "$lookup": {
                "from": schools.name,
                "localField": "school_id",
                "foreignField": "_id",
                "as": "s",
            }
        },
        {"$project": {"name": 1, "s.name": 1}},
    ]
    rows = await (await coll.aggregate(pipeline)).to_list()
    assert rows == [
        {"_id": 114, "name": "p114", "s": [{"name": "THCS 0"}]},
        {"_id": 112, "name": "p112", "s": [{"name": "THCS 1"}]},
        {"_id": 110, "name": "p110", "s": [{"name": "THCS 2"}]},
    ]


class Copies:
    """Counts the documents a read hands on (mongomock's copies, ``Collection._copy_only_fields``,
    which every aggregation copy goes through, and the projections a find encodes without a
    copy, ``queries._shared_projection``) and whole-document date patches (what mongomock's
    ``$match`` stage made of every document) of documents that have a ``big`` field."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.copied: list[Any] = []
        self.patched = 0
        copy_only_fields = Collection._copy_only_fields
        shared_projection = queries._shared_projection
        patch = mongomock_ng.helpers.patch_datetime_awareness_in_document

        def counting_copy(coll: Collection, doc: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(doc, dict) and "big" in doc:
                self.copied.append(doc["_id"])
            return copy_only_fields(coll, doc, *args, **kwargs)

        def counting_projection(doc: Any, fields: Any) -> Any:
            if isinstance(doc, dict) and "big" in doc:
                self.copied.append(doc["_id"])
            return shared_projection(doc, fields)

        def counting_patch(value: Any) -> Any:
            if isinstance(value, dict) and "big" in value:
                self.patched += 1
            return patch(value)

        monkeypatch.setattr(Collection, "_copy_only_fields", counting_copy)
        monkeypatch.setattr(queries, "_shared_projection", counting_projection)
        monkeypatch.setattr(
            mongomock_ng.helpers, "patch_datetime_awareness_in_document", counting_patch
        )

    def take(self) -> tuple[list[Any], int]:
        result = (self.copied, self.patched)
        self.copied, self.patched = [], 0
        return result


@embedded_only
async def test_a_page_copies_only_its_rows(
    coll: AsyncCollection, schools: AsyncCollection, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _seed(coll, schools)
    copies = Copies(monkeypatch)
    query = {"grade": {"$in": [6, 8]}}  # 60 of the 120 documents

    page = await coll.find(query).sort("name", 1).skip(20).limit(10).to_list()
    assert copies.take() == ([d["_id"] for d in page], 0)
    page = await coll.find(query, {"big": 0}).sort("avg", -1).skip(3).limit(2).to_list()
    assert copies.take() == ([d["_id"] for d in page], 0)
    assert await coll.find_one({"grade": 7}, sort=[("name", -1)]) is not None
    assert copies.take() == ([117], 0)

    assert await coll.count_documents(query) == 60
    assert await coll.count_documents(query, skip=10, limit=5) == 5
    assert await coll.count_documents({}) == 120
    assert sorted(await coll.distinct("grade", query)) == [6, 8]
    assert await db_command(coll, {"count": coll.name, "query": query, "skip": 50}) == 10
    assert copies.take() == ([], 0)

    pipeline: list[dict[str, Any]] = [
        {"$match": query},
        {"$sort": {"name": -1}},
        {"$skip": 10},
        {"$limit": 5},
        {
            "$lookup": {
                "from": schools.name,
                "localField": "school_id",
                "foreignField": "_id",
                "as": "s",
            }
        },
    ]
    rows = await (await coll.aggregate(pipeline)).to_list()
    assert copies.take() == ([d["_id"] for d in rows], 0)

    # Beanie's fetch_links order: the lookup stages first, then the query's $match. The match
    # reads none of the fields they write, so it runs first, on the stored documents.
    link = [
        {
            "$lookup": {
                "from": schools.name,
                "localField": "school_id",
                "foreignField": "_id",
                "as": "_l",
            }
        },
        {"$unwind": {"path": "$_l", "preserveNullAndEmptyArrays": True}},
        {"$addFields": {"school": "$_l.name"}},
        {"$project": {"_l": 0}},
    ]
    small = {"grade": 9, "avg": {"$lt": 7}, "name": {"$gte": "p100"}}  # 103, 107, ..., 119
    rows = await (
        await coll.aggregate([*link, {"$match": small}, {"$sort": {"name": 1}}])
    ).to_list()
    assert [(d["_id"], d["school"]) for d in rows] == [
        (i, f"THCS {i % 3}") for i in range(103, 120, 4)
    ]
    assert copies.take() == ([103, 107, 111, 115, 119], 0)

    # The stored documents are not handed out: a delete copies only what mongomock's own
    # delete_one copies (the one document it removes).
    await coll.delete_one({"grade": 6})
    assert copies.take() == ([0], 0)


async def db_command(coll: AsyncCollection, cmd: dict[str, Any]) -> Any:
    return (await coll.database.command(cmd))["n"]


# -- Beanie fetch_links ---------------------------------------------------------------------------
class LinkedSchool(Document):
    name: str

    class Settings:
        name = "em_reads_schools"


class LinkedPupil(Document):
    name: str
    grade: int
    school: Link[LinkedSchool]

    class Settings:
        name = "em_reads_pupils"


@pytest.fixture
async def linked(db: AsyncDatabase) -> AsyncIterator[type[LinkedPupil]]:
    await init_beanie(database=db, document_models=[LinkedSchool, LinkedPupil])
    schools = [LinkedSchool(name=f"THCS {n}") for n in range(3)]
    for school in schools:
        await school.insert()
    await LinkedPupil.insert_many(
        [LinkedPupil(name=f"p{i:02d}", grade=6 + i % 4, school=schools[i % 3]) for i in range(30)]
    )
    yield LinkedPupil
    await db.drop_collection("em_reads_pupils")
    await db.drop_collection("em_reads_schools")


async def test_beanie_fetch_links_page_and_count(linked: type[LinkedPupil]) -> None:
    # grade >= 8: i % 4 in (2, 3), 14 pupils; by name descending p27, p26, p23, p22, p19, p18...
    query = linked.find(linked.grade >= 8, fetch_links=True)
    page = await query.sort(-linked.name).skip(2).limit(4).to_list()
    assert [(p.name, p.school.name) for p in page] == [  # type: ignore[union-attr]
        ("p23", "THCS 2"),
        ("p22", "THCS 1"),
        ("p19", "THCS 1"),
        ("p18", "THCS 0"),
    ]
    assert await linked.find(linked.grade >= 8, fetch_links=True).count() == 14
    first = await linked.find_one(linked.name == "p04", fetch_links=True)
    assert first is not None
    assert first.school.name == "THCS 1"  # type: ignore[union-attr]


@embedded_only
async def test_beanie_fetch_links_pipeline_matches_mongomock(
    linked: type[LinkedPupil],
    embedded_server: ServerThread,
    db: AsyncDatabase,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pipeline Beanie really sends, evaluated both ways on the server's own data."""
    query = linked.find(linked.grade >= 8, fetch_links=True).sort(-linked.name).skip(2).limit(4)
    pipeline = query.build_aggregation_pipeline()
    # Beanie's order: lookup, unwind, addFields, project, then the query's $match.
    assert [next(iter(stage)) for stage in pipeline[:5]] == [
        "$lookup",
        "$unwind",
        "$addFields",
        "$project",
        "$match",
    ]
    count_pipeline = [*query.build_aggregation_pipeline()[:5], {"$count": "count"}]

    def both(server: Any) -> list[tuple[str, str]]:
        coll = server.state.store.coll(db.name, "em_reads_pupils")
        return [
            (outcome(coll.aggregate, p), outcome(queries.aggregate, coll, p))
            for p in (pipeline, count_pipeline)
        ]

    for expected, got in embedded_server.call(both):
        assert got == expected
        assert not got.startswith("raised")

    copied: list[Any] = []
    copy_only_fields = Collection._copy_only_fields

    def counting_copy(coll: Collection, doc: Any, *args: Any, **kwargs: Any) -> Any:
        if coll.name == "em_reads_pupils":
            copied.append(doc["name"])
        return copy_only_fields(coll, doc, *args, **kwargs)

    monkeypatch.setattr(Collection, "_copy_only_fields", counting_copy)
    page = await query.to_list()
    # The query's $match runs before the lookups, and so do the sort and the page (one pupil
    # per pupil comes out of the lookup of its school): the page alone is copied.
    assert copied == [p.name for p in page]
    copied.clear()
    assert await linked.find(linked.grade >= 8, fetch_links=True).count() == 14
    assert copied == []
