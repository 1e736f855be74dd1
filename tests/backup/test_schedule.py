"""The schedule: what is due when, how many files each kind keeps, and the weekly check."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from app.backup import schedule
from app.backup.schedule import backups, due, file_name, prune, tick
from app.clock import local, utcnow
from app.config import Settings
from models.changelog import AlarmKind, ChangeLogAlarm
from models.operations import BackupKind, BackupRun

# 2026-11-29 is a Sunday (weekday 6). 18:30 UTC is 01:30 the next day in Vietnam (UTC+7).
SUNDAY_0200_VN = datetime(2026, 11, 28, 19, 0)


def touch(directory: Path, kind: BackupKind, at: datetime) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / file_name(kind, at)
    path.write_bytes(b"x")
    return path


def test_retention_keeps_the_newest_of_each_kind_and_never_manual_ones(tmp_path: Path) -> None:
    start = datetime(2026, 1, 1, 18, 30)
    daily = [touch(tmp_path, BackupKind.DAILY, start + timedelta(days=i)) for i in range(12)]
    weekly = [touch(tmp_path, BackupKind.WEEKLY, start + timedelta(weeks=i)) for i in range(8)]
    manual = touch(tmp_path, BackupKind.MANUAL, start)
    (tmp_path / "notes.txt").write_text("kept")

    removed = prune(tmp_path, BackupKind.DAILY, 7) + prune(tmp_path, BackupKind.WEEKLY, 5)

    assert sorted(removed) == sorted(daily[:5] + weekly[:3])
    assert [p for _, p in backups(tmp_path, BackupKind.DAILY)] == daily[5:]
    assert [p for _, p in backups(tmp_path, BackupKind.WEEKLY)] == weekly[3:]
    assert manual.exists()
    assert (tmp_path / "notes.txt").exists()


def test_a_backup_is_due_once_a_day_after_the_hour_and_weekly_on_its_day(tmp_path: Path) -> None:
    options: dict[str, Any] = {"daily_at": "01:30", "weekly_day": 6}
    before = datetime(2026, 11, 28, 18, 0)  # 01:00 Sunday in Vietnam
    assert not due(tmp_path, before, **options).daily
    now = SUNDAY_0200_VN
    assert due(tmp_path, now, **options).daily
    assert due(tmp_path, now, **options).weekly
    touch(tmp_path, BackupKind.DAILY, now)
    touch(tmp_path, BackupKind.WEEKLY, now)
    later = now + timedelta(hours=20)  # 22:00 the same Vietnam day
    assert not due(tmp_path, later, **options).daily
    assert not due(tmp_path, later, **options).weekly
    monday = now + timedelta(days=1)
    assert due(tmp_path, monday, **options).daily
    assert not due(tmp_path, monday, **options).weekly


async def test_the_weekly_run_backs_up_verifies_and_records(
    mdb: AsyncDatabase, history: list[dict[str, Any]], settings: Settings, key: bytes
) -> None:
    todo = await tick(mdb.client, settings, key, SUNDAY_0200_VN)
    assert todo.daily
    assert todo.weekly
    assert len(backups(settings.backup_dir, BackupKind.DAILY)) == 1
    assert len(backups(settings.backup_dir, BackupKind.WEEKLY)) == 1
    runs = {r.kind: r for r in await BackupRun.find_all().to_list()}
    assert set(runs) == {BackupKind.DAILY, BackupKind.WEEKLY}
    daily, weekly = runs[BackupKind.DAILY], runs[BackupKind.WEEKLY]
    assert daily.ok
    assert daily.documents > 0
    assert daily.dir_bytes > 0
    assert weekly.verify_ok is True
    assert weekly.verified_at is not None
    assert await ChangeLogAlarm.find_all().count() == 0
    again = await tick(mdb.client, settings, key, SUNDAY_0200_VN + timedelta(minutes=5))
    assert not again.daily
    assert not again.weekly
    assert await BackupRun.find_all().count() == 2


async def test_a_failed_weekly_check_raises_an_alarm(
    mdb: AsyncDatabase, history: list[dict[str, Any]], settings: Settings, key: bytes
) -> None:
    # Yesterday's daily backup was damaged on disk, and today's backup cannot be written.
    saturday = SUNDAY_0200_VN - timedelta(days=1)
    await tick(mdb.client, settings, key, saturday)
    [(_, damaged)] = backups(settings.backup_dir, BackupKind.DAILY)
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    broken = settings.model_copy(update={"mongodb_db": "no/such db"})
    await tick(mdb.client, broken, key, SUNDAY_0200_VN)
    kinds = {a.kind for a in await ChangeLogAlarm.find_all().to_list()}
    assert kinds == {AlarmKind.BACKUP_FAILED, AlarmKind.BACKUP_VERIFY_FAILED}
    damaged_run = await BackupRun.find_one({"file_name": damaged.name})
    assert damaged_run is not None
    assert damaged_run.verify_ok is False
    assert "từ chối" in damaged_run.verify_detail


async def test_two_schedulers_take_one_backup_between_them(
    mdb: AsyncDatabase,
    history: list[dict[str, Any]],
    settings: Settings,
    key: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(schedule, "TICK_SECONDS", 0.05)
    today = local(utcnow()).weekday()
    settings = settings.model_copy(
        update={"backup_daily_at": "00:00", "backup_weekly_day": (today + 3) % 7}
    )
    stop = asyncio.Event()
    runners = [
        asyncio.create_task(schedule.run_schedule(mdb.client, settings, key, stop))
        for _ in range(2)
    ]
    for _ in range(200):
        if backups(settings.backup_dir, BackupKind.DAILY):
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # several more ticks of both
    stop.set()
    await asyncio.wait_for(asyncio.gather(*runners), timeout=10)
    assert len(backups(settings.backup_dir, BackupKind.DAILY)) == 1
    assert backups(settings.backup_dir, BackupKind.WEEKLY) == []
    assert await BackupRun.find_all().count() == 1
