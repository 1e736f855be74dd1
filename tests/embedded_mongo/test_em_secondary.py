"""Indexed fields narrow string-equality and regular-expression filters; results stay exactly
what a scan gives."""

from __future__ import annotations

import re
from typing import Any

import pytest
from em_support import embedded_only
from pymongo.errors import DuplicateKeyError

DOCS: list[dict[str, Any]] = [
    {"_id": 1, "c": {"cls": "7A1", "yr": "2025"}, "tags": ["a", "b"], "n": 1},
    {"_id": 2, "c": {"cls": "7A2", "yr": "2025"}, "tags": ["b"], "n": 2},
    {"_id": 3, "c": {"cls": "7A1", "yr": "2024"}, "tags": "a", "n": 3},
    {"_id": 4, "c": {"cls": 7, "yr": "2025"}, "tags": [], "n": 4},  # a number, not a string
    {"_id": 5, "c": [{"cls": "7A1"}], "n": 5},  # a path through an array
    {"_id": 6, "n": 6},  # fields missing
]
QUERIES: list[dict[str, Any]] = [
    {"c.cls": "7A1"},
    {"c.cls": {"$eq": "7A2"}},
    {"c.cls": {"$in": ["7A1", "7A2"]}},
    {"c.cls": {"$in": ["7A1"]}, "c.yr": "2025"},
    {"$and": [{"c.cls": "7A1"}, {"n": {"$gt": 1}}]},
    {"$or": [{"c.cls": "7A2"}, {"tags": "a"}]},
    {"$or": [{"c.cls": "7A2"}, {"n": 6}]},  # one branch not narrowable: full scan
    {"tags": "b"},
    {"c.cls": 7},
    {"c.cls": "nowhere"},
    {"c.cls": {"$regex": "^7a", "$options": "i"}},  # strings only: not the number 7
    {"c.cls": {"$regex": "2$"}},
    {"c.cls": re.compile("A1")},
    {"tags": {"$regex": "^b"}},  # any element of an array
    {"$or": [{"c.cls": {"$regex": "2"}}, {"tags": "a"}]},
    {"c.cls": {"$regex": "A", "$ne": "7A1"}},  # not only a pattern: scanned
    {"c.cls": {"$not": {"$regex": "A1"}}},  # a negation: scanned
]


@pytest.fixture
async def coll(db):
    collection = db["secondary"]
    await collection.create_index([("c.cls", 1), ("c.yr", 1)])
    await collection.create_index("tags")
    await collection.insert_many(DOCS)
    return collection


@pytest.mark.parametrize("query", QUERIES)
async def test_results_are_those_of_a_scan(coll, query: dict[str, Any]) -> None:
    expected = [d["_id"] for d in DOCS if _scan_match(query, d)]
    assert [d["_id"] async for d in coll.find(query)] == expected
    assert await coll.count_documents(query) == len(expected)


async def test_updates_and_deletes_move_documents_between_values(coll) -> None:
    await coll.update_one({"_id": 2}, {"$set": {"c.cls": "7A1"}})
    await coll.delete_one({"_id": 3})
    await coll.insert_one({"_id": 7, "c": {"cls": "7A1", "yr": "2025"}})
    assert [d["_id"] async for d in coll.find({"c.cls": "7A1"})] == [1, 2, 5, 7]
    assert [d["_id"] async for d in coll.find({"c.cls": "7A2"})] == []


@embedded_only
async def test_only_candidates_meet_the_matcher(coll, embedded_server, monkeypatch) -> None:
    import embedded_mongo.fastpaths as fastpaths

    await coll.insert_many([{"_id": 100 + i, "c": {"cls": f"9A{i % 9}"}} for i in range(300)])
    calls = count_matcher_calls(monkeypatch, fastpaths, forbid_scan=True)
    found = [d["_id"] async for d in coll.find({"c.cls": "7A2"})]
    assert found == [2]
    assert calls.n <= 2  # the one candidate (and nothing like the 306 documents)


class Calls:
    n = 0


def count_matcher_calls(monkeypatch: Any, module: Any, *, forbid_scan: bool = False) -> Calls:
    """Count the documents ``module.filter_applies`` tests; with ``forbid_scan``, fail the
    test if the collection is scanned instead of narrowed."""
    calls = Calls()
    real = module.filter_applies

    def counting(query: Any, doc: Any, *args: Any) -> bool:
        calls.n += 1
        return bool(real(query, doc, *args))

    def no_scan(*args: Any) -> Any:
        raise AssertionError("the whole collection was scanned")

    monkeypatch.setattr(module, "filter_applies", counting)
    if forbid_scan:
        monkeypatch.setattr(module, "_original_iter_documents", no_scan)
    return calls


