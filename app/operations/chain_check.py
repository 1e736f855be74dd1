"""The change log's chain check started from the operations page: one at a time per process,
in the background, with its progress readable while it runs."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from app.changelog.verify import verify_chain
from app.clock import utcnow


@dataclass
class ChainCheck:
    running: bool = False
    checked: int = 0
    total: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    started_by: str = ""
    ok: bool | None = None
    result: str = ""

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.finished_at else 0
        return min(100, round(self.checked * 100 / self.total))


_check = ChainCheck()
_task: asyncio.Task[None] | None = None


def current() -> ChainCheck:
    """The running or last finished check of this process."""
    return _check


async def _run(db: AsyncDatabase, check: ChainCheck) -> None:
    def progress(checked: int) -> None:
        check.checked = checked

    try:
        report = await verify_chain(db, progress)
        check.checked, check.ok, check.result = report.checked, report.ok, report.text()
    except Exception as exc:  # shown on the page instead of dying silently in the background
        check.ok, check.result = False, f"Không kiểm tra được: {type(exc).__name__}: {exc}"
    finally:
        check.running, check.finished_at = False, utcnow()


async def start(db: AsyncDatabase, *, by: str) -> bool:
    """Start a check unless one is running; False when one already is."""
    global _check, _task
    if _check.running:
        return False
    total = await db["change_log"].estimated_document_count()
    _check = ChainCheck(running=True, total=total, started_at=utcnow(), started_by=by)
    _task = asyncio.create_task(_run(db, _check))
    return True


async def wait() -> None:
    """For tests: until the running check ends."""
    if _task is not None:
        with contextlib.suppress(asyncio.CancelledError):
            await _task
