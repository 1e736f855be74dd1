"""Backup, wipe, restore: every collection comes back byte for byte and the chain verifies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from app.backup.dump import CollectionDigest, collection_names, digest_of, write_backup
from app.backup.errors import BackupError
from app.backup.restore import check_archive, restore
from app.backup.verify import verify_backup
from app.changelog.verify import verify_chain
from app.clock import utcnow
from models.changelog import AlarmKind, ChangeLogAlarm


async def digests(db: AsyncDatabase) -> dict[str, dict[str, Any]]:
    return {n: (await digest_of(db, n)).as_dict() for n in await collection_names(db)}


async def test_backup_wipe_restore_gives_identical_collections(
    mdb: AsyncDatabase, history: list[dict[str, Any]], key: bytes, tmp_path: Path
) -> None:
    await ChangeLogAlarm(kind=AlarmKind.LOG_GAP, at=utcnow(), detail="thử").insert()
    before = await digests(mdb)
    assert before["students"]["count"] == 3
    assert before["change_log"]["count"] == len(history)
    assert before["change_log_checkpoints"]["count"] >= 1
    assert before["change_log_alarms"]["count"] == 1

    result = await write_backup(mdb.client, mdb.name, tmp_path / "b.hbk", key)
    assert result.manifest["collections"] == before
    assert not (tmp_path / "b.hbk.partial").exists()
    assert b"Hoa" not in (tmp_path / "b.hbk").read_bytes()  # encrypted, not just compressed

    for name in before:
        await mdb[name].delete_many({})
    assert (await digests(mdb))["students"]["count"] == 0

    outcome = await restore(mdb, tmp_path / "b.hbk", key, apply=True, force=False)
    assert not outcome.refused
    assert outcome.applied
    assert outcome.differ == []
    assert await digests(mdb) == before
    chain = await verify_chain(mdb)
    assert chain.ok
    assert chain.checked == len(history)


async def test_restore_is_a_dry_run_by_default_and_refuses_a_non_empty_target(
    mdb: AsyncDatabase, history: list[dict[str, Any]], key: bytes, tmp_path: Path
) -> None:
    await write_backup(mdb.client, mdb.name, tmp_path / "b.hbk", key)
    await mdb["students"].delete_many({})
    refused = await restore(mdb, tmp_path / "b.hbk", key, apply=True, force=False)
    assert refused.refused
    assert not refused.applied
    assert any("từ chối khôi phục" in line for line in refused.lines)
    assert await mdb["students"].count_documents({}) == 0

    dry = await restore(mdb, tmp_path / "b.hbk", key, apply=False, force=True)
    assert not dry.applied
    assert any("Chạy thử" in line for line in dry.lines)
    assert any("students: khôi phục 3" in line for line in dry.lines)
    assert await mdb["students"].count_documents({}) == 0

    forced = await restore(mdb, tmp_path / "b.hbk", key, apply=True, force=True)
    assert forced.applied
    assert forced.differ == []
    assert await mdb["students"].count_documents({}) == 3


async def test_verify_restores_into_a_scratch_database_and_checks_the_chain(
    mdb: AsyncDatabase, history: list[dict[str, Any]], key: bytes, tmp_path: Path
) -> None:
    result = await write_backup(mdb.client, mdb.name, tmp_path / "b.hbk", key)
    outcome = await verify_backup(result.path, key)
    total = len(result.manifest["collections"])
    assert outcome.ok, outcome.lines
    assert outcome.identical == outcome.total == total
    assert outcome.chain is not None
    assert outcome.chain.checked == len(history)


async def test_verify_fails_on_a_backup_whose_log_was_already_broken(
    mdb: AsyncDatabase, history: list[dict[str, Any]], key: bytes, tmp_path: Path
) -> None:
    await mdb["change_log"].update_one({"_id": history[1]["_id"]}, {"$set": {"reason": "sửa"}})
    result = await write_backup(mdb.client, mdb.name, tmp_path / "b.hbk", key)
    outcome = await verify_backup(result.path, key)
    assert not outcome.ok
    assert outcome.identical == outcome.total  # the copy is faithful: the log was broken before
    assert any("bị phá vỡ" in line for line in outcome.lines)


async def test_a_manifest_that_disagrees_with_the_content_is_refused(
    mdb: AsyncDatabase,
    history: list[dict[str, Any]],
    key: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The manifest is inside the authenticated archive, so only the key's holder could forge
    one; check_archive still refuses contents whose hashes do not match it."""
    original = CollectionDigest.as_dict

    def wrong(self: CollectionDigest) -> dict[str, Any]:
        return {**original(self), "count": self.count + 1}

    monkeypatch.setattr(CollectionDigest, "as_dict", wrong)
    await write_backup(mdb.client, mdb.name, tmp_path / "b.hbk", key)
    monkeypatch.undo()
    with pytest.raises(BackupError, match="không khớp mã băm"):
        check_archive(tmp_path / "b.hbk", key)
