"""Completeness: ``verify`` proves no change is missing, and the worker admits the gaps it finds."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta

from app.changelog.completeness import RecordState, record_problems
from app.changelog.lease import Lease
from app.changelog.verify import verify_chain, verify_log
from app.clock import utcnow
from app.context import Actor
from app.store.records import create_record, update_record
from models.common import WriteSource
from tests.changelog.conftest import WaitFor, WorkerHandle
from tests.changelog.test_verify_cli import _verify
from tests.factories import SCHOOL_YEAR, make_student

TEACHER = Actor(id="u3", name="H'Hen Niê", role="gvbm")
GK = f"years.{SCHOOL_YEAR}.subjects.TOAN.hk1.gk"


def entry(version: int | None, *, op: str = "update", kind: str = "change", oob: bool = False):
    return {"version": version, "op": op, "kind": kind, "out_of_band": oob}


def test_per_record_rules() -> None:
    base = entry(1, op="snapshot", kind="baseline")
    here = RecordState(True, 3)
    assert record_problems([base, entry(2), entry(3)], here) == ([], 0)
    # Out-of-band changes may keep the version; a repeat by the app may not.
    assert record_problems([base, entry(2), entry(2, oob=True), entry(3)], here) == ([], 0)
    assert record_problems([base, entry(2), entry(2), entry(3)], here)[0] == [
        "phiên bản 2 được ghi hai lần"
    ]
    assert record_problems([base, entry(3)], here)[0] == ["thiếu phiên bản 2"]
    assert record_problems([base, entry(2)], RecordState(True, 5))[0] == ["thiếu phiên bản 3–5"]
    assert record_problems([entry(2), entry(3)], here)[0] == [
        "thiếu trạng thái ban đầu (trước phiên bản 2)"
    ]
    assert record_problems([], here)[0] == ["không có mục nào (bản ghi đang ở phiên bản 3)"]
    assert record_problems([base], RecordState(False))[0] == [
        "bản ghi đã bị xóa mà nhật ký không ghi"
    ]
    # A gap entry admits what came before it.
    gap = entry(3, op="snapshot", kind="gap")
    assert record_problems([base, gap], here) == ([], 1)
    created = entry(1, op="insert")
    deleted = entry(1, op="delete")
    assert record_problems([created, deleted], RecordState(False)) == ([], 0)


async def test_verify_fails_when_a_record_has_a_change_without_entry(
    mdb, mongo_uri: str, db_name: str, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    record = await create_record(make_student(), source=WriteSource.SEED, actor=TEACHER)
    other = await create_record(make_student(), source=WriteSource.SEED, actor=TEACHER)
    worker.start()
    await wait_for_entries(2)
    await update_record(record.id, {GK: "6"}, source=WriteSource.GRID, actor=TEACHER)
    await wait_for_entries(3)
    await worker.stop()
    assert (await verify_log(mdb, grace=0)).ok
    # No worker runs: a write through the app and a raw deletion get no entry.
    await update_record(record.id, {GK: "7"}, source=WriteSource.GRID, actor=TEACHER)
    await mdb["students"].delete_one({"_id": other.id})
    report = await verify_log(mdb, grace=0)
    assert report.chain.ok  # nothing in the log was touched: only completeness can tell
    assert not report.ok
    texts = {gap.record_key: gap.text() for gap in report.completeness.gaps}
    assert "thiếu phiên bản 3" in texts[str(record.id)]
    assert record.code in texts[str(record.id)]
    assert "đã bị xóa mà nhật ký không ghi" in texts[str(other.id)]
    result = await _verify(mongo_uri, db_name)
    assert result.returncode == 1
    assert f"({record.id}): thiếu phiên bản 3" in result.stdout


async def test_verify_fails_when_the_last_entry_of_the_log_is_deleted(
    mdb, mongo_uri: str, db_name: str, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    record = await create_record(make_student(), source=WriteSource.SEED, actor=TEACHER)
    worker.start()
    await wait_for_entries(1)
    for score in ("5", "6", "7"):
        await update_record(record.id, {GK: score}, source=WriteSource.GRID, actor=TEACHER)
    entries = await wait_for_entries(4)
    await worker.stop()
    result = await _verify(mongo_uri, db_name)
    assert result.returncode == 0, result.stdout
    assert "Nhật ký đầy đủ: 1 bản ghi" in result.stdout
    # Deleting the newest entry leaves a chain that is intact as far as it goes.
    await mdb["change_log"].delete_one({"_id": entries[-1]["_id"]})
    assert (await verify_chain(mdb)).ok
    result = await _verify(mongo_uri, db_name)
    assert result.returncode == 1
    assert "thiếu phiên bản 4" in result.stdout
    # Deleting one in the middle breaks the chain, and completeness names the version.
    await mdb["change_log"].delete_one({"_id": entries[1]["_id"]})
    report = await verify_log(mdb, grace=0)
    assert not report.chain.ok
    assert report.completeness.gaps[0].problems == ["thiếu phiên bản 2", "thiếu phiên bản 4"]


async def test_a_gap_found_after_a_restart_raises_an_alarm_and_gets_a_gap_entry(
    mdb, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    record = await create_record(make_student(), source=WriteSource.SEED, actor=TEACHER)
    worker.start()
    await wait_for_entries(1)
    await worker.stop()
    # The state an older worker left after a crash in its first start: no resume point, so
    # the changes made while it was down are never delivered.
    await mdb["change_log_checkpoints"].delete_many({"_id": {"$in": ["stream", "catch_up"]}})
    await update_record(record.id, {GK: "9"}, source=WriteSource.GRID, actor=TEACHER)
    unseen = await create_record(make_student(), source=WriteSource.SEED, actor=TEACHER)
    worker.start()
    for _ in range(200):
        if await mdb["change_log_alarms"].count_documents({}):
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)
    await worker.stop()
    alarm = await mdb["change_log_alarms"].find_one({})
    assert alarm["kind"] == "log_gap"
    assert alarm["gap_entries"] == 2
    assert record.code in alarm["detail"]
    assert "thiếu phiên bản 2" in alarm["detail"]
    gaps = {e["record_key"]: e async for e in mdb["change_log"].find({"kind": "gap"})}
    assert set(gaps) == {str(record.id), str(unseen.id)}
    assert gaps[str(record.id)]["version"] == 2
    assert "Nhật ký thiếu thay đổi: thiếu phiên bản 2" in gaps[str(record.id)]["reason"]
    assert (
        str(gaps[str(record.id)]["snapshot"]["years"][SCHOOL_YEAR]["subjects"]["TOAN"]["hk1"]["gk"])
        == "9"
    )
    report = await verify_log(mdb, grace=0)
    assert report.ok, report.lines()
    assert report.completeness.acknowledged == 2


async def test_a_restarted_worker_takes_over_from_a_dead_holder_at_once(mdb) -> None:
    state = mdb["change_log_checkpoints"]
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(gone.stdout)
    mine = Lease(state, "restarted", 10)
    until = utcnow() + timedelta(seconds=10)
    holder = {"_id": "lease", "owner": "crashed", "lease_until": until, "host": mine.host}

    await state.replace_one(
        {"_id": "lease"},
        {**holder, "pid": os.getppid(), "pid_namespace": mine.pid_namespace},
        upsert=True,
    )
    assert not await mine.acquire()  # its holder still runs
    await state.replace_one(
        {"_id": "lease"}, {**holder, "pid": dead_pid, "pid_namespace": "elsewhere"}
    )
    assert not await mine.acquire()  # another container: it cannot tell
    await state.replace_one(
        {"_id": "lease"}, {**holder, "pid": dead_pid, "pid_namespace": mine.pid_namespace}
    )
    assert await mine.acquire() is (mine.pid_namespace is not None)
