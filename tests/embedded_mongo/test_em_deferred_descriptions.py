"""Update descriptions worked out after the write: exact whenever they are read, bounded in
number while they wait, and worked out by the server once it is idle."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from em_support import embedded_only, next_change
from pymongo.asynchronous.collection import AsyncCollection

from embedded_mongo.changes import History, describe_update

AWAIT_MS = 200


async def test_successive_updates_of_one_document_are_each_described_as_applied(
    coll: AsyncCollection,
) -> None:
    async with await coll.watch(max_await_time_ms=AWAIT_MS) as stream:
        await coll.insert_one({"_id": 1, "a": 1, "b": {"c": 1, "d": [1, 2]}, "n": 1})
        await coll.update_one({"_id": 1}, {"$set": {"b.c": 2}})
        await coll.update_one({"_id": 1}, {"$inc": {"n": 2}, "$unset": {"a": ""}})
        await coll.update_one({"_id": 1}, {"$push": {"b.d": 3}})
        await coll.update_one({"_id": 1}, {"$set": {"b.c": 3, "e": "x"}})
        await coll.delete_one({"_id": 1})
        events = [await next_change(stream) for _ in range(6)]
    descriptions = [
        (e["updateDescription"]["updatedFields"], e["updateDescription"]["removedFields"])
        for e in events
        if e["operationType"] == "update"
    ]
    assert descriptions == [
        ({"b.c": 2}, []),
        ({"n": 3}, ["a"]),
        ({"b.d.2": 3}, []),
        ({"b.c": 3, "e": "x"}, []),
    ]


@embedded_only
async def test_an_idle_server_describes_waiting_updates(
    own_server: Callable, client_for: Callable
) -> None:
    server = own_server()
    history = server.server.state.history
    client = client_for(server.uri)
    items = client.deferred.items
    await items.insert_one({"_id": 1, "v": 0})
    async with client.start_session() as session:
        await items.find_one({"_id": 1}, session=session)
        start = session.operation_time
    for v in range(1, 21):
        await items.update_one({"_id": 1}, {"$set": {"v": v}})
    for _ in range(200):  # nobody reads them: the server describes them once idle
        if history.undescribed == 0:
            break
        await asyncio.sleep(0.01)
    assert history.undescribed == 0
    assert all(e.old is None and e.new is None for e in history.events)
    updates = [{"$match": {"operationType": "update"}}]
    async with await items.watch(
        updates, start_at_operation_time=start, max_await_time_ms=AWAIT_MS
    ) as s:
        seen = [(await next_change(s))["updateDescription"]["updatedFields"] for _ in range(20)]
    assert seen == [{"v": v} for v in range(1, 21)]


def _append_update(history: History, old: dict[str, Any], new: dict[str, Any]) -> None:
    history.append("update", "db", "coll", key=old["_id"], old=old, new=new)


def test_waiting_descriptions_are_bounded_oldest_first() -> None:
    history = History(max_events=100, max_undescribed=3)
    versions = [{"_id": 1, "v": v, "tags": ["a"] * v} for v in range(6)]
    for old, new in zip(versions, versions[1:], strict=False):
        _append_update(history, old, new)
    assert history.undescribed == 3
    events = list(history.events)
    for n, event in enumerate(events[:2]):
        assert event.update == describe_update(versions[n], versions[n + 1])
        assert (event.old, event.new) == (None, None)  # the versions are let go
    assert all(e.update is None and e.old is not None for e in events[2:])
    # Each slice describes at least one, however short.
    assert history.describe_pending(0.0) is True
    assert history.undescribed == 2
    assert events[2].update is not None
    assert history.describe_pending(1.0) is False
    assert [e.update_description()["updatedFields"] for e in events] == [
        {"v": v, f"tags.{v - 1}": "a"} for v in range(1, 6)
    ]


def test_an_update_read_first_is_not_described_again() -> None:
    history = History(max_events=100)
    _append_update(history, {"_id": 1, "v": 1}, {"_id": 1, "v": 2})
    event = history.events[0]
    read = event.update_description()
    assert read["updatedFields"] == {"v": 2}
    assert (event.old, event.new) == (None, None)
    assert history.describe_pending(1.0) is False
    assert event.update is read


def test_updates_trimmed_from_the_history_are_let_go_undescribed() -> None:
    history = History(max_events=2)
    for v in range(4):
        _append_update(history, {"_id": 1, "v": v}, {"_id": 1, "v": v + 1})
    trimmed = [e for e in history._undescribed if e.seq <= history.trimmed_seq]
    assert len(trimmed) == 2
    assert history.describe_pending(1.0) is False
    assert all(e.update is None and e.old is None and e.new is None for e in trimmed)
    assert [e.update_description()["updatedFields"] for e in history.events] == [
        {"v": 3},
        {"v": 4},
    ]
