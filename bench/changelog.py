"""Benchmark of the modification log on the embedded server.

Prints sustained logging throughput (entries/s written by the worker while a backlog drains)
and write-to-entry lag p50/p95 during a burst of score updates made through the write path.
Targets: ≥ 500 entries/s; p95 lag ≤ 1 s under a burst of 5,000 score updates.
Run: python -m bench.changelog [--updates 5000] [--students 200]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import statistics
import time
from typing import Any

from pymongo import AsyncMongoClient

from app.changelog.worker import ChangeLogWorker
from app.context import Actor
from app.db import init_models
from app.store.records import create_records, update_record
from bench._server import server_process
from models.common import WriteSource
from tests.factories import SCHOOL_YEAR, full_year, make_student

TEACHER = Actor(id="bench", name="Giáo viên đo tải", role="gvbm")
SCORE_PATHS = [
    f"years.{SCHOOL_YEAR}.subjects.{s}.hk2.{c}"
    for s in ("TOAN", "NGUVAN", "KHTN")
    for c in ("gk", "ck")
]

# A fixed throw-away master key for the encrypted fields (every process of the bench shares it).
FIELD_KEY = bytes(range(96))


def _burst_process(uri: str, ids: list[str], updates: int, stamps: Any) -> None:
    """Another process: 4 concurrent writers sending score updates through the write path."""
    asyncio.run(_burst(uri, ids, updates, stamps))


async def _burst(uri: str, ids: list[str], updates: int, stamps: Any) -> None:
    from beanie import PydanticObjectId

    client: AsyncMongoClient = AsyncMongoClient(uri, uuidRepresentation="standard")
    await init_models(client, "bench_changelog", FIELD_KEY)
    record_ids = [PydanticObjectId(i) for i in ids]
    students = len(record_ids)
    cycle = math.lcm(students, len(SCORE_PATHS))

    async def writer(n: int) -> None:
        for i in range(n, updates, 4):
            # A (pupil, column) pair comes back every `cycle` writes with a different score.
            value = f"{(i // cycle) % 10},5"
            reason = f"burst-{i}"
            stamps.put((reason, time.time()))
            await update_record(
                record_ids[i % students],
                {SCORE_PATHS[i % len(SCORE_PATHS)]: value},
                source=WriteSource.GRID,
                actor=TEACHER,
                reason=reason,
            )

    await asyncio.gather(*(writer(n) for n in range(4)))
    stamps.put("done")
    await client.close()


async def run(updates: int, students: int) -> None:
    with server_process() as uri:
        await _run(uri, updates, students)


async def _run(uri: str, updates: int, students: int) -> None:
    client: AsyncMongoClient = AsyncMongoClient(uri, uuidRepresentation="standard")
    db = client["bench_changelog"]
    await init_models(db.client, db.name, FIELD_KEY)
    records = []
    for _ in range(students):
        record = make_student()
        record.years[SCHOOL_YEAR] = full_year()
        records.append(record)
    await create_records(records, source=WriteSource.SEED, actor=TEACHER)
    ids = [r.id for r in records if r.id is not None]

    worker = ChangeLogWorker(db, max_await_ms=50)
    task = asyncio.create_task(worker.run())
    while await db["change_log"].count_documents({}) < students:
        await asyncio.sleep(0.05)

    # 1. Throughput: write a backlog with the worker stopped, then time the drain.
    worker.stop()
    await task
    backlog = min(updates, 2000)
    for i in range(backlog):  # every write really changes something: one event each
        await update_record(
            ids[i % students],
            {"profile.birth_place": f"Buôn {i}"},
            source=WriteSource.GRID,
            actor=TEACHER,
        )
    before = await db["change_log"].count_documents({})
    worker = ChangeLogWorker(db, max_await_ms=50)
    started = time.perf_counter()
    task = asyncio.create_task(worker.run())
    target = before + backlog
    while worker.written < backlog:
        await asyncio.sleep(0.01)
    drain = time.perf_counter() - started
    assert await db["change_log"].count_documents({}) >= target

    # 2. Lag: a burst of score updates made by another process (as the app's processes would),
    #    while this process logs them.
    ctx = multiprocessing.get_context("spawn")
    stamps_queue = ctx.Queue()
    writer_process = ctx.Process(
        target=_burst_process, args=(uri, [str(i) for i in ids], updates, stamps_queue)
    )
    observed: dict[str, float] = {}  # reason -> when its entry was seen
    stamps: dict[str, float] = {}  # reason -> when the write started (other process)
    # Entries are observed through a change stream on the log itself: no polling load.
    log_stream = await db["change_log"].watch(
        [{"$match": {"operationType": "insert"}}], max_await_time_ms=50
    )
    burst_started = time.time()
    writer_process.start()
    written_at = None
    while len(observed) < updates:
        while not stamps_queue.empty():
            item = stamps_queue.get()
            if item == "done":
                written_at = time.time()
            else:
                stamps[item[0]] = item[1]
        event = await log_stream.try_next()
        if event is not None:
            reason = event["fullDocument"].get("reason") or ""
            if reason.startswith("burst-"):
                observed.setdefault(reason, time.time())
    await log_stream.close()
    total = time.time() - burst_started
    writer_process.join(timeout=60)
    while not stamps_queue.empty():
        item = stamps_queue.get()
        if item != "done":
            stamps[item[0]] = item[1]
    lags = [observed[r] - stamps[r] for r in observed if r in stamps]
    written = (written_at or time.time()) - burst_started
    worker.stop()
    await task
    await client.close()

    lags.sort()
    p50 = statistics.median(lags)
    p95 = lags[int(len(lags) * 0.95) - 1]
    print(f"{'measure':44} {'value':>12}   target")
    print(
        f"{'sustained logging (backlog of ' + str(backlog) + ')':44} "
        f"{backlog / drain:>9.0f}/s   ≥ 500 entries/s"
    )
    print(f"{'burst: ' + str(updates) + ' score updates written in':44} {written:>10.1f} s")
    print(f"{'burst: all logged after':44} {total:>10.1f} s")
    print(f"{'write-to-entry lag p50':44} {p50 * 1000:>9.0f} ms")
    print(f"{'write-to-entry lag p95':44} {p95 * 1000:>9.0f} ms   ≤ 1,000 ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=5000)
    parser.add_argument("--students", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(run(args.updates, args.students))


if __name__ == "__main__":
    main()
