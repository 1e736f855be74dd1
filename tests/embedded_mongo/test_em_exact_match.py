"""An exact match on an indexed field compares values, never patterns: sign-in names such as
``(a+)+$`` or ``a$b`` find exactly their own documents, and quickly."""

from __future__ import annotations

import time

import pytest
from pymongo import ReturnDocument

# Characters that mean something in a regular expression, and a value on which the pattern
# ``(a+)+$`` backtracks exponentially (seconds) if it were ever compiled and searched.
NAMES = ["(a+)+$", "a$b", "x+y", "^?", "ab", "xy", "xxy", "a", "", "a" * 26 + "!"]


@pytest.fixture
async def accounts(coll):
    await coll.create_index("username")
    await coll.insert_many([{"_id": i, "username": n} for i, n in enumerate(NAMES)])
    return coll


@pytest.mark.parametrize("name", NAMES)
async def test_exact_match_finds_exactly_its_document(accounts, name: str) -> None:
    expected = [NAMES.index(name)]
    assert [d["_id"] async for d in accounts.find({"username": name})] == expected
    assert [d["_id"] async for d in accounts.find({"username": {"$eq": name}})] == expected
    assert await accounts.count_documents({"username": name}) == 1
    found = await accounts.find_one_and_update({"username": name}, {"$inc": {"tries": 1}})
    assert found is not None
    assert found["_id"] == expected[0]


async def test_exact_match_is_fast_whatever_the_value(accounts) -> None:
    started = time.monotonic()
    for _ in range(3):
        assert await accounts.count_documents({"username": "(a+)+$"}) == 1
        assert await accounts.count_documents({"username": {"$in": ["(a+)+$", "^?"]}}) == 2
    assert time.monotonic() - started < 2.0


async def test_a_regex_condition_still_matches_as_a_pattern(accounts) -> None:
    # The same characters inside $regex are a pattern, as MongoDB reads them.
    found = [d["_id"] async for d in accounts.find({"username": {"$regex": "^x+y$"}})]
    assert found == [NAMES.index("xy"), NAMES.index("xxy")]


@pytest.mark.parametrize("key", ["(a+)+$", "a$b", "x+y", "^?"])
async def test_upserted_counter_on_a_unique_key_counts(coll, key: str) -> None:
    # A failed sign-in counter: found again on the second failure, never inserted twice.
    await coll.create_index([("scope", 1), ("key", 1)], unique=True)
    selector = {"scope": "address", "key": key}
    for expected in (1, 2, 3):
        doc = await coll.find_one_and_update(
            selector, {"$inc": {"failures": 1}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        assert doc is not None
        assert doc["failures"] == expected
    assert await coll.count_documents({}) == 1
