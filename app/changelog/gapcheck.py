"""The completeness check a worker runs in the background after every (re)start.

What looks missing may only be on its way: a record is counted as a gap only when it is still
behind after the stream has delivered a marker written after the check. Each gap then gets a gap
entry saying which changes are missing, and one alarm names the records.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .completeness import check_completeness, recheck
from .reconcile import fill_gaps

if TYPE_CHECKING:
    from .worker import ChangeLogWorker

log = logging.getLogger(__name__)


async def check_after_restart(worker: ChangeLogWorker) -> int:
    """The number of records found with missing changes (and now admitted by a gap entry)."""
    report = await check_completeness(worker.db)
    if report.ok or not await worker.caught_up():
        return 0
    gaps = await recheck(worker.db, report.gaps)
    if not gaps:
        return 0
    log.error("change log: %d record(s) with missing changes", len(gaps))
    return await fill_gaps(worker, worker.overlap, gaps)