def _scan_match(query: dict[str, Any], doc: dict[str, Any]) -> bool:
    """The expected answers, written out by hand for the fixed documents above."""
    answers = {
        0: {1, 3, 5},
        1: {2},
        2: {1, 2, 3, 5},
        3: {1},
        4: {3, 5},
        5: {1, 2, 3},
        6: {2, 6},
        7: {1, 2},
        8: {4},
        9: set(),
        10: {1, 2, 3, 5},
        11: {2},
        12: {1, 3, 5},
        13: {1, 2},
        14: {1, 2, 3},
        15: {2},
        16: {2, 4, 6},
    }
    return doc["_id"] in answers[QUERIES.index(query)]


@embedded_only
async def test_counts_test_only_candidates(coll, embedded_server, monkeypatch) -> None:
    from mongomock_ng import filtering

    await coll.insert_many([{"_id": 100 + i, "c": {"cls": f"9A{i % 9}"}} for i in range(300)])
    calls = count_matcher_calls(monkeypatch, filtering)
    assert await coll.count_documents({"c.cls": {"$in": ["7A2", "9A1"]}}) == 1 + 34
    assert calls.n <= 40  # the candidates, not the 306 documents


@embedded_only
async def test_a_pattern_is_tested_per_value_not_per_document(
    coll, embedded_server, monkeypatch
) -> None:
    import embedded_mongo.fastpaths as fastpaths

    await coll.insert_many([{"_id": 100 + i, "c": {"cls": f"9A{i % 9}"}} for i in range(300)])
    calls = count_matcher_calls(monkeypatch, fastpaths, forbid_scan=True)
    query = {"$or": [{"c.cls": {"$regex": "^7a2", "$options": "i"}}, {"tags": {"$regex": "z"}}]}
    assert [d["_id"] async for d in coll.find(query)] == [2]
    assert calls.n <= 2


@embedded_only
async def test_narrowed_results_keep_the_order_of_a_scan(coll, embedded_server) -> None:
    """A few candidates among many are put in the collection's order by rank, without a walk
    of every document: that order must stay the one a scan gives after updates, deletes and
    re-inserts."""
    await coll.insert_many([{"_id": 100 + i, "c": {"cls": f"9A{i % 9}"}} for i in range(300)])
    await coll.update_one({"_id": 3}, {"$set": {"n": 30}})  # stays in place
    await coll.delete_one({"_id": 1})
    await coll.insert_one({"_id": 1, "c": {"cls": "7A1"}})  # back, now last
    await coll.update_one({"_id": 150}, {"$set": {"c.cls": "7A1"}})  # joins in place
    await coll.replace_one({"_id": 5}, {"c": {"cls": "7A1"}, "n": 50})  # no longer an array
    await coll.update_one({"_id": 400}, {"$set": {"c": {"cls": "7A1"}}}, upsert=True)
    narrowed = [d["_id"] async for d in coll.find({"c.cls": "7A1"})]
    scanned = [d["_id"] async for d in coll.find({"$or": [{"c.cls": "7A1"}, {"n": -1}]})]
    assert narrowed == scanned == [3, 5, 150, 1, 400]
    assert await coll.count_documents({"c.cls": "7A1"}) == 5


async def test_updates_of_other_fields_keep_documents_under_their_values(db) -> None:
    collection = db["secondary_kept"]
    await collection.drop()
    await collection.create_index([("c.cls", 1), ("meta.by", 1)])
    await collection.create_index("code", unique=True)
    await collection.insert_many(
        [{"_id": i, "code": f"HS{i}", "c": {"cls": "7A1"}, "meta": {"by": "a"}} for i in (1, 2)]
    )
    # Neither index's fields: the entries stay; then one of them: they move.
    await collection.update_one({"_id": 1}, {"$set": {"n": 1}, "$inc": {"v": 1}})
    await collection.update_one({"_id": 2}, {"$set": {"meta.by": "b"}})
    assert [d["_id"] async for d in collection.find({"c.cls": "7A1"})] == [1, 2]
    assert [d["_id"] async for d in collection.find({"meta.by": "b"})] == [2]
    assert [d["_id"] async for d in collection.find({"meta.by": "a"})] == [1]
    await collection.update_one({"_id": 1}, {"$set": {"c.cls": "7A2", "n": 2}})
    assert [d["_id"] async for d in collection.find({"c.cls": "7A1"})] == [2]
    assert [d["_id"] async for d in collection.find({"c.cls": "7A2"})] == [1]
    # A unique field still refuses a duplicate, and keeps its value when others change.
    with pytest.raises(DuplicateKeyError):
        await collection.update_one({"_id": 2}, {"$set": {"code": "HS1"}})
    await collection.update_one({"_id": 2}, {"$set": {"n": 3}})
    with pytest.raises(DuplicateKeyError):
        await collection.insert_one({"_id": 3, "code": "HS2"})
    await collection.update_one({"_id": 1}, {"$set": {"code": "HS9"}})
    await collection.insert_one({"_id": 3, "code": "HS1"})
    await collection.drop()
