"""Concurrent writers with a change-stream reader: nothing lost, nothing twice, exact resumes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from em_support import drain, next_change
from pymongo.asynchronous.collection import AsyncCollection

WRITERS = 8
WRITES_PER_WRITER = 250  # half inserts, half updates of the document just inserted


def event_key(event: dict[str, Any]) -> tuple[str, str, int]:
    """(operation, document id, version) — unique per write in this test."""
    doc_id = event["documentKey"]["_id"]
    if event["operationType"] == "insert":
        return ("insert", doc_id, event["fullDocument"]["v"])
    return ("update", doc_id, event["updateDescription"]["updatedFields"]["v"])


async def writer(coll: AsyncCollection, number: int) -> list[tuple[str, str, int]]:
    done = []
    for i in range(0, WRITES_PER_WRITER, 2):
        doc_id = f"w{number}-{i}"
        await coll.insert_one({"_id": doc_id, "v": 0})
        done.append(("insert", doc_id, 0))
        await coll.update_one({"_id": doc_id}, {"$set": {"v": 1}})
        done.append(("update", doc_id, 1))
    return done


async def test_concurrent_writers_and_exact_resume_from_a_new_client(
    mongo_uri: str, db_name: str, client_for: Callable, coll: AsyncCollection
) -> None:
    total = WRITERS * WRITES_PER_WRITER
    async with await coll.watch(max_await_time_ms=500, batch_size=200) as stream:
        writes = asyncio.gather(*(writer(coll, n) for n in range(WRITERS)))
        events: list[dict[str, Any]] = []
        while len(events) < total:
            events.append(await next_change(stream, timeout=20))
        expected = {key for done in await writes for key in done}
        events += await drain(stream)

    keys = [event_key(e) for e in events]
    assert len(keys) == total, "duplicates or extra events"
    assert set(keys) == expected, "lost events"
    # Per document, the insert comes before its update.
    position = {key: i for i, key in enumerate(keys)}
    for op, doc_id, _ in expected:
        if op == "update":
            assert position[("insert", doc_id, 0)] < position[("update", doc_id, 1)]

    # A brand-new client resuming from the 500th token sees exactly the events after it.
    fresh = client_for(mongo_uri)
    token = events[499]["_id"]
    resumed_coll = fresh[db_name][coll.name]
    async with await resumed_coll.watch(
        resume_after=token, max_await_time_ms=300, batch_size=500
    ) as resumed:
        rest: list[dict[str, Any]] = []
        while len(rest) < total - 500:
            rest.append(await next_change(resumed, timeout=10))
        rest += await drain(resumed)
    assert [event_key(e) for e in rest] == keys[500:]
    assert [e["_id"] for e in rest] == [e["_id"] for e in events[500:]]
