"""The backup schedule: a daily backup, a weekly one kept longer, and a weekly check that the
newest backup restores, each kind pruned to its own count.

``hocba backup schedule`` runs :func:`run_schedule` (compose's ``backup`` service). A lease in
the database lets one scheduler act at a time. What is due is decided from the files in the
backup directory, so a restart neither repeats nor skips a backup. File names carry the UTC
time: ``hocba-daily-20261201T183000Z.hbk``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from app.changelog.lease import Lease
from app.clock import local, utcnow
from app.config import Settings
from models.changelog import AlarmKind
from models.operations import BackupKind, BackupRun

from .dump import write_backup
from .errors import BackupError
from .runs import SUFFIX, raise_alarm, record_backup, record_failure, record_verification
from .verify import verify_backup

log = logging.getLogger(__name__)
NAME = re.compile(r"^hocba-(?P<kind>daily|weekly|manual)-(?P<at>\d{8}T\d{6})Z\.hbk$")
STATE_COLLECTION = "backup_state"
TICK_SECONDS = 60.0


def file_name(kind: BackupKind, at: datetime) -> str:
    return f"hocba-{kind.value}-{at.strftime('%Y%m%dT%H%M%S')}Z{SUFFIX}"


def backups(directory: Path, kind: BackupKind) -> list[tuple[datetime, Path]]:
    """The kind's backup files, oldest first, with their UTC time."""
    found = []
    if directory.is_dir():
        for path in directory.iterdir():
            match = NAME.match(path.name)
            if match and match["kind"] == kind.value and path.is_file():
                found.append((datetime.strptime(match["at"], "%Y%m%dT%H%M%S"), path))
    return sorted(found)


def prune(directory: Path, kind: BackupKind, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` files of the kind; returns what was deleted."""
    doomed = [path for _, path in backups(directory, kind)[:-keep]] if keep > 0 else []
    for path in doomed:
        path.unlink()
    return doomed


@dataclass(frozen=True)
class Due:
    daily: bool
    weekly: bool


def due(directory: Path, now: datetime, *, daily_at: str, weekly_day: int) -> Due:
    """What is due at ``now`` (naive UTC): a daily backup once per Vietnam calendar day after
    ``daily_at``; a weekly one on ``weekly_day`` after the same hour."""
    here = local(now)
    hour, minute = (int(p) for p in daily_at.split(":"))
    if here.time().replace(tzinfo=None) < time(hour, minute):
        return Due(False, False)
    today = here.date()

    def done(kind: BackupKind) -> bool:
        return any(local(at).date() == today for at, _ in backups(directory, kind))

    return Due(
        daily=not done(BackupKind.DAILY),
        weekly=here.weekday() == weekly_day and not done(BackupKind.WEEKLY),
    )


async def take_backup(
    client: AsyncMongoClient, settings: Settings, key: bytes, kind: BackupKind, at: datetime
) -> BackupRun | None:
    """One backup into the backup directory, recorded; a failure raises an alarm."""
    path = settings.backup_dir / file_name(kind, at)
    try:
        result = await write_backup(client, settings.mongodb_db, path, key)
    except Exception as exc:  # any failure must reach the board, not only the log
        log.exception("backup failed")
        await record_failure(path.name, kind, f"{type(exc).__name__}: {exc}")
        return None
    return await record_backup(result, kind)


async def check_newest(settings: Settings, key: bytes) -> bool:
    """Verify the newest backup file; an alarm when it does not verify."""
    newest = max(
        (item for kind in BackupKind for item in backups(settings.backup_dir, kind)),
        default=None,
    )
    if newest is None:
        await raise_alarm(AlarmKind.BACKUP_VERIFY_FAILED, "Không có tệp sao lưu nào để kiểm tra")
        return False
    path = newest[1]
    try:
        outcome = await verify_backup(path, key)
    except BackupError as exc:
        await record_verification(path.name, None, exc.message)
        await raise_alarm(AlarmKind.BACKUP_VERIFY_FAILED, f"{path.name}: {exc.message}")
        return False
    await record_verification(path.name, outcome, "")
    if not outcome.ok:
        await raise_alarm(AlarmKind.BACKUP_VERIFY_FAILED, f"{path.name}: {' '.join(outcome.lines)}")
    return outcome.ok


async def tick(client: AsyncMongoClient, settings: Settings, key: bytes, now: datetime) -> Due:
    """Do what is due at ``now``: back up, copy the weekly one, prune, verify weekly."""
    todo = due(
        settings.backup_dir,
        now,
        daily_at=settings.backup_daily_at,
        weekly_day=settings.backup_weekly_day,
    )
    daily = None
    if todo.daily or todo.weekly:
        daily = await take_backup(client, settings, key, BackupKind.DAILY, now)
    if todo.weekly and daily is not None:
        # The weekly backup is the day's backup kept longer: a copy, not a second read.
        weekly = daily.model_copy(
            update={
                "id": None,
                "kind": BackupKind.WEEKLY,
                "file_name": file_name(BackupKind.WEEKLY, now),
            }
        )
        source = settings.backup_dir / daily.file_name
        await asyncio.to_thread(shutil.copy2, source, settings.backup_dir / weekly.file_name)
        await weekly.insert()
    prune(settings.backup_dir, BackupKind.DAILY, settings.backup_keep_daily)
    prune(settings.backup_dir, BackupKind.WEEKLY, settings.backup_keep_weekly)
    if todo.weekly:
        await check_newest(settings, key)
    return todo


async def run_schedule(
    client: AsyncMongoClient, settings: Settings, key: bytes, stop: asyncio.Event
) -> None:
    """Until ``stop`` is set: every minute, if this process holds the lease, do what is due."""
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    lease = Lease(client[settings.mongodb_db][STATE_COLLECTION], owner, seconds=3 * TICK_SECONDS)
    try:
        while not stop.is_set():
            try:
                if await lease.acquire():
                    await tick(client, settings, key, utcnow())
            except PyMongoError:  # the database is away: try again at the next tick
                log.exception("backup schedule: database unavailable")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=TICK_SECONDS)
    finally:
        if lease.held:
            await lease.release()
