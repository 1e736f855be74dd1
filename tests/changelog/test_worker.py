"""The change-log worker: attribution, no loss, no duplicates, lease, lost history, tampering."""

from __future__ import annotations

import asyncio
import os
import random

import pytest
from bson import Decimal128

from app.changelog.verify import verify_chain
from app.context import Actor
from app.store.records import create_record, delete_record, update_record
from models.common import WriteSource
from tests.changelog.conftest import WaitFor, WorkerHandle
from tests.factories import SCHOOL_YEAR, make_student

TEACHER = Actor(id="u7", name="Ksor H'Lan", role="gvbm")
GK = f"years.{SCHOOL_YEAR}.subjects.TOAN.hk1.gk"


async def test_app_writes_are_attributed_with_readable_paths(
    mdb, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    worker.start()
    await asyncio.sleep(0.3)
    record = await create_record(
        make_student(), source=WriteSource.ADMIN, actor=TEACHER, reason="Nhập học"
    )
    await update_record(
        record.id, {GK: "8,5"}, source=WriteSource.GRID, actor=TEACHER, reason="Nhập điểm giữa kỳ"
    )
    entries = await wait_for_entries(2, collection="students")
    created, scored = entries[-2:]
    assert created["op"] == "insert"
    assert created["reason"] == "Nhập học"
    assert created["snapshot"]["code"] == record.code
    assert scored["op"] == "update"
    assert (scored["actor_id"], scored["actor_name"], scored["actor_role"]) == (
        "u7",
        "Ksor H'Lan",
        "gvbm",
    )
    assert scored["reason"] == "Nhập điểm giữa kỳ"
    assert scored["source"] == "grid"
    assert scored["version"] == 2
    assert scored["out_of_band"] is False
    change = next(d for d in scored["diff"] if d["path"] == GK)
    assert change["title"] == "Năm học 2025-2026 › Toán › Học kỳ I › Đánh giá giữa kỳ"
    assert change["old"] is None
    assert str(change["new"]) == "8.5"
    # Bookkeeping never shows as a changed field.
    assert not any(d["path"].startswith(("meta", "version", "revision_id")) for d in scored["diff"])


async def test_raw_client_write_is_flagged_out_of_band(
    mdb, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    record = await create_record(make_student(), source=WriteSource.SEED, actor=TEACHER)
    worker.start()
    await asyncio.sleep(0.3)
    await mdb["students"].update_one({"_id": record.id}, {"$set": {"profile.birth_place": "X"}})
    # Even copying a fresh-looking stamp by hand is caught: the version did not move.
    await mdb["students"].update_one(
        {"_id": record.id}, {"$set": {"meta.request_id": "forged", "profile.religion": "Y"}}
    )
    entries = await wait_for_entries(3, collection="students")
    flagged = [e for e in entries if e["out_of_band"]]
    assert len(flagged) == 2
    assert flagged[0]["actor_id"] is None
    assert "Phiên bản không tăng" in flagged[0]["out_of_band_reason"]
    assert flagged[0]["diff"][0]["path"] == "profile.birth_place"
    assert flagged[0]["diff"][0]["old"] is None
    assert flagged[0]["diff"][0]["new"] == "X"


async def test_delete_through_the_app_is_attributed_and_a_raw_delete_is_not(
    mdb, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    kept = await create_record(make_student(), source=WriteSource.SEED, actor=TEACHER)
    gone = await create_record(make_student(), source=WriteSource.SEED, actor=TEACHER)
    worker.start()
    await asyncio.sleep(0.3)
    await delete_record(gone.id, source=WriteSource.ADMIN, actor=TEACHER, reason="Nhập trùng")
    await mdb["students"].delete_one({"_id": kept.id})
    entries = await wait_for_entries(2, op="delete")
    by_key = {e["record_key"]: e for e in entries}
    assert by_key[str(gone.id)]["out_of_band"] is False
    assert by_key[str(gone.id)]["reason"] == "Nhập trùng"
    assert by_key[str(gone.id)]["snapshot"]["code"] == gone.code
    assert by_key[str(kept.id)]["out_of_band"] is True


async def test_records_existing_before_the_log_get_a_baseline(
    mdb, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    records = [
        await create_record(make_student(), source=WriteSource.SEED, actor=TEACHER)
        for _ in range(3)
    ]
    worker.start()
    entries = await wait_for_entries(3, collection="students")
    assert {e["record_key"] for e in entries} == {str(r.id) for r in records}
    assert {e["kind"] for e in entries} == {"baseline"}


async def test_no_loss_no_duplicates_across_restarts_and_crashes(
    mdb, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    rng = random.Random(5)
    records = [
        await create_record(make_student(), source=WriteSource.SEED, actor=TEACHER)
        for _ in range(20)
    ]
    worker.start()
    baseline = await wait_for_entries(20)
    assert len(baseline) == 20
    writes_per_writer, writers = 125, 8  # 1,000 changes

    async def writer(n: int) -> None:
        for i in range(writes_per_writer):
            record = records[(n * 7 + i) % len(records)]
            await update_record(
                record.id,
                {"profile.birth_place": f"W{n}-{i}"},
                source=WriteSource.API,
                actor=TEACHER,
            )

    async def chaos() -> None:
        for round_no in range(6):
            await asyncio.sleep(rng.uniform(0.1, 0.6))
            if round_no % 2:
                await worker.kill()  # crash: no lease release, maybe no checkpoint
            else:
                await worker.stop()
            await asyncio.sleep(rng.uniform(0.05, 0.3))
            worker.start()

    await asyncio.gather(*(writer(n) for n in range(writers)), chaos())
    total = 20 + writers * writes_per_writer
    entries = await wait_for_entries(total, timeout=60)
    await asyncio.sleep(0.5)  # anything beyond the expected count would be a duplicate
    entries = [e async for e in mdb["change_log"].find({}).sort("seq", 1)]
    assert len(entries) == total
    assert len({e["token"] for e in entries}) == total
    per_record: dict[str, list[int]] = {}
    for entry in entries:
        per_record.setdefault(entry["record_key"], []).append(entry["version"])
    for versions in per_record.values():
        assert versions == sorted(versions)
        assert len(versions) == len(set(versions))
        assert versions == list(range(versions[0], versions[0] + len(versions)))
    report = await verify_chain(mdb)
    assert report.ok, report.text()
    assert report.checked == total


async def test_only_one_worker_consumes_and_another_takes_over(
    mdb, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    from tests.changelog.conftest import WorkerHandle as Handle

    record = await create_record(make_student(), source=WriteSource.SEED, actor=TEACHER)
    first = worker.start(owner="first")
    await wait_for_entries(1)
    second_handle = Handle(mdb)
    second = second_handle.start(owner="second")
    try:
        await update_record(record.id, {GK: "7"}, source=WriteSource.GRID, actor=TEACHER)
        await wait_for_entries(2)
        await asyncio.sleep(0.3)
        assert first.written >= 1
        assert second.written == 0
        await worker.kill()  # the holder dies without releasing its lease
        await update_record(record.id, {GK: "8"}, source=WriteSource.GRID, actor=TEACHER)
        entries = await wait_for_entries(3, timeout=10)
        assert len(entries) == 3
        assert second.written == 1
        assert (await verify_chain(mdb)).ok
    finally:
        await second_handle.stop()


async def test_tampering_is_detected(mdb, worker: WorkerHandle, wait_for_entries: WaitFor) -> None:
    record = await create_record(make_student(), source=WriteSource.SEED, actor=TEACHER)
    worker.start()
    await wait_for_entries(1)  # the baseline: the worker now follows the stream
    for score in ("5", "6", "7", "8"):
        await update_record(record.id, {GK: score}, source=WriteSource.GRID, actor=TEACHER)
    entries = await wait_for_entries(5)
    await worker.stop()
    assert (await verify_chain(mdb)).ok
    third = entries[2]
    await mdb["change_log"].update_one(
        {"_id": third["_id"]}, {"$set": {"diff.0.new": Decimal128("10")}}
    )
    report = await verify_chain(mdb)
    assert not report.ok
    assert report.first_broken_seq == third["seq"]
    assert "bị sửa" in report.problem
    await mdb["change_log"].replace_one({"_id": third["_id"]}, third)
    assert (await verify_chain(mdb)).ok
    await mdb["change_log"].delete_one({"_id": entries[1]["_id"]})
    report = await verify_chain(mdb)
    assert not report.ok
    assert report.first_broken_seq == entries[1]["seq"]


@pytest.mark.skipif(
    bool(os.environ.get("MONGODB_URI")),
    reason="needs an embedded server with a tiny change history",
)
async def test_lost_history_raises_an_alarm_and_writes_gap_entries(beanie_db) -> None:
    from beanie import init_beanie
    from pymongo import AsyncMongoClient

    from embedded_mongo import start_in_thread
    from models import ALL_DOCUMENTS
    from tests.changelog.conftest import WorkerHandle as Handle

    server = start_in_thread(history_size=20)
    client: AsyncMongoClient = AsyncMongoClient(server.uri, uuidRepresentation="standard")
    try:
        db = client["history_lost"]
        await init_beanie(database=db, document_models=ALL_DOCUMENTS)
        record = await create_record(make_student(), source=WriteSource.SEED, actor=TEACHER)
        handle = Handle(db)
        handle.start()
        await update_record(record.id, {GK: "5"}, source=WriteSource.GRID, actor=TEACHER)
        for _ in range(100):
            if await db["change_log"].count_documents({}) >= 2:
                break
            await asyncio.sleep(0.05)
        await handle.stop()
        for score in range(1, 10):  # 9 changes, far past the 20-event history with its echoes
            await update_record(record.id, {GK: str(score)}, source=WriteSource.GRID, actor=TEACHER)
            await db["scratch"].insert_many([{"n": i} for i in range(5)])
        handle.start()
        for _ in range(200):
            if await db["change_log_alarms"].count_documents({}) >= 1:
                break
            await asyncio.sleep(0.05)
        await handle.stop()
        alarm = await db["change_log_alarms"].find_one({})
        assert alarm is not None
        assert alarm["kind"] == "history_lost"
        # Vietnamese, with the server's error name; no pymongo repr ("RawBSONDocument(…").
        assert alarm["detail"].startswith("Mất lịch sử thay đổi: máy chủ cơ sở dữ liệu")
        assert "ChangeStreamHistoryLost" in alarm["detail"]
        assert "RawBSONDocument" not in alarm["detail"]
        assert alarm["gap_entries"] == 1
        gap = await db["change_log"].find_one({"kind": "gap"})
        assert gap["record_key"] == str(record.id)
        assert gap["version"] == 11
        assert str(gap["snapshot"]["years"][SCHOOL_YEAR]["subjects"]["TOAN"]["hk1"]["gk"]) == "9"
        assert (await verify_chain(db)).ok
    finally:
        # Point the documents back at the suite's database before closing this client.
        await init_beanie(database=beanie_db, document_models=ALL_DOCUMENTS)
        await client.close()
        server.stop()
