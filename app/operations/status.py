"""The operations page's facts, gathered in one place: the log worker, alarms, backups, the
database's health and account-sharing signals. Read-only."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from beanie import SortDirection
from pymongo.errors import PyMongoError

from app.backup.runs import last_verified, latest_runs
from app.changelog.catchup import CHECKPOINT_ID
from app.changelog.lease import LEASE_ID
from app.clock import utcnow
from app.store.activity import newest_stamp
from app.store.collections import database
from models.auth import AuthEvent, AuthEventKind
from models.changelog import ChangeLogAlarm, ChangeLogEntry, WorkerState
from models.operations import BackupRun


@dataclass
class WorkerStatus:
    running: bool
    holder: str | None
    host: str | None
    lease_until: datetime | None
    checkpoint_at: datetime | None
    last_seq: int
    last_entry_at: datetime | None
    newest_write_at: datetime | None
    lag_seconds: float | None  # None: nothing written yet; 0: the log has every app write


@dataclass
class DatabaseHealth:
    reachable: bool
    replica_set: str | None = None
    writable_primary: bool = False
    ping_ms: float | None = None
    version: str = ""
    data_mb: float | None = None
    error: str = ""


@dataclass
class OpsStatus:
    worker: WorkerStatus
    database: DatabaseHealth
    open_alarms: int
    alarms: list[ChangeLogAlarm] = field(default_factory=list)
    backups: list[BackupRun] = field(default_factory=list)
    last_verified: BackupRun | None = None
    sharing: list[AuthEvent] = field(default_factory=list)

    @property
    def last_backup(self) -> BackupRun | None:
        return next((run for run in self.backups if run.ok), None)

    @property
    def last_failure(self) -> BackupRun | None:
        latest = self.backups[0] if self.backups else None
        return latest if latest is not None and not latest.ok else None


async def worker_status(now: datetime) -> WorkerStatus:
    state = WorkerState.get_pymongo_collection()
    lease = await state.find_one({"_id": LEASE_ID}) or {}
    checkpoint = await state.find_one({"_id": CHECKPOINT_ID}) or {}
    last = await ChangeLogEntry.find_all().sort([("seq", SortDirection.DESCENDING)]).first_or_none()
    newest = await newest_stamp()
    lag: float | None = None
    if newest is not None:
        behind = last is None or newest > last.at
        lag = (now - newest).total_seconds() if behind else 0.0
    until = lease.get("lease_until")
    return WorkerStatus(
        running=until is not None and until > now,
        holder=lease.get("owner"),
        host=lease.get("host"),
        lease_until=until,
        checkpoint_at=checkpoint.get("updated_at"),
        last_seq=last.seq if last else 0,
        last_entry_at=last.at if last else None,
        newest_write_at=newest,
        lag_seconds=lag,
    )


async def database_health() -> DatabaseHealth:
    db = database()
    try:
        started = time.perf_counter()
        hello: dict[str, Any] = await db.client.admin.command("hello")
        ping_ms = (time.perf_counter() - started) * 1000
        info: dict[str, Any] = await db.client.admin.command("buildInfo")
    except PyMongoError as exc:
        return DatabaseHealth(reachable=False, error=type(exc).__name__)
    health = DatabaseHealth(
        reachable=True,
        replica_set=hello.get("setName"),
        writable_primary=bool(hello.get("isWritablePrimary")),
        ping_ms=round(ping_ms, 1),
        version=str(info.get("version", "")),
    )
    try:
        stats = await db.command("dbStats")
        health.data_mb = round(float(stats.get("dataSize", 0)) / 1e6, 1)
    except PyMongoError:
        health.data_mb = None  # the embedded server keeps no such statistics
    return health


async def gather(now: datetime | None = None) -> OpsStatus:
    now = now or utcnow()
    alarms = ChangeLogAlarm.find_all().sort([("at", SortDirection.DESCENDING)])
    sharing = AuthEvent.find(AuthEvent.kind == AuthEventKind.CONCURRENT_SESSION).sort(
        [("at", SortDirection.DESCENDING)]
    )
    return OpsStatus(
        worker=await worker_status(now),
        database=await database_health(),
        open_alarms=await ChangeLogAlarm.find(
            ChangeLogAlarm.acknowledged_at == None  # noqa: E711
        ).count(),
        alarms=await alarms.limit(10).to_list(),
        backups=await latest_runs(10),
        last_verified=await last_verified(),
        sharing=await sharing.limit(20).to_list(),
    )
