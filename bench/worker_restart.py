"""How long the modification log stops after the worker process is killed (SIGKILL).

A worker runs as ``hocba changelog-worker`` in its own process while another task writes a score
update every 20 ms. The worker is SIGKILLed and started again at once (as a supervisor would);
for each kill the bench prints how long the new process took to start, when it wrote its first
entry, and the longest write-to-entry lag among the writes made after the kill.
Run: python -m bench.worker_restart [--kills 3] [--students 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import time

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from app.context import Actor
from app.db import init_models
from app.store.records import create_records, update_record
from bench._server import server_process
from models.common import WriteSource
from tests.factories import SCHOOL_YEAR, make_student

DB = "bench_worker_restart"
TEACHER = Actor(id="bench", name="Giáo viên đo tải", role="gvbm")
GK = f"years.{SCHOOL_YEAR}.subjects.TOAN.hk1.gk"
WRITE_EVERY = 0.02

# A fixed throw-away master key for the encrypted fields (every process of the bench shares it).
FIELD_KEY = bytes(range(96))


class WorkerProcess:
    """``hocba changelog-worker`` in a subprocess; ``started`` is when it printed its banner."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.proc: asyncio.subprocess.Process | None = None
        self.started: float | None = None

    async def start(self) -> WorkerProcess:
        env = {
            **os.environ,
            "ENV": "test",
            "SECRET_KEY": "k" * 40,
            "MONGODB_URI": self.uri,
            "MONGODB_DB": DB,
        }
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "app.cli",
            "changelog-worker",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        asyncio.get_running_loop().create_task(self._banner())
        return self

    async def _banner(self) -> None:
        assert self.proc is not None
        assert self.proc.stdout is not None
        await self.proc.stdout.readline()
        self.started = time.time()
        while await self.proc.stdout.readline():
            pass

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.proc.wait(), timeout=20)


async def _wait_logged(db: AsyncDatabase, reason: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while await db["change_log"].count_documents({"reason": reason}) == 0:
        if time.time() > deadline:
            raise RuntimeError(f"{reason!r} was never logged")
        await asyncio.sleep(0.02)


async def _run(uri: str, kills: int, students: int) -> list[tuple[float, float, float]]:
    client: AsyncMongoClient = AsyncMongoClient(uri, uuidRepresentation="standard")
    db = client[DB]
    await init_models(db.client, db.name, FIELD_KEY)
    records = [make_student() for _ in range(students)]
    await create_records(records, source=WriteSource.SEED, actor=TEACHER)
    ids = [r.id for r in records if r.id is not None]
    worker = await WorkerProcess(uri).start()
    while await db["change_log"].count_documents({}) < students:  # the first-start baseline
        await asyncio.sleep(0.05)
    await update_record(ids[0], {GK: "5"}, source=WriteSource.GRID, actor=TEACHER, reason="ready")
    await _wait_logged(db, "ready")

    written: dict[str, float] = {}  # reason -> when the write returned
    stop = asyncio.Event()

    async def writer() -> None:
        i = 0
        while not stop.is_set():
            reason = f"tick-{i}"
            await update_record(
                ids[i % len(ids)],
                {"profile.birth_place": f"Buôn {i}"},  # always a real change
                source=WriteSource.GRID,
                actor=TEACHER,
                reason=reason,
            )
            written[reason] = time.time()
            i += 1
            await asyncio.sleep(WRITE_EVERY)

    logged: dict[str, float] = {}  # reason -> when its entry was seen

    async def watcher() -> None:
        # Entries are observed through a change stream on the log itself: exact and cheap.
        async with await db["change_log"].watch(
            [{"$match": {"operationType": "insert"}}], max_await_time_ms=50
        ) as stream:
            while not stop.is_set():
                event = await stream.try_next()
                if event is not None:
                    logged.setdefault(event["fullDocument"].get("reason") or "", time.time())

    figures: list[tuple[float, float, float]] = []
    watching = asyncio.create_task(watcher())
    await asyncio.sleep(0.3)
    writing = asyncio.create_task(writer())
    try:
        for _ in range(kills):
            await asyncio.sleep(1.5)
            await worker.kill()
            killed = time.time()
            worker = await WorkerProcess(uri).start()
            while not any(t > killed for r, t in logged.items() if r.startswith("tick-")):
                await asyncio.sleep(0.02)
            first_entry = min(t for r, t in logged.items() if t > killed and r.startswith("tick-"))
            await asyncio.sleep(1.0)  # the new worker catches up
            after = [r for r, t in written.items() if killed < t < time.time() - 0.5]
            while not all(r in logged for r in after):
                await asyncio.sleep(0.02)
            lag = max(logged[r] - written[r] for r in after)
            assert worker.started is not None
            figures.append((worker.started - killed, first_entry - killed, lag))
    finally:
        stop.set()
        await writing
        await watching
        await worker.stop()
        await client.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--students", type=int, default=50)
    args = parser.parse_args()
    with server_process() as uri:
        figures = asyncio.run(_run(uri, args.kills, args.students))
    print(f"{'after SIGKILL and an immediate restart':44} {'median':>8} {'max':>8}")
    for title, column in (
        ("new worker process started (banner)", 0),
        ("first entry written by the new worker", 1),
        ("worst write-to-entry lag after the kill", 2),
    ):
        values = [f[column] for f in figures]
        print(f"{title:44} {statistics.median(values):>7.1f}s {max(values):>7.1f}s")


if __name__ == "__main__":
    main()
