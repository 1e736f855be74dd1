"""A confirmed promotion runs in the background of the process that took the confirmation,
its progress readable by the page: a school of a thousand pupils takes about a minute, longer
than a browser or a proxy waits for an answer. One run at a time per process; two at once in
different processes cannot move a pupil twice (each write is guarded by the placement the
pupil had when the batch was prepared)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from app.clock import utcnow
from app.errors import Conflict
from app.store import Access

from .promotion import Batch, Result, prepare, write

BUSY = "Đang có một lượt chuyển năm học chạy; hãy chờ lượt đó xong"


@dataclass
class PromotionRun:
    running: bool = False
    started_by: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    total: int = 0
    done: int = 0
    result: Result | None = None
    error: str | None = None

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.finished_at else 0
        return min(100, round(self.done * 100 / self.total))


_run: PromotionRun | None = None
_task: asyncio.Task[None] | None = None


def current() -> PromotionRun | None:
    """The running or last finished run of this process (None: none yet)."""
    return _run


async def _execute(batch: Batch, run: PromotionRun) -> None:
    def progress(done: int) -> None:
        run.done = done

    try:
        run.result = await write(batch, progress)
    except Exception as exc:  # shown on the page instead of dying silently in the background
        run.error = f"Chuyển năm học bị dừng giữa chừng: {type(exc).__name__}: {exc}"
    finally:
        run.running, run.finished_at = False, utcnow()


async def start(
    access: Access,
    school_year: str | None = None,
    *,
    promote_to: Mapping[str, str] | None = None,
    retain_to: Mapping[str, str] | None = None,
) -> PromotionRun:
    """Check and start a run; refused while another runs or while the preview names a
    problem."""
    global _run, _task
    if _run is not None and _run.running:
        raise Conflict(BUSY)
    batch = await prepare(access, school_year, promote_to=promote_to, retain_to=retain_to)
    if _run is not None and _run.running:  # started by someone else meanwhile
        raise Conflict(BUSY)
    _run = PromotionRun(
        running=True, started_by=access.actor().name, started_at=utcnow(), total=batch.total
    )
    _run.result = batch.result
    _task = asyncio.create_task(_execute(batch, _run))
    return _run


async def wait() -> None:
    """For tests: until the running run ends."""
    if _task is not None:
        with contextlib.suppress(asyncio.CancelledError):
            await _task
