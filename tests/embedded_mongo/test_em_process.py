"""The server in-process and as ``python -m embedded_mongo``: persistence, restarts, durability."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from em_support import embedded_only, next_change
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """``python -m embedded_mongo`` in a subprocess, on a free loopback port."""

    def __init__(self, *args: str, port: int | None = None) -> None:
        self.port = port or free_port()
        self.args = ["--port", str(self.port), *args]
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?replicaSet=rs0"

    async def start(self) -> ServerProcess:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "embedded_mongo",
            *self.args,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout=20)
        assert line.decode().startswith("listening: mongodb://127.0.0.1:"), line
        return self

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        return await asyncio.wait_for(self.proc.wait(), timeout=20)


@pytest.fixture
async def processes() -> AsyncIterator[Callable[..., ServerProcess]]:
    started: list[ServerProcess] = []

    def make(*args: str, port: int | None = None) -> ServerProcess:
        process = ServerProcess(*args, port=port)
        started.append(process)
        return process

    yield make
    for process in started:
        if process.proc is not None and process.proc.returncode is None:
            await process.stop(signal.SIGKILL)


def client(uri: str) -> AsyncMongoClient:
    return AsyncMongoClient(uri, serverSelectionTimeoutMS=5000)


async def test_help_states_the_durability() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "embedded_mongo", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    text = " ".join(result.stdout.split())
    assert "--data-dir" in text
    assert "--snapshot-interval" in text
    assert "without --data-dir all data is lost" in text
    assert "a crash loses at most the writes of the last interval" in text
    assert "NOT for production" in text


@embedded_only
async def test_process_keeps_data_across_sigterm_restart(
    processes: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    data_dir = str(tmp_path / "data")
    first = await processes("--data-dir", data_dir, "--snapshot-interval", "60").start()
    conn = client(first.uri)
    items = conn.school.pupils
    await items.create_index("code", unique=True)
    await items.insert_many([{"_id": i, "code": f"HS{i}"} for i in range(50)])
    await items.update_one({"_id": 0}, {"$set": {"name": "An"}})
    async with await items.watch(max_await_time_ms=200) as stream:
        await items.insert_one({"_id": 50, "code": "HS50"})
        token = (await next_change(stream))["_id"]
    await conn.close()
    assert await first.stop() == 0  # SIGTERM: clean shutdown writes the snapshot

    second = await processes("--data-dir", data_dir, port=first.port).start()
    conn = client(second.uri)
    items = conn.school.pupils
    try:
        assert await items.count_documents({}) == 51
        assert await items.find_one({"_id": 0}) == {"_id": 0, "code": "HS0", "name": "An"}
        with pytest.raises(DuplicateKeyError):
            await items.insert_one({"code": "HS7"})
        # The change history came back too: the old token still resumes.
        async with await items.watch(resume_after=token, max_await_time_ms=200) as stream:
            await items.insert_one({"_id": 51, "code": "HS51"})
            assert (await next_change(stream))["documentKey"] == {"_id": 51}
    finally:
        await conn.close()
    assert await second.stop() == 0


@embedded_only
async def test_process_without_data_dir_forgets(processes: Callable[..., ServerProcess]) -> None:
    first = await processes().start()
    conn = client(first.uri)
    await conn.school.pupils.insert_one({"_id": 1})
    assert await conn.school.pupils.count_documents({}) == 1
    await conn.close()
    assert await first.stop() == 0
    second = await processes(port=first.port).start()
    conn = client(second.uri)
    try:
        assert await conn.school.pupils.count_documents({}) == 0
        assert "school" not in await conn.list_database_names()
    finally:
        await conn.close()


@embedded_only
async def test_crash_loses_at_most_the_last_interval(
    processes: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    data_dir = str(tmp_path / "data")
    first = await processes("--data-dir", data_dir, "--snapshot-interval", "0.2").start()
    conn = client(first.uri)
    await conn.school.pupils.insert_many([{"_id": i} for i in range(10)])
    await asyncio.sleep(0.8)  # several intervals: a snapshot has been written
    await conn.close()
    await first.stop(signal.SIGKILL)  # a crash: no shutdown snapshot
    assert not (Path(data_dir) / "snapshot.tmp").exists()
    second = await processes("--data-dir", data_dir).start()
    conn = client(second.uri)
    try:
        assert await conn.school.pupils.count_documents({}) == 10
    finally:
        await conn.close()


@embedded_only
async def test_in_process_restart_and_periodic_snapshots(
    own_server: Callable, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    server = own_server(data_dir=data_dir, snapshot_interval=0.2)
    conn = client(server.uri)
    items = conn.school.marks
    await conn.school.command("create", "marks")
    await conn.school.command("collMod", "marks", changeStreamPreAndPostImages={"enabled": True})
    await items.insert_one({"_id": "hs1", "years": {"2025-2026": {"TOAN": {"hk1": 8.5}}}})
    await asyncio.sleep(0.7)
    # A copy taken while the server runs is what a crash would leave behind.
    crash_copy = tmp_path / "crash"
    shutil.copytree(data_dir, crash_copy)
    await items.insert_one({"_id": "hs2"})
    await conn.close()
    server.stop()

    restarted = own_server(data_dir=data_dir)
    conn = client(restarted.uri)
    try:
        assert await conn.school.marks.count_documents({}) == 2
        doc = await conn.school.marks.find_one({"_id": "hs1"})
        assert doc["years"]["2025-2026"]["TOAN"]["hk1"] == 8.5
        [spec] = await (await conn.school.list_collections(filter={"name": "marks"})).to_list()
        assert spec["options"]["changeStreamPreAndPostImages"] == {"enabled": True}
    finally:
        await conn.close()
    from_crash = own_server(data_dir=crash_copy)
    conn = client(from_crash.uri)
    try:
        assert await conn.school.marks.distinct("_id") == ["hs1"]
    finally:
        await conn.close()
    assert sorted(os.listdir(data_dir)) == ["snapshot.bson"]
