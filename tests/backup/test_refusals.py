"""A wrong key, a tampered, reordered or truncated archive, and unusable keys are refused."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from app.backup import archive
from app.backup.archive import MAGIC
from app.backup.dump import write_backup
from app.backup.errors import DamagedArchive, WrongKey
from app.backup.keys import SAME_AS_SECRET, load_key, new_key, parse_key
from app.backup.restore import check_archive, restore
from app.backup.verify import verify_backup
from app.config import Settings
from app.errors import HocBaError


def frames(data: bytes) -> tuple[int, list[tuple[int, int]]]:
    """Where the header ends, and (start, end) of every frame."""
    (size,) = struct.unpack(">I", data[len(MAGIC) : len(MAGIC) + 4])
    pos = start = len(MAGIC) + 4 + size
    found = []
    while pos < len(data):
        _, length = struct.unpack(">BI", data[pos : pos + 5])
        found.append((pos, pos + 5 + length))
        pos += 5 + length
    return start, found


@pytest.fixture
async def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "CHUNK_BYTES", 512)


@pytest.fixture
async def backup_file(
    mdb: AsyncDatabase, history: list[dict[str, Any]], key: bytes, tmp_path: Path, small_chunks
) -> Path:
    result = await write_backup(mdb.client, mdb.name, tmp_path / "b.hbk", key)
    assert len(frames(result.path.read_bytes())[1]) > 3
    return result.path


async def test_a_wrong_key_is_refused_with_a_clear_message(backup_file: Path) -> None:
    with pytest.raises(WrongKey, match="Khóa sao lưu không đúng"):
        check_archive(backup_file, parse_key(new_key()))
    with pytest.raises(WrongKey):
        await verify_backup(backup_file, parse_key(new_key()))


def _rewrite(path: Path, change: Any) -> None:
    path.write_bytes(change(bytearray(path.read_bytes())))


@pytest.mark.parametrize(
    "damage",
    ["flip_byte", "swap_chunks", "drop_chunk", "truncate", "drop_final", "append", "header"],
)
async def test_a_tampered_archive_is_refused_before_anything_is_written(
    mdb: AsyncDatabase, backup_file: Path, key: bytes, damage: str
) -> None:
    data = bytearray(backup_file.read_bytes())
    header_end, spans = frames(bytes(data))
    if damage == "flip_byte":
        middle = (spans[1][0] + spans[1][1]) // 2
        data[middle] ^= 0x01
    elif damage == "swap_chunks":
        (a0, a1), (b0, b1) = spans[1], spans[2]
        data = data[:a0] + data[b0:b1] + data[a0:a1] + data[b1:]
    elif damage == "drop_chunk":
        data = data[: spans[1][0]] + data[spans[1][1] :]
    elif damage == "truncate":
        data = data[: spans[2][1]]
    elif damage == "drop_final":
        data = data[: spans[-1][0]]
    elif damage == "append":
        data += data[spans[1][0] : spans[1][1]]
    elif damage == "header":
        data[header_end - 3] ^= 0x01  # inside the JSON header: the nonce prefix or the check
    backup_file.write_bytes(bytes(data))
    with pytest.raises((DamagedArchive, WrongKey)) as refused:
        check_archive(backup_file, key)
    assert "từ chối" in refused.value.message or "Khóa" in refused.value.message
    await mdb["students"].delete_many({})
    with pytest.raises((DamagedArchive, WrongKey)):
        await restore(mdb, backup_file, key, apply=True, force=True)
    assert await mdb["students"].count_documents({}) == 0


def test_keys_must_be_32_bytes_and_not_the_secret_key(tmp_path: Path) -> None:
    with pytest.raises(HocBaError, match="32 byte"):
        parse_key("c2hvcnQ=")
    secret = new_key()
    with pytest.raises(HocBaError) as same:
        parse_key(secret, secret_key=secret)
    assert same.value.message == SAME_AS_SECRET
    base = {"env": "test", "secret_key": "s" * 40, "mongodb_uri": None}
    with pytest.raises(HocBaError, match="Chưa có khóa sao lưu"):
        load_key(Settings(**base))
    (tmp_path / "key").write_text(secret + "\n")
    assert len(load_key(Settings(**base, backup_key_file=tmp_path / "key"))) == 32
    with pytest.raises(HocBaError, match="SECRET_KEY"):
        load_key(Settings(**{**base, "secret_key": secret}, backup_key=secret))
