"""`hocba changelog verify` checks the chain from the command line and fails when broken."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from app.context import Actor
from app.store.records import create_record, update_record
from models.common import WriteSource
from tests.changelog.conftest import WaitFor, WorkerHandle
from tests.factories import SCHOOL_YEAR, make_student

ACTOR = Actor(id="u1", name="Giáo viên", role="gvbm")


async def _verify(mongo_uri: str, db_name: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ENV": "test",
        "SECRET_KEY": "k" * 40,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
    }
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "app.cli", "changelog", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_verify_command_reports_a_broken_link(
    mdb, mongo_uri: str, db_name: str, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    record = await create_record(make_student(), source=WriteSource.SEED, actor=ACTOR)
    worker.start()
    await wait_for_entries(1)
    for score in ("6", "7", "8"):
        await update_record(
            record.id,
            {f"years.{SCHOOL_YEAR}.subjects.TOAN.hk1.gk": score},
            source=WriteSource.GRID,
            actor=ACTOR,
        )
    entries = await wait_for_entries(4)
    await worker.stop()
    ok = await _verify(mongo_uri, db_name)
    assert ok.returncode == 0, ok.stderr
    assert "nguyên vẹn: 4 mục" in ok.stdout
    await mdb["change_log"].update_one({"_id": entries[2]["_id"]}, {"$set": {"reason": "sửa lén"}})
    broken = await _verify(mongo_uri, db_name)
    assert broken.returncode == 1
    assert f"mục số {entries[2]['seq']}" in broken.stdout
