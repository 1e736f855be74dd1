"""Plain field updates ($set, $unset, $inc by path) build a new document instead of copying
the stored one; they must give exactly what the general path gives, errors included."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from bson.decimal128 import Decimal128
from em_support import drain, embedded_only
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from embedded_mongo import store as store_module
from embedded_mongo.updates import plain_update


def _document() -> dict[str, Any]:
    return {
        "_id": 1,
        "code": "HS1",
        "version": 3,
        "years": {
            "2025": {
                "subjects": {"TOAN": {"hk1": {"tx": [Decimal128("8"), None], "gk": None}}},
                "locks": {"hk1": {"locked": False}},
            }
        },
        "tags": ["a", "b"],
        "when": datetime(2025, 1, 1),
    }


UPDATES: list[dict[str, Any]] = [
    {"$set": {"years.2025.subjects.TOAN.hk1.gk": Decimal128("7.5")}, "$inc": {"version": 1}},
    {"$set": {"years.2025.subjects.TOAN.hk1.tx.1": Decimal128("9")}},
    {"$set": {"years.2025.subjects.TOAN.hk1.tx.2": Decimal128("9")}},  # pads: general path
    {"$set": {"years.2026.subjects.VAN": {"hk1": {"tx": []}}}},  # new branches
    {"$unset": {"years.2025.locks": "", "missing.deep": ""}},
    {"$unset": {"tags.0": ""}},
    {"$set": {"tags.x": 1}},  # a field name on an array: refused
    {"$set": {"code.inner": 1}},  # a path through a value: refused
    {"$inc": {"code": 1}},  # $inc on a string: refused
    {"$inc": {"version": 1.5, "fresh": 2}},  # other numeric types: general path
    {"$set": {"when": datetime(2025, 2, 3, 4, 5, 6, 789123, tzinfo=UTC)}},
    {"$set": {"years.2025": {"a": 1}, "years.2025.b": 2}},  # conflicting paths: refused
    {"$set": {"code": "HS1"}},  # nothing changes
    {"$set": {"version": 3.0}},  # equal, but another type: still a change
    {"$set": {"tags.1": "c"}, "$unset": {"when": ""}, "$inc": {"n": 5}},
]


async def _outcome(coll: AsyncCollection, update: dict[str, Any]) -> tuple[Any, ...]:
    await coll.delete_many({})
    await coll.insert_one(_document())
    try:
        result = await coll.update_one({"_id": 1, "version": 3}, update)
        answer: Any = (result.matched_count, result.modified_count)
    except PyMongoError as exc:
        answer = ("error", getattr(exc, "code", None))
    stored = await coll.find_one({"_id": 1})
    return answer, stored, [type(v) for v in (stored or {}).values()]


@embedded_only
@pytest.mark.parametrize("update", UPDATES)
async def test_plain_updates_match_the_general_path(
    coll: AsyncCollection, monkeypatch: pytest.MonkeyPatch, update: dict[str, Any]
) -> None:
    fast = await _outcome(coll, update)
    monkeypatch.setattr(store_module.Store, "_plain_updates", lambda *_: False)
    general = await _outcome(coll, update)
    assert fast == general


def test_a_plain_update_leaves_the_stored_document_untouched() -> None:
    live = _document()
    before = repr(live)
    after = plain_update(live, {"$set": {"years.2025.subjects.TOAN.hk1.tx.0": Decimal128("5")}})
    assert repr(live) == before
    assert after is not None
    assert after["years"]["2025"]["subjects"]["TOAN"]["hk1"]["tx"][0] == Decimal128("5")
    # What did not change is shared, not copied.
    assert after["tags"] is live["tags"]
    assert after["years"]["2025"]["locks"] is live["years"]["2025"]["locks"]
    assert plain_update(live, {"$push": {"tags": "c"}}) is None
    assert plain_update(live, {"$set": {"tags.$": "c"}}) is None


@embedded_only
async def test_a_guarded_update_and_its_change_event(coll: AsyncCollection) -> None:
    await coll.insert_one(_document())
    async with await coll.watch() as stream:
        done = await coll.find_one_and_update(
            {"_id": 1, "version": 3, "years.2025.locks.hk1.locked": {"$ne": True}},
            {"$set": {"years.2025.subjects.TOAN.hk1.gk": Decimal128("6")}, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
        )
        assert done is not None
        assert done["version"] == 4
        stale = await coll.update_one({"_id": 1, "version": 3}, {"$inc": {"version": 1}})
        assert stale.matched_count == 0
        event = await stream.next()
    assert event["updateDescription"]["updatedFields"] == {
        "years.2025.subjects.TOAN.hk1.gk": Decimal128("6"),
        "version": 4,
    }
    stored = await coll.find_one({"_id": 1})
    assert stored is not None
    assert stored["years"]["2025"]["subjects"]["TOAN"]["hk1"]["gk"].to_decimal() == Decimal("6")


@embedded_only
async def test_plain_updates_still_keep_a_document_under_the_size_limit(
    coll: AsyncCollection,
) -> None:
    await coll.insert_one({"_id": 1, "n": 0})
    chunk = "x" * (3 * 1024 * 1024)
    for i in range(5):  # 15 MiB: still allowed
        await coll.update_one({"_id": 1}, {"$set": {f"part{i}": chunk}, "$inc": {"n": 1}})
    with pytest.raises(PyMongoError) as refused:
        await coll.update_one({"_id": 1}, {"$set": {"part5": chunk}})
    assert getattr(refused.value, "code", None) == 17419
    stored = await coll.find_one({"_id": 1}, {"n": 1, "part5": 1})
    assert stored == {"_id": 1, "n": 5}
    # Many small updates never let a known size drift past the limit unchecked.
    for i in range(50):
        await coll.update_one({"_id": 1}, {"$set": {"small": i}})
    assert (await coll.find_one({"_id": 1}, {"small": 1})) == {"_id": 1, "small": 49}


async def _events(db: AsyncDatabase, coll: AsyncCollection, update: dict[str, Any]) -> list[Any]:
    """The change events of ``_outcome``'s update and of a general-path update after it, with
    pre- and post-images, and what the first event's images still hold after the second."""
    await coll.drop()
    await db.create_collection(coll.name)
    await db.command("collMod", coll.name, changeStreamPreAndPostImages={"enabled": True})
    await coll.insert_one(_document())
    async with await coll.watch(
        full_document="whenAvailable",
        full_document_before_change="whenAvailable",
        max_await_time_ms=200,
    ) as stream:
        with contextlib.suppress(PyMongoError):
            await coll.update_one({"_id": 1, "version": 3}, update)
        # The general path changes the stored document in place; earlier images must not.
        await coll.update_one({"_id": 1}, {"$push": {"tags": "z"}, "$set": {"when": None}})
        events = await drain(stream)
    return [
        {k: e.get(k) for k in ("updateDescription", "fullDocument", "fullDocumentBeforeChange")}
        for e in events
    ]


@embedded_only
@pytest.mark.parametrize("update", UPDATES)
async def test_plain_updates_record_the_events_of_the_general_path(
    db: AsyncDatabase,
    coll: AsyncCollection,
    monkeypatch: pytest.MonkeyPatch,
    update: dict[str, Any],
) -> None:
    fast = await _events(db, coll, update)
    monkeypatch.setattr(store_module.Store, "_plain_updates", lambda *_: False)
    general = await _events(db, coll, update)
    assert fast == general
    assert len(fast) >= 1
    # The images are those of their moment, whatever happened to the document after.
    last = fast[-1]
    assert last["fullDocument"]["tags"][-1] == "z"
    assert last["fullDocumentBeforeChange"]["tags"][-1] != "z"
    if len(fast) == 2:
        assert fast[0]["fullDocument"] == last["fullDocumentBeforeChange"]
        assert "z" not in fast[0]["fullDocument"]["tags"]
