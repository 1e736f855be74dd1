"""``hocba backup``: every collection of the database into one encrypted archive.

Consistency: on a MongoDB replica set every collection is read in one snapshot session, so the
whole archive is the database as it was at one cluster time (the manifest records it). MongoDB
keeps snapshot history for ``minSnapshotHistoryWindowInSeconds`` (300 s by default): a backup
that reads for longer fails with SnapshotTooOld rather than mixing moments. The embedded server
ignores read concerns: there each collection is read in one pass in ``_id`` order while writes
may go on, so a change made during the backup may be in it or not (take it while the app is
idle for an exact copy; the hashes in the manifest always describe what was written).
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from app.clock import utcnow
from models.student import SCHEMA_VERSION

from .archive import ArchiveWriter

RAW = CodecOptions(document_class=RawBSONDocument)
# Documents per batch read: small batches keep memory flat whatever the database's size (the
# server's default, 16 MB per batch, would hold two copies of that much at once).
BATCH_DOCS = 200
SNAPSHOT = "snapshot"
PER_COLLECTION = "per_collection"
CONSISTENCY_LABELS = {
    SNAPSHOT: "toàn bộ tại một thời điểm (snapshot)",
    PER_COLLECTION: "từng bảng đọc một lượt (máy chủ nhúng)",
}


@dataclass
class CollectionDigest:
    """Count and SHA-256 of a collection's documents as BSON, in ``_id`` order."""

    count: int = 0
    sha256: Any = field(default_factory=hashlib.sha256)

    def add(self, raw: bytes) -> None:
        self.count += 1
        self.sha256.update(raw)

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "sha256": self.sha256.hexdigest()}


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    size_bytes: int
    seconds: float

    @property
    def documents(self) -> int:
        return sum(c["count"] for c in self.manifest["collections"].values())


def app_version() -> str:
    try:
        return metadata.version("hocba")
    except metadata.PackageNotFoundError:
        return "unknown"


async def is_embedded(client: AsyncMongoClient) -> bool:
    info = await client.admin.command("buildInfo")
    return bool(info.get("gitVersion") == "embedded")


async def collection_names(db: AsyncDatabase) -> list[str]:
    names = await db.list_collection_names()
    return sorted(n for n in names if not n.startswith("system."))


async def index_specs(db: AsyncDatabase, name: str) -> list[dict[str, Any]]:
    specs = []
    async for spec in await db[name].list_indexes():
        if spec.get("name") != "_id_":
            specs.append({k: v for k, v in spec.items() if k not in ("v", "ns")})
    return specs


async def digest_of(db: AsyncDatabase, name: str) -> CollectionDigest:
    """The digest of a collection as stored now (the same walk the backup makes)."""
    digest = CollectionDigest()
    cursor = db.get_collection(name, codec_options=RAW).find({}, batch_size=BATCH_DOCS)
    async for doc in cursor.sort("_id", 1):
        digest.add(doc.raw)
    return digest


async def write_backup(
    client: AsyncMongoClient, db_name: str, path: Path, key: bytes
) -> BackupResult:
    """Write the archive to ``path`` (atomically: a partial file never has the final name)."""
    started, at = time.perf_counter(), utcnow()
    db = client[db_name]
    embedded = await is_embedded(client)
    names = await collection_names(db)
    specs = {name: await index_specs(db, name) for name in names}
    digests: dict[str, dict[str, Any]] = {}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    cluster_time = None
    with partial.open("wb") as out:
        writer = ArchiveWriter(out, key)
        async with client.start_session(snapshot=True) as session:
            for name in names:
                writer.begin_collection(name, specs[name])
                digest = CollectionDigest()
                coll = db.get_collection(name, codec_options=RAW)
                cursor = coll.find({}, session=session, batch_size=BATCH_DOCS)
                async for doc in cursor.sort("_id", 1):
                    writer.document(doc.raw)
                    digest.add(doc.raw)
                digests[name] = digest.as_dict()
            snapshot_time = getattr(session, "_snapshot_time", None)
            if snapshot_time is not None and not embedded:
                cluster_time = [snapshot_time.time, snapshot_time.inc]
        manifest = {
            "app": "hocba",
            "app_version": app_version(),
            "schema_version": SCHEMA_VERSION,
            "created_at": at.isoformat() + "Z",
            "database": db_name,
            "consistency": PER_COLLECTION if embedded else SNAPSHOT,
            "cluster_time": cluster_time,
            "collections": digests,
        }
        writer.finish(manifest)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
    return BackupResult(path, manifest, path.stat().st_size, time.perf_counter() - started)
