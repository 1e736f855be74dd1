"""``hocba backup verify``: prove a backup can be read and restored.

Decrypts the whole file and checks every collection's hash against the manifest, restores it
into a scratch database, compares every collection with the manifest, and verifies the change
log's hash chain in the restored copy. The scratch database is a fresh in-memory embedded
server by default (it needs no rights on the production server); ``scratch_uri`` names a
MongoDB to use instead, where a throw-away database is created and dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from app.changelog.verify import VerifyReport, verify_chain

from .errors import BackupError
from .restore import check_archive, compare, write_collections


@dataclass
class VerifyOutcome:
    ok: bool
    lines: list[str] = field(default_factory=list)
    identical: int = 0
    total: int = 0
    chain: VerifyReport | None = None
    seconds: float = 0.0


@asynccontextmanager
async def embedded_process() -> AsyncIterator[str]:
    """A fresh in-memory embedded server in its own process (the trial restore then does not
    share this process's interpreter lock with the decryption); its URI."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "embedded_mongo",
        "--port",
        "0",
        "--history-size",
        "1000",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), timeout=60)).decode()
        if not line.startswith("listening:"):
            raise BackupError("Không khởi động được cơ sở dữ liệu tạm để khôi phục thử.")
        yield line.split(" ", 1)[1].strip()
    finally:
        if proc.returncode is None:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), timeout=30)


@asynccontextmanager
async def scratch_database(scratch_uri: str | None) -> AsyncIterator[AsyncDatabase]:
    async with contextlib.AsyncExitStack() as stack:
        uri = scratch_uri or await stack.enter_async_context(embedded_process())
        client: AsyncMongoClient = AsyncMongoClient(uri, uuidRepresentation="standard")
        name = f"hocba_verify_{secrets.token_hex(4)}"
        try:
            yield client[name]
        finally:
            try:
                await client.drop_database(name)
            finally:
                await client.close()


async def verify_backup(path: Path, key: bytes, *, scratch_uri: str | None = None) -> VerifyOutcome:
    """Raises :class:`BackupError` (wrong key, damaged or tampered file) before any restore."""
    started = time.perf_counter()
    contents = await asyncio.to_thread(check_archive, path, key)
    manifest = contents.manifest
    outcome = VerifyOutcome(ok=False, total=len(contents.collections))
    outcome.lines.append(
        f"Giải mã được, mã băm khớp bản kê: {outcome.total} bảng, {contents.documents} bản ghi "
        f"(sao lưu lúc {manifest['created_at']}, phiên bản {manifest['app_version']})."
    )
    async with scratch_database(scratch_uri) as db:
        try:
            await write_collections(db, path, key, contents)
        except BackupError as exc:
            outcome.lines.append(f"Khôi phục thử thất bại: {exc.message}")
            return outcome
        differ = await compare(db, contents)
        outcome.identical = outcome.total - len(differ)
        outcome.lines.append(
            f"Khôi phục thử: {outcome.identical}/{outcome.total} bảng giống hệt bản sao lưu."
            + (f" Khác: {', '.join(differ)}." if differ else "")
        )
        outcome.chain = await verify_chain(db)
        outcome.lines.append(outcome.chain.text())
    outcome.ok = not differ and outcome.chain.ok
    outcome.seconds = time.perf_counter() - started
    return outcome
