"""What the operations page shows about backups: one :class:`BackupRun` per file written,
updated when the file is verified; alarms when a scheduled backup or check fails."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from beanie import SortDirection

from app.clock import utcnow
from models.changelog import AlarmKind, ChangeLogAlarm
from models.operations import BackupKind, BackupRun

from .dump import BackupResult

if TYPE_CHECKING:  # the web app reads runs without loading the trial-restore machinery
    from .verify import VerifyOutcome

SUFFIX = ".hbk"


def dir_usage(directory: Path) -> tuple[int, int | None]:
    """Bytes used by the backup files in ``directory``, and bytes free on its disk."""
    if not directory.is_dir():
        return 0, None
    used = sum(p.stat().st_size for p in directory.glob(f"*{SUFFIX}") if p.is_file())
    return used, shutil.disk_usage(directory).free


async def record_backup(result: BackupResult, kind: BackupKind) -> BackupRun:
    used, free = dir_usage(result.path.parent)
    run = BackupRun(
        file_name=result.path.name,
        kind=kind,
        at=utcnow(),
        size_bytes=result.size_bytes,
        seconds=round(result.seconds, 2),
        documents=result.documents,
        collections=len(result.manifest["collections"]),
        consistency=result.manifest["consistency"],
        dir_bytes=used,
        disk_free_bytes=free,
    )
    await run.insert()
    return run


async def record_failure(file_name: str, kind: BackupKind, error: str) -> None:
    await BackupRun(file_name=file_name, kind=kind, at=utcnow(), ok=False, error=error).insert()
    await raise_alarm(AlarmKind.BACKUP_FAILED, f"{file_name}: {error}")


async def record_verification(file_name: str, outcome: VerifyOutcome | None, error: str) -> None:
    """Mark the run that wrote ``file_name`` (if this database knows it) as checked."""
    ok = outcome is not None and outcome.ok
    detail = error or " ".join(outcome.lines if outcome else [])
    await BackupRun.get_pymongo_collection().update_many(
        {"file_name": file_name},
        {"$set": {"verified_at": utcnow(), "verify_ok": ok, "verify_detail": detail}},
    )


async def raise_alarm(kind: AlarmKind, detail: str) -> None:
    await ChangeLogAlarm(kind=kind, at=utcnow(), detail=detail).insert()


async def latest_runs(limit: int = 10) -> list[BackupRun]:
    newest = BackupRun.find_all().sort([("at", SortDirection.DESCENDING)])
    return await newest.limit(limit).to_list()


async def last_verified() -> BackupRun | None:
    return (
        await BackupRun.find({"verified_at": {"$ne": None}})
        .sort([("verified_at", SortDirection.DESCENDING)])
        .first_or_none()
    )
