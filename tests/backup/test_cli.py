"""The commands: backup, verify, restore (dry run first), keygen; refusals exit 1 in Vietnamese."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from app.backup.keys import new_key


async def hocba(
    mongo_uri: str, db_name: str, key: str | None, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ENV": "test",
        "SECRET_KEY": "k" * 40,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
    }
    env.pop("BACKUP_KEY", None)
    if key is not None:
        env["BACKUP_KEY"] = key
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_backup_verify_and_restore_from_the_command_line(
    mdb: AsyncDatabase,
    history: list[dict[str, Any]],
    mongo_uri: str,
    db_name: str,
    key_text: str,
    tmp_path: Path,
) -> None:
    file = tmp_path / "b.hbk"
    made = await hocba(mongo_uri, db_name, key_text, "backup", "--out", str(file))
    assert made.returncode == 0, made.stderr
    assert "Đã sao lưu" in made.stdout

    checked = await hocba(mongo_uri, db_name, key_text, "backup", "verify", str(file))
    assert checked.returncode == 0, checked.stderr
    assert "Bản sao lưu đạt kiểm tra." in checked.stdout
    run = await mdb["backup_runs"].find_one({"file_name": "b.hbk"})
    assert run is not None
    assert run["verify_ok"] is True

    wrong = await hocba(mongo_uri, db_name, new_key(), "backup", "verify", str(file))
    assert wrong.returncode == 1
    assert "Khóa sao lưu không đúng" in wrong.stderr

    dry = await hocba(mongo_uri, db_name, key_text, "restore", str(file))
    assert dry.returncode == 1  # the target is not empty
    assert "từ chối khôi phục" in dry.stdout
    await mdb["students"].delete_many({})
    dry = await hocba(mongo_uri, db_name, key_text, "restore", str(file), "--force")
    assert dry.returncode == 0, dry.stderr
    assert "Chạy thử" in dry.stdout
    assert await mdb["students"].count_documents({}) == 0
    done = await hocba(mongo_uri, db_name, key_text, "restore", str(file), "--force", "--apply")
    assert done.returncode == 0, done.stdout + done.stderr
    assert await mdb["students"].count_documents({}) == 3

    data = bytearray(file.read_bytes())
    data[-40] ^= 0xFF
    file.write_bytes(bytes(data))
    tampered = await hocba(mongo_uri, db_name, key_text, "backup", "verify", str(file))
    assert tampered.returncode == 1
    assert "bị sửa đổi hoặc hỏng" in tampered.stderr


async def test_keygen_prints_a_usable_key_and_no_key_is_refused(
    mongo_uri: str, db_name: str, tmp_path: Path
) -> None:
    made = await hocba(mongo_uri, db_name, None, "backup", "keygen")
    assert made.returncode == 0
    assert len(base64.b64decode(made.stdout.strip())) == 32
    refused = await hocba(mongo_uri, db_name, None, "backup", "--out", str(tmp_path / "x"))
    assert refused.returncode == 1
    assert "Chưa có khóa sao lưu" in refused.stderr
    same = await hocba(mongo_uri, db_name, "k" * 40, "backup", "--out", str(tmp_path / "x"))
    assert same.returncode == 1
    assert "SECRET_KEY" in same.stderr
