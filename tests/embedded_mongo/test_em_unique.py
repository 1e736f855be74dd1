"""Unique indexes stay exact through updates, deletes, upserts, index drops and collection drops."""

from __future__ import annotations

import pytest
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, OperationFailure


async def test_value_freed_by_update_or_delete_can_be_reused(coll: AsyncCollection) -> None:
    await coll.create_index("email", unique=True)
    await coll.insert_many([{"_id": 1, "email": "a"}, {"_id": 2, "email": "b"}])
    with pytest.raises(DuplicateKeyError):
        await coll.insert_one({"_id": 3, "email": "a"})
    await coll.update_one({"_id": 1}, {"$set": {"email": "a2"}})
    await coll.insert_one({"_id": 3, "email": "a"})  # freed by the update
    with pytest.raises(DuplicateKeyError):
        await coll.insert_one({"_id": 4, "email": "a2"})  # taken by the update
    await coll.delete_one({"_id": 2})
    await coll.insert_one({"_id": 4, "email": "b"})  # freed by the delete
    await coll.replace_one({"_id": 4}, {"email": "b2"})
    await coll.insert_one({"_id": 5, "email": "b"})  # freed by the replacement
    await coll.find_one_and_delete({"_id": 5})
    await coll.insert_one({"_id": 6, "email": "b"})  # freed by findAndModify remove
    assert sorted(await coll.distinct("email")) == ["a", "a2", "b", "b2"]


async def test_duplicate_created_by_update_is_refused(coll: AsyncCollection) -> None:
    await coll.create_index([("school", 1), ("code", 1)], unique=True)
    await coll.insert_many(
        [{"_id": 1, "school": "S", "code": "A"}, {"_id": 2, "school": "S", "code": "B"}]
    )
    with pytest.raises(DuplicateKeyError) as info:
        await coll.update_one({"_id": 2}, {"$set": {"code": "A"}})
    assert info.value.code == 11000
    assert info.value.details["keyPattern"] == {"school": 1, "code": 1}
    assert info.value.details["keyValue"] == {"school": "S", "code": "A"}
    assert await coll.find_one({"_id": 2}) == {"_id": 2, "school": "S", "code": "B"}

    with pytest.raises(DuplicateKeyError):
        await coll.replace_one({"_id": 2}, {"school": "S", "code": "A"})
    with pytest.raises(DuplicateKeyError):
        await coll.update_many({}, {"$set": {"code": "Z"}})
    with pytest.raises(DuplicateKeyError):
        await coll.update_one({"_id": 9}, {"$set": {"school": "S", "code": "B"}}, upsert=True)
    assert await coll.find_one({"_id": 9}) is None
    # An update that keeps the document's own key is not a duplicate of itself.
    await coll.update_one({"_id": 1}, {"$set": {"code": "A", "note": "same key"}})
    assert (await coll.find_one({"_id": 1}))["note"] == "same key"


async def test_missing_fields_sparse_and_types(coll: AsyncCollection, db: AsyncDatabase) -> None:
    await coll.create_index("k", unique=True)
    await coll.insert_one({"_id": 1})
    with pytest.raises(DuplicateKeyError) as info:
        await coll.insert_one({"_id": 2})
    assert info.value.details["keyValue"] == {"k": None}
    await coll.insert_one({"_id": 3, "k": 1})
    with pytest.raises(DuplicateKeyError):
        await coll.insert_one({"_id": 4, "k": 1.0})  # numbers compare by value
    await coll.insert_one({"_id": 5, "k": True})  # a boolean is another type
    await coll.insert_one({"_id": 6, "k": "1"})

    sparse = db[f"{coll.name}_sparse"]
    await sparse.drop()
    try:
        await sparse.create_index("k", unique=True, sparse=True)
        await sparse.insert_many([{"_id": 1}, {"_id": 2}, {"_id": 3, "k": 1}])
        with pytest.raises(DuplicateKeyError):
            await sparse.insert_one({"_id": 4, "k": 1})
        await sparse.update_one({"_id": 3}, {"$unset": {"k": ""}})
        await sparse.insert_one({"_id": 4, "k": 1})
    finally:
        await sparse.drop()


async def test_arrays_are_indexed_per_element(coll: AsyncCollection) -> None:
    await coll.create_index("tags", unique=True)
    await coll.insert_one({"_id": 1, "tags": ["a", "b"]})
    with pytest.raises(DuplicateKeyError):
        await coll.insert_one({"_id": 2, "tags": ["c", "b"]})
    await coll.update_one({"_id": 1}, {"$pull": {"tags": "b"}})
    await coll.insert_one({"_id": 2, "tags": ["c", "b"]})


async def test_index_drops_and_collection_drops(db: AsyncDatabase, coll: AsyncCollection) -> None:
    await coll.create_index("email", unique=True, name="email_u")
    await coll.insert_one({"_id": 1, "email": "a"})
    await coll.drop_index("email_u")
    await coll.insert_one({"_id": 2, "email": "a"})  # no index, no constraint
    with pytest.raises(OperationFailure) as info:
        await coll.create_index("email", unique=True, name="email_u")
    assert info.value.code == 11000
    assert "email_u" not in await coll.index_information()  # a failed build must not linger
    await coll.insert_one({"_id": 3, "email": "a"})
    await coll.delete_many({"_id": {"$in": [2, 3]}})
    await coll.create_index("email", unique=True, name="email_u")
    with pytest.raises(DuplicateKeyError):
        await coll.insert_one({"_id": 4, "email": "a"})

    await coll.drop_indexes()
    await coll.insert_one({"_id": 4, "email": "a"})
    await coll.delete_one({"_id": 4})
    await coll.create_index("email", unique=True, name="email_u")
    await db.drop_collection(coll.name)
    await coll.insert_many([{"_id": 1, "email": "a"}, {"_id": 2, "email": "a"}])
    assert await coll.count_documents({"email": "a"}) == 2
    await coll.delete_many({})
    await coll.create_index("email", unique=True, name="email_u")
    await coll.insert_one({"_id": 1, "email": "a"})
    with pytest.raises(DuplicateKeyError):
        await coll.insert_one({"_id": 2, "email": "a"})
