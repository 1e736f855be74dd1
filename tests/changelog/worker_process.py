"""A change-log worker in a process of its own, for the crash tests.

``python tests/changelog/worker_process.py URI DB MOMENT``: on reaching MOMENT the worker prints
``paused MOMENT`` and blocks its event loop (no more renewals, as a hung or dying process) until
the test kills it with SIGKILL. Moments: ``start`` (lease held, nothing recorded), ``begun``
(stream start recorded, no baseline), ``baseline:N`` or ``gap:N`` (after N baseline or gap
entries), ``baseline_done``
(all written, not yet marked complete), ``completed`` (marked complete, overlap window open),
``checkpointed`` (after its first checkpoint of a stream position), ``running`` (after its first
change entry once fully started).
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from beanie import init_beanie  # noqa: E402
from pymongo import AsyncMongoClient  # noqa: E402

from app.changelog import catchup  # noqa: E402
from app.changelog.worker import ChangeLogWorker  # noqa: E402
from models import ALL_DOCUMENTS  # noqa: E402


def pause(moment: str) -> None:
    print(f"paused {moment}", flush=True)
    time.sleep(3600)  # blocks the event loop: the test kills the process meanwhile


class PausingWorker(ChangeLogWorker):
    def __init__(self, db: Any, moment: str) -> None:
        super().__init__(db, max_await_ms=100)
        self.moment = moment
        self.states = {"baseline": 0, "gap": 0}

    async def append(self, entry: dict[str, Any]) -> bool:
        written = await super().append(entry)
        if entry["kind"] in ("baseline", "gap"):
            self.states[entry["kind"]] += 1
            if self.moment == f"{entry['kind']}:{self.states[entry['kind']]}":
                pause(self.moment)
        started = self._catch_up is not None and not self._catch_up.window_open
        if self.moment == "running" and entry["kind"] == "change" and started:
            pause(self.moment)
        return written


def install_pauses(moment: str) -> None:
    begin, complete = catchup.begin, catchup.complete
    save_checkpoint = catchup.save_checkpoint
    beginning = False

    async def paused_begin(*args: Any, **kwargs: Any) -> Any:
        nonlocal beginning
        if moment == "start":
            pause(moment)
        beginning = True
        state = await begin(*args, **kwargs)
        beginning = False
        if moment == "begun":
            pause(moment)
        return state

    async def paused_complete(*args: Any, **kwargs: Any) -> None:
        if moment == "baseline_done":
            pause(moment)
        await complete(*args, **kwargs)
        if moment == "completed":
            pause(moment)

    async def paused_save_checkpoint(*args: Any, **kwargs: Any) -> None:
        await save_checkpoint(*args, **kwargs)
        if moment == "checkpointed" and not beginning:
            pause(moment)

    catchup.begin = paused_begin  # type: ignore[assignment]
    catchup.complete = paused_complete  # type: ignore[assignment]
    catchup.save_checkpoint = paused_save_checkpoint  # type: ignore[assignment]


async def main(uri: str, db_name: str, moment: str) -> None:
    install_pauses(moment)
    client: AsyncMongoClient = AsyncMongoClient(uri, uuidRepresentation="standard", tz_aware=False)
    # As ``hocba changelog-worker`` does.
    await init_beanie(database=client[db_name], document_models=ALL_DOCUMENTS)
    worker = PausingWorker(client[db_name], moment)
    print("started", flush=True)
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
