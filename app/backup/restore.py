"""``hocba restore``: put an archive's collections back, byte for byte.

The archive is read through once first (every chunk authenticated, every collection's count
and hash checked against the manifest) before anything is written, so a damaged or tampered
file never half-restores. Documents are written as archived, without the app's write stamp:
the restored records hash as they did, and the change log's chain verifies.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bson.raw_bson import RawBSONDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid, OperationFailure

from .archive import read_archive
from .dump import CollectionDigest, collection_names, digest_of
from .errors import DAMAGED, BackupError, DamagedArchive

BATCH_DOCS = 1000
BATCH_BYTES = 8 * 1024 * 1024


@dataclass
class ArchiveContents:
    """What a fully checked archive holds."""

    manifest: dict[str, Any]
    indexes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def collections(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = self.manifest["collections"]
        return found

    @property
    def documents(self) -> int:
        return sum(c["count"] for c in self.collections.values())


def check_archive(path: Path, key: bytes) -> ArchiveContents:
    """Decrypt the whole file and check each collection's count and hash against the manifest."""
    indexes: dict[str, list[dict[str, Any]]] = {}
    digests: dict[str, CollectionDigest] = {}
    current: CollectionDigest | None = None
    with path.open("rb") as inp:
        for kind, value in read_archive(inp, key):
            if kind == "collection":
                current = digests.setdefault(value["name"], CollectionDigest())
                indexes[value["name"]] = value["indexes"]
            elif kind == "document":
                if current is None:
                    raise DamagedArchive(DAMAGED.format(where="cấu trúc bản ghi"))
                current.add(value)
            else:
                manifest = value
    listed = manifest.get("collections", {})
    if set(listed) != set(digests):
        raise DamagedArchive(DAMAGED.format(where="danh sách bảng dữ liệu không khớp bản kê"))
    for name, digest in digests.items():
        if digest.as_dict() != {k: listed[name].get(k) for k in ("count", "sha256")}:
            raise DamagedArchive(DAMAGED.format(where=f"bảng «{name}» không khớp mã băm"))
    return ArchiveContents(manifest, indexes)


@dataclass
class PlanLine:
    name: str
    archived: int
    present: int

    def text(self, force: bool) -> str:
        if self.present and force:
            return f"  {self.name}: xóa {self.present} bản ghi hiện có, khôi phục {self.archived}"
        if self.present:
            return f"  {self.name}: đang có {self.present} bản ghi — sẽ không ghi đè"
        return f"  {self.name}: khôi phục {self.archived} bản ghi"


async def plan(db: AsyncDatabase, contents: ArchiveContents) -> list[PlanLine]:
    return [
        PlanLine(name, info["count"], await db[name].count_documents({}))
        for name, info in sorted(contents.collections.items())
    ]


async def _create_indexes(db: AsyncDatabase, name: str, specs: list[dict[str, Any]]) -> None:
    with contextlib.suppress(CollectionInvalid):  # exists already
        await db.create_collection(name)
    if specs:
        try:
            await db.command({"createIndexes": name, "indexes": specs})
        except OperationFailure as exc:
            raise BackupError(f"Không tạo được chỉ mục của bảng «{name}»: {exc}") from exc


async def write_collections(
    db: AsyncDatabase, path: Path, key: bytes, contents: ArchiveContents
) -> None:
    """Second pass: clear the archived collections, then insert every document as archived."""
    for name in contents.collections:
        await db[name].delete_many({})
    batch: list[RawBSONDocument] = []
    size = 0
    name = ""

    async def flush() -> None:
        nonlocal batch, size
        if batch:
            await db[name].insert_many(batch, ordered=True, bypass_document_validation=True)
        batch, size = [], 0

    with path.open("rb") as inp:
        for kind, value in read_archive(inp, key):
            if kind == "collection":
                await flush()
                name = value["name"]
                await _create_indexes(db, name, contents.indexes.get(name, []))
            elif kind == "document":
                batch.append(RawBSONDocument(value))
                size += len(value)
                if len(batch) >= BATCH_DOCS or size >= BATCH_BYTES:
                    await flush()
    await flush()


async def compare(db: AsyncDatabase, contents: ArchiveContents) -> list[str]:
    """Collections whose stored count or hash differs from the manifest (empty: identical)."""
    differ = []
    for name, info in sorted(contents.collections.items()):
        digest = (await digest_of(db, name)).as_dict()
        if digest != {"count": info["count"], "sha256": info["sha256"]}:
            differ.append(name)
    return differ


@dataclass
class RestoreOutcome:
    lines: list[str]
    applied: bool
    refused: bool = False
    differ: list[str] = field(default_factory=list)


async def restore(
    db: AsyncDatabase, path: Path, key: bytes, *, apply: bool, force: bool
) -> RestoreOutcome:
    contents = check_archive(path, key)
    manifest = contents.manifest
    lines = [
        f"Bản sao lưu lúc {manifest['created_at']} (phiên bản {manifest['app_version']}, "
        f"cơ sở dữ liệu «{manifest['database']}»): {len(contents.collections)} bảng, "
        f"{contents.documents} bản ghi; mã băm khớp bản kê.",
        f"Đích: cơ sở dữ liệu «{db.name}».",
    ]
    steps = await plan(db, contents)
    lines += [step.text(force) for step in steps]
    extra = sorted(set(await collection_names(db)) - set(contents.collections))
    if extra:
        lines.append("Các bảng không có trong bản sao lưu được giữ nguyên: " + ", ".join(extra))
    occupied = [s.name for s in steps if s.present]
    if occupied and not force:
        lines.append(
            "Đích không trống: từ chối khôi phục. Thêm --force để xóa dữ liệu hiện có của các "
            "bảng trên rồi khôi phục."
        )
        return RestoreOutcome(lines, applied=False, refused=True)
    if not apply:
        lines.append("Chạy thử: chưa ghi gì. Thêm --apply để khôi phục thật.")
        return RestoreOutcome(lines, applied=False)
    await write_collections(db, path, key, contents)
    differ = await compare(db, contents)
    total = len(contents.collections)
    lines.append(
        f"Đã khôi phục: {total - len(differ)}/{total} bảng giống hệt bản sao lưu."
        + (f" Khác: {', '.join(differ)}." if differ else "")
    )
    return RestoreOutcome(lines, applied=True, differ=differ)
