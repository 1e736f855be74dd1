"""Lookups by ``_id`` and unique-index checks must not scan the collection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mongomock_ng.collection
import pytest
from em_support import embedded_only
from mongomock_ng.collection import Collection
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from embedded_mongo import fastpaths

SIZE = 2_000


class Counter:
    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.func(*args, **kwargs)

    def take(self) -> int:
        calls, self.calls = self.calls, 0
        return calls


@pytest.fixture
def filter_calls(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Counts mongomock's per-document filter evaluations, wherever they are made."""
    counter = Counter(mongomock_ng.collection.filter_applies)
    monkeypatch.setattr(mongomock_ng.collection, "filter_applies", counter)
    monkeypatch.setattr(fastpaths, "filter_applies", counter)
    return counter


@pytest.fixture
def index_entry_calls(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Counts how many documents' unique-index entries are computed."""
    counter = Counter(Collection._compute_index_entries)
    monkeypatch.setattr(Collection, "_compute_index_entries", staticmethod(counter))
    return counter


@embedded_only
async def test_id_filters_do_not_scan(coll: AsyncCollection, filter_calls: Counter) -> None:
    await coll.insert_many([{"_id": i, "n": i} for i in range(SIZE)])
    filter_calls.take()
    assert await coll.find_one({"n": SIZE - 1}) == {"_id": SIZE - 1, "n": SIZE - 1}
    assert filter_calls.take() >= SIZE, "the counter must see a scan"

    assert await coll.find_one({"_id": 1500}) == {"_id": 1500, "n": 1500}
    assert filter_calls.take() <= 2
    assert len(await coll.find({"_id": {"$in": [1, 2, 3, 99_999]}}).to_list()) == 3
    assert filter_calls.take() <= 4
    await coll.update_one({"_id": 7}, {"$set": {"n": -7}})
    assert filter_calls.take() <= 6
    await coll.replace_one({"_id": 8}, {"n": -8})
    assert filter_calls.take() <= 6
    await coll.find_one_and_update(
        {"_id": 9}, {"$inc": {"n": 1}}, return_document=ReturnDocument.AFTER
    )
    assert filter_calls.take() <= 6
    await coll.delete_one({"_id": 10})
    assert filter_calls.take() <= 4
    await coll.insert_one({"_id": SIZE})
    assert filter_calls.take() <= 2


@embedded_only
async def test_unique_checks_do_not_scan(coll: AsyncCollection, index_entry_calls: Counter) -> None:
    await coll.create_index("email", unique=True)
    await coll.insert_many([{"_id": i, "email": f"{i}@x.vn"} for i in range(SIZE)])
    index_entry_calls.take()
    await coll.insert_one({"_id": SIZE, "email": "new@x.vn"})
    assert index_entry_calls.take() <= 4
    await coll.update_one({"_id": 5}, {"$set": {"email": "five@x.vn"}})
    assert index_entry_calls.take() <= 6
    with pytest.raises(Exception, match="duplicate key"):
        await coll.update_one({"_id": 6}, {"$set": {"email": "five@x.vn"}})
    assert index_entry_calls.take() <= 6


async def test_id_lookups_keep_full_semantics(coll: AsyncCollection) -> None:
    await coll.insert_many(
        [
            {"_id": 1, "n": 1},
            {"_id": 2.5, "n": 2},
            {"_id": {"school": "S", "code": 3}, "n": 3},
            {"_id": "4", "n": 4},
        ]
    )
    assert await coll.find_one({"_id": 1.0}) == {"_id": 1, "n": 1}  # numbers by value
    assert await coll.find_one({"_id": 1, "n": 2}) is None  # the rest of the filter applies
    assert await coll.find_one({"_id": {"school": "S", "code": 3}}) is not None
    assert await coll.find_one({"_id": 4}) is None  # the string "4" is another type
    assert [d["n"] for d in await coll.find({"_id": {"$in": [1, "4", 9]}}).sort("n").to_list()] == [
        1,
        4,
    ]
    assert await coll.find_one({"_id": {"$eq": 2.5}}) == {"_id": 2.5, "n": 2}
    assert await coll.find_one({"_id": {"$gt": 2}}) == {"_id": 2.5, "n": 2}


@embedded_only
async def test_id_lookups_check_the_id_once(coll: AsyncCollection, filter_calls: Counter) -> None:
    """Documents found by their _id meet only the rest of the filter, with MongoDB's rules."""
    ids = [f"id{i}" for i in range(200)]
    await coll.insert_many([{"_id": v, "n": i} for i, v in enumerate(ids)])
    await coll.insert_one({"_id": 1, "n": -1})
    found = await coll.find({"_id": {"$in": ids}, "n": {"$lt": 3}}).to_list()
    assert [d["_id"] for d in found] == ["id0", "id1", "id2"]
    # True == 1 in Python but not in MongoDB: the id is still compared for such types.
    assert await coll.find({"_id": {"$in": [True]}}).to_list() == []
    assert await coll.find({"_id": 1.0}).to_list() == [{"_id": 1, "n": -1}]
    # Another operator on _id next to $in is still applied.
    narrowed = await coll.find({"_id": {"$in": ids[:3], "$nin": ["id1"]}}).to_list()
    assert [d["_id"] for d in narrowed] == ["id0", "id2"]


@embedded_only
async def test_an_id_inside_and_is_looked_up(coll: AsyncCollection, filter_calls: Counter) -> None:
    await coll.insert_many([{"_id": f"id{i}", "n": i, "v": 1} for i in range(SIZE)])
    filter_calls.take()
    query = {"$and": [{"_id": {"$in": ["id5", "id7", "nope"]}}, {"n": {"$gt": 5}}], "v": 1}
    assert await coll.find(query).to_list() == [{"_id": "id7", "n": 7, "v": 1}]
    assert filter_calls.take() <= 4
    guarded = {"$and": [{"_id": "id9", "n": 9}, {"v": {"$ne": 2}}]}
    result = await coll.update_one(guarded, {"$inc": {"v": 1}})
    assert result.modified_count == 1
    assert filter_calls.take() <= 2
    assert (await coll.update_one(guarded, {"$inc": {"v": 1}})).matched_count == 0  # v is 2
    assert await coll.count_documents({"$and": [{"_id": "id3"}, {"_id": "id4"}]}) == 0


@embedded_only
async def test_an_id_next_to_other_fields_inside_and_is_looked_up(
    coll: AsyncCollection, filter_calls: Counter
) -> None:
    await coll.insert_many([{"_id": f"id{i}", "n": i, "k": i % 2} for i in range(SIZE)])
    filter_calls.take()
    ids = [f"id{i}" for i in range(0, 40)]
    query = {"$and": [{"k": 1}, {"_id": {"$in": ids}, "n": {"$lt": 6}}]}
    assert [d["_id"] for d in await coll.find(query).to_list()] == ["id1", "id3", "id5"]
    assert filter_calls.take() <= len(ids) + 2
    assert await coll.count_documents({"$and": [{"_id": "id3", "n": 4}]}) == 0
