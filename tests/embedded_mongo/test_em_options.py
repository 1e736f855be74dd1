"""Unknown command fields and unsatisfiable write concerns are answered with MongoDB's errors,
never silently ignored."""

from __future__ import annotations

import pytest
from pymongo import WriteConcern
from pymongo.errors import OperationFailure, WriteConcernError


async def test_unknown_command_field_is_refused(db, coll) -> None:
    await coll.insert_one({"_id": 1})
    for command, extra in (
        ("find", {"filter": {}, "fliter": {"_id": 2}}),
        ("count", {"query": {}, "bogus": 1}),
        ("delete", {"deletes": [{"q": {}, "limit": 0}], "orderd": False}),
    ):
        with pytest.raises(OperationFailure) as info:
            await db.command(command, coll.name, **extra)
        assert info.value.code == 40415
    assert await coll.count_documents({}) == 1


async def test_write_concern_no_member_set_can_satisfy(coll) -> None:
    unsatisfiable = coll.with_options(write_concern=WriteConcern(w=50))
    with pytest.raises(WriteConcernError) as info:
        await unsatisfiable.insert_one({"_id": 1})
    assert info.value.code == 100
    tagged = coll.with_options(write_concern=WriteConcern(w="noSuchTag"))
    with pytest.raises(WriteConcernError) as again:
        await tagged.insert_one({"_id": 2})
    assert again.value.code == 79


async def test_satisfiable_write_concerns_are_accepted(coll) -> None:
    for concern in (WriteConcern(w=1), WriteConcern(w="majority", wtimeout=1000)):
        await coll.with_options(write_concern=concern).insert_one({})
    assert await coll.count_documents({}) == 2


async def test_simple_collation_is_the_default_and_others_are_refused(coll) -> None:
    await coll.insert_many([{"_id": 1, "s": "a"}, {"_id": 2, "s": "A"}])
    simple = {"locale": "simple"}
    assert [d["_id"] async for d in coll.find({"s": "a"}, collation=simple)] == [1]
    assert await coll.count_documents({"s": "a"}, collation=simple) == 1
    try:
        found = [
            d["_id"] async for d in coll.find({"s": "a"}, collation={"locale": "en", "strength": 2})
        ]
    except OperationFailure as exc:
        found = [exc.code]
    assert found in ([1, 2], [115])  # MongoDB matches both; the embedded server refuses
