"""Fixtures for the modification log: a worker running on the test database."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from app.changelog.worker import ChangeLogWorker
from tests.admin.school import panel_app, school  # noqa: F401  (fixtures)

WaitFor = Callable[..., Awaitable[list[dict[str, Any]]]]


class WorkerHandle:
    """Start, stop or kill (as in a crash) a worker running as an asyncio task."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db
        self.worker: ChangeLogWorker | None = None
        self.task: asyncio.Task[None] | None = None

    def start(self, **options: Any) -> ChangeLogWorker:
        options.setdefault("lease_seconds", 1.0)
        options.setdefault("max_await_ms", 100)
        self.worker = ChangeLogWorker(self.db, **options)
        self.task = asyncio.create_task(self.worker.run())
        return self.worker

    async def stop(self) -> None:
        if self.worker is not None and self.task is not None:
            self.worker.stop()
            await asyncio.wait_for(self.task, timeout=10)
        self.worker = self.task = None

    async def kill(self) -> None:
        """Cancel mid-flight: no lease release, possibly an entry without its checkpoint."""
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        self.worker = self.task = None


@pytest.fixture
async def worker(mdb: AsyncDatabase) -> AsyncIterator[WorkerHandle]:
    handle = WorkerHandle(mdb)
    yield handle
    await handle.kill()


@pytest.fixture
def wait_for_entries(mdb: AsyncDatabase) -> WaitFor:
    async def wait(count: int, timeout: float = 20.0, **query: Any) -> list[dict[str, Any]]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            entries = [e async for e in mdb["change_log"].find(query).sort("seq", 1)]
            if len(entries) >= count or asyncio.get_running_loop().time() > deadline:
                return entries
            await asyncio.sleep(0.05)

    return wait
