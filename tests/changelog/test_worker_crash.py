"""A worker process killed (SIGKILL) at any moment of its start loses and duplicates nothing.

Each test runs the worker in a process of its own (``worker_process.py``), lets it reach one
moment of its first start while pupils are being written, kills it there, writes more while no
worker runs, and starts another worker. Every change must then be in the log exactly once
(folded into a baseline only when the baseline read the record after it), attributed as made,
and ``verify`` must pass with no alarm raised.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from beanie import PydanticObjectId, init_beanie
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from app.changelog.verify import verify_log
from app.context import Actor
from app.store.records import create_records, update_record
from embedded_mongo import start_in_thread
from models import ALL_DOCUMENTS
from models.common import WriteSource
from tests.changelog.conftest import WorkerHandle
from tests.factories import make_student

SCRIPT = Path(__file__).with_name("worker_process.py")
ROOT = Path(__file__).resolve().parents[2]
TEACHER = Actor(id="u9", name="Y Điêng", role="gvbm")
RECORDS = 24
MOMENTS = [
    "start",
    "begun",
    "baseline:8",
    "baseline_done",
    "completed",
    "checkpointed",
    "running",
]


@dataclass
class Writes:
    """Score updates through the app's write path, one every few milliseconds."""

    ids: list[PydanticObjectId]
    # (reason, record key, version written, when the write was sent)
    made: list[tuple[str, str, int, float]] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            record_id = self.ids[i % len(self.ids)]
            reason = f"w{i}"
            started = time.monotonic()
            record = await update_record(
                record_id,
                {"profile.birth_place": f"Buôn {i}"},
                source=WriteSource.API,
                actor=TEACHER,
                reason=reason,
            )
            self.made.append((reason, str(record_id), record.version, started))
            i += 1
            await asyncio.sleep(0.005)


async def start_worker_process(uri: str, db_name: str, moment: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        uri,
        db_name,
        moment,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


async def wait_paused(proc: asyncio.subprocess.Process, moment: str) -> None:
    assert proc.stdout is not None
    while True:
        line = (await asyncio.wait_for(proc.stdout.readline(), timeout=30)).decode()
        assert line, f"the worker process ended before {moment}"
        if line.startswith("paused"):
            assert line.split()[1] == moment
            return


async def wait_complete(db: AsyncDatabase, timeout: float = 30) -> None:
    """Until every record's log reaches its current version (or the time is up)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        report = await verify_log(db, grace=0)
        if report.ok:
            return
        await asyncio.sleep(0.1)


def student_entries(entries: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return [e for e in entries if e["collection"] == "students" and e["record_key"] == key]


@pytest.mark.parametrize("moment", MOMENTS)
async def test_a_worker_killed_during_its_first_start_loses_nothing(
    mdb: AsyncDatabase, mongo_uri: str, db_name: str, worker: WorkerHandle, moment: str
) -> None:
    records = [make_student() for _ in range(RECORDS)]
    await create_records(records, source=WriteSource.SEED, actor=TEACHER)
    ids = [r.id for r in records if r.id is not None]
    writes = Writes(ids)
    writing = asyncio.create_task(writes.run())
    proc = await start_worker_process(mongo_uri, db_name, moment)
    try:
        await wait_paused(proc, moment)
        hung = time.monotonic()
        await asyncio.sleep(0.2)  # writes arrive while the worker hangs…
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        await asyncio.sleep(0.3)  # …and while no worker runs at all
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        writes.stop.set()
        await writing
    await mdb["students"].update_one({"_id": ids[0]}, {"$set": {"profile.religion": "Không"}})
    worker.start()
    await wait_complete(mdb)
    await asyncio.sleep(0.3)  # anything beyond would be a duplicate
    await worker.stop()

    entries = [e async for e in mdb["change_log"].find({}).sort("seq", 1)]
    report = await verify_log(mdb, grace=0)
    assert report.ok, "\n".join(report.lines())
    assert await mdb["change_log_alarms"].count_documents({}) == 0
    assert not [e for e in entries if e["kind"] == "gap"]
    reasons = [e["reason"] for e in entries if e["kind"] == "change"]
    assert len(reasons) == len(set(reasons))
    for record in await mdb["students"].find({}).to_list():
        logged = student_entries(entries, str(record["_id"]))
        assert logged[0]["kind"] == "baseline"
        assert len([e for e in logged if e["kind"] == "baseline"]) == 1
        versions = [e["version"] for e in logged if not e["out_of_band"]]
        assert versions == list(range(versions[0], record["version"] + 1))
    # Every change made once the worker had stopped working has an entry of its own,
    # attributed as it was made (killed before it recorded where the log starts, those changes
    # are part of the records' initial state instead).
    late = [w for w in writes.made if w[3] > hung]
    assert late
    if moment == "start":
        return
    by_reason = {e["reason"]: e for e in entries if e["kind"] == "change"}
    for reason, key, version, _ in late:
        entry = by_reason[reason]
        assert (entry["record_key"], entry["version"]) == (key, version)
        assert (entry["actor_id"], entry["actor_name"], entry["source"]) == ("u9", "Y Điêng", "api")
    [raw] = [e for e in entries if e["out_of_band"]]
    assert raw["record_key"] == str(ids[0])
    assert raw["diff"][0]["path"] == "profile.religion"


@pytest.mark.skipif(
    bool(os.environ.get("MONGODB_URI")),
    reason="needs an embedded server with a short change history",
)
async def test_a_worker_killed_while_reconciling_lost_history_finishes_it(beanie_db) -> None:
    server = start_in_thread(history_size=300)
    client: AsyncMongoClient = AsyncMongoClient(server.uri, uuidRepresentation="standard")
    db = client["history_lost_crash"]
    handle = WorkerHandle(db)
    try:
        await init_beanie(database=db, document_models=ALL_DOCUMENTS)
        records = [make_student() for _ in range(10)]
        await create_records(records, source=WriteSource.SEED, actor=TEACHER)
        ids = [r.id for r in records if r.id is not None]
        handle.start()
        while await db["change_log"].count_documents({}) < len(ids):
            await asyncio.sleep(0.05)
        await handle.stop()
        for n, record_id in enumerate(ids):  # changes the log will never see…
            await update_record(
                record_id, {"profile.birth_place": f"A{n}"}, source=WriteSource.API, actor=TEACHER
            )
        await db["scratch"].insert_many([{"n": i} for i in range(400)])  # …once history rolls
        proc = await start_worker_process(server.uri, db.name, "gap:3")
        try:
            await wait_paused(proc, "gap:3")
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        late = await update_record(
            ids[-1], {"profile.birth_place": "B"}, source=WriteSource.API, actor=TEACHER, reason="b"
        )
        handle.start()
        await wait_complete(db)
        await asyncio.sleep(0.3)
        await handle.stop()
        entries = [e async for e in db["change_log"].find({}).sort("seq", 1)]
        [alarm] = await db["change_log_alarms"].find({}).to_list()
        assert alarm["kind"] == "history_lost"
        assert alarm["gap_entries"] == len(ids)  # one per record, none twice
        gaps = [e for e in entries if e["kind"] == "gap"]
        assert sorted(e["record_key"] for e in gaps) == sorted(str(i) for i in ids)
        assert {e["version"] for e in gaps} == {2}
        [made] = [e for e in entries if e["reason"] == "b"]
        assert (made["version"], made["actor_id"]) == (late.version, "u9")
        report = await verify_log(db, grace=0)
        assert report.ok, report.lines()
    finally:
        await handle.kill()
        await init_beanie(database=beanie_db, document_models=ALL_DOCUMENTS)
        await client.close()
        server.stop()
