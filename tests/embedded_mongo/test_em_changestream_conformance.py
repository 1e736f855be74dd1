"""Change-stream answers checked against PyMongo's specification tests: a pipeline may not
change the resume token, unknown stages are named, and expanded events either come or are
refused (never accepted and then silently missing)."""

from __future__ import annotations

import pytest
from em_support import next_change
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

AWAIT_MS = 200


async def test_projecting_out_the_resume_token_is_an_error(coll: AsyncCollection) -> None:
    async with await coll.watch([{"$project": {"_id": 0}}], max_await_time_ms=AWAIT_MS) as stream:
        await coll.insert_one({"_id": 1})
        with pytest.raises(OperationFailure) as info:
            await next_change(stream)
    assert info.value.code == 280
    assert info.value.has_error_label("NonResumableChangeStreamError")


async def test_unknown_stage_is_named(coll: AsyncCollection) -> None:
    with pytest.raises(OperationFailure) as info:
        await coll.watch([{"$unsupported": "foo"}])
    assert info.value.code == 40324


async def test_dotted_project_in_a_stream_sets_an_embedded_field(coll: AsyncCollection) -> None:
    pipeline = [{"$project": {"operationType": 1, "ns.viewOn": "db.coll"}}]
    async with await coll.watch(pipeline, max_await_time_ms=AWAIT_MS) as stream:
        await coll.insert_one({"_id": 1})
        change = await next_change(stream)
    assert change["ns"] == {"viewOn": "db.coll"}


async def test_expanded_events_come_or_are_refused(db: AsyncDatabase) -> None:
    name = "c_expanded_events"
    await db.drop_collection(name)
    refusal: OperationFailure | None = None
    try:
        stream = await db.watch(show_expanded_events=True, max_await_time_ms=AWAIT_MS)
    except OperationFailure as exc:
        refusal = exc
    if refusal is not None:
        assert refusal.code == 115
        assert "showExpandedEvents" in str(refusal)
        return
    async with stream:
        await db.create_collection(name)
        change = await next_change(stream)
    await db.drop_collection(name)
    assert change["operationType"] == "create"
