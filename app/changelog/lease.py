"""The lease that lets exactly one change-log worker consume at a time.

The holder renews it every third of ``seconds``; another process takes over when it runs out.
The lease also says where its holder runs (host, process id, and the kernel's boot id with the
process-id namespace), so a worker restarted on the same machine after a crash sees that the
holder's process no longer exists and takes over at once instead of waiting for the lease to run
out. When any of that cannot be established (another machine or container, no ``/proc``), it
waits: a live holder is never displaced early.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from pathlib import Path

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from app.clock import utcnow
from models.changelog import WorkerState

LEASE_ID = "lease"


def _pid_namespace() -> str | None:
    """This process's pid namespace on this boot of this kernel, or None when unknown."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        return f"{boot}:{os.readlink('/proc/self/ns/pid')}"
    except OSError:
        return None


def process_gone(pid: int) -> bool:
    """True only when no process (other than a zombie) has this id here."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state in ("Z", "X")


class Lease:
    def __init__(self, state: AsyncCollection, owner: str, seconds: float) -> None:
        self.state = state
        self.owner = owner
        self.seconds = seconds
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.pid_namespace = _pid_namespace()
        self.until: datetime | None = None

    @property
    def held(self) -> bool:
        return self.until is not None

    async def _current(self) -> WorkerState | None:
        raw = await self.state.find_one({"_id": LEASE_ID})
        return WorkerState.model_validate(raw) if raw else None

    def _holder_dead(self, lease: WorkerState) -> bool:
        return (
            lease.owner != self.owner
            and self.pid_namespace is not None
            and lease.pid_namespace == self.pid_namespace
            and lease.host == self.host
            and lease.pid is not None
            and lease.pid != self.pid
            and process_gone(lease.pid)
        )

    async def acquire(self) -> bool:
        now = utcnow()
        free: list[dict] = [
            {"owner": self.owner},
            {"lease_until": {"$lt": now}},
            {"lease_until": None},
        ]
        current = await self._current()
        if current is not None and self._holder_dead(current):
            # Conditional on the same dead holder: two restarted workers cannot both win.
            free.append({"owner": current.owner, "pid": current.pid})
        until = now + timedelta(seconds=self.seconds)
        try:
            await self.state.update_one(
                {"_id": LEASE_ID, "$or": free},
                {
                    "$set": {
                        "owner": self.owner,
                        "lease_until": until,
                        "host": self.host,
                        "pid": self.pid,
                        "pid_namespace": self.pid_namespace,
                    }
                },
                upsert=True,
            )
        except DuplicateKeyError:
            self.until = None
            return False  # someone else holds a live lease
        self.until = until
        return True

    async def wait_hint(self) -> float:
        """How long to wait before trying again: until the holder's lease runs out, at most a
        third of a lease."""
        current = await self._current()
        if current is None or current.lease_until is None:
            return 0.05
        left = (current.lease_until - utcnow()).total_seconds()
        return min(max(left + 0.05, 0.05), self.seconds / 3)

    async def renew_if_due(self) -> bool:
        if self.until is None:
            return False
        if self.until - utcnow() > timedelta(seconds=self.seconds * 2 / 3):
            return True
        return await self.acquire()

    async def release(self) -> None:
        await self.state.update_one(
            {"_id": LEASE_ID, "owner": self.owner}, {"$set": {"lease_until": utcnow()}}
        )
        self.until = None
