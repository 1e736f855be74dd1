"""Completeness: does the log hold every change of every audited record?

The hash chain proves that no entry was altered or removed from the middle; this proves that no
change is missing. For each record the log's entries must start from a complete state (a
creation, a baseline or a gap entry), the versions the app stamps must follow one another without
a hole or a repeat, and the last one must reach the record's current version (or the log must
end with the record's deletion). Out-of-band entries may keep or set any version: they are
flagged on their own. A gap entry is the log's admission that what came before it is incomplete:
problems before it count as acknowledged, not as missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from models.changelog import EntryKind

from .audited import AUDITED, COLLECTION_LABELS, record_label

# What a per-record check needs from an entry.
ENTRY_FIELDS = {
    "seq": 1,
    "kind": 1,
    "op": 1,
    "version": 1,
    "out_of_band": 1,
    "record_key": 1,
    "record_id": 1,
}
COMPLETE_STATE_OPS = ("insert", "snapshot")


def _versions(first: int, last: int) -> str:
    return f"phiên bản {first}" if first == last else f"phiên bản {first}–{last}"


@dataclass
class RecordState:
    """A record as found in its collection: its version then, or absent."""

    exists: bool
    version: int | None = None
    label: str = ""
    record_id: Any = None


@dataclass
class Gap:
    collection: str
    record_key: str
    label: str
    problems: list[str]
    record_id: Any = None
    exists: bool = True
    version: int | None = None  # the record's version when checked (None: absent or unknown)

    def text(self) -> str:
        where = COLLECTION_LABELS.get(self.collection, self.collection)
        name = self.label or self.record_key
        return f"{where} «{name}» ({self.record_key}): {'; '.join(self.problems)}"


def record_problems(
    entries: Iterable[dict[str, Any]], record: RecordState
) -> tuple[list[str], int]:
    """(unacknowledged problems, acknowledged ones) for one record's entries in chain order."""
    problems: list[str] = []
    acknowledged = 0
    current: int | None = None
    started = deleted = False
    for entry in entries:
        version = entry.get("version") if isinstance(entry.get("version"), int) else None
        kind, op = entry.get("kind"), entry.get("op")
        if kind == EntryKind.GAP:
            acknowledged += len(problems) or 1  # at least the changes the gap entry stands for
            problems = []
            current, started, deleted = version, True, op == "delete"
            continue
        if kind == EntryKind.BASELINE or op in COMPLETE_STATE_OPS:
            if (
                started
                and not deleted
                and current is not None
                and version is not None
                and version > current + 1
            ):
                problems.append(f"thiếu {_versions(current + 1, version - 1)}")
            current, started, deleted = version, True, False
            continue
        if not started:
            problems.append(
                f"thiếu trạng thái ban đầu (trước {_versions(version, version)})"
                if version is not None
                else "thiếu trạng thái ban đầu"
            )
            started = True
        elif deleted:
            problems.append("thay đổi sau khi bản ghi đã bị xóa mà không có mục tạo lại")
        if op == "delete":
            out_of_band = entry.get("out_of_band")
            if (
                not out_of_band
                and version is not None
                and current is not None
                and version > current
            ):
                problems.append(f"thiếu {_versions(current + 1, version)} trước khi xóa")
            deleted = True
            continue
        if entry.get("out_of_band") or version is None:
            current = version if version is not None else current
            continue
        if current is not None:
            if version > current + 1:
                problems.append(f"thiếu {_versions(current + 1, version - 1)}")
            elif version <= current:
                problems.append(f"{_versions(version, version)} được ghi hai lần")
        current = version
    if record.exists:
        if not started:
            problems.append(
                f"không có mục nào (bản ghi đang ở phiên bản {record.version})"
                if record.version is not None
                else "không có mục nào"
            )
        elif deleted:
            problems.append("bản ghi được tạo lại mà nhật ký không ghi")
        elif record.version is not None and current is not None and current < record.version:
            problems.append(f"thiếu {_versions(current + 1, record.version)}")
    elif started and not deleted:
        problems.append("bản ghi đã bị xóa mà nhật ký không ghi")
    return problems, acknowledged


async def records_of(db: AsyncDatabase, collection: str) -> dict[str, RecordState]:
    found: dict[str, RecordState] = {}
    async for doc in db[collection].find({}):
        version = doc.get("version")
        found[str(doc["_id"])] = RecordState(
            True,
            version if isinstance(version, int) else None,
            record_label(collection, doc),
            doc["_id"],
        )
    return found


async def entries_of(
    db: AsyncDatabase, collection: str, keys: list[str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    query: dict[str, Any] = {"collection": collection}
    if keys is not None:
        query["record_key"] = {"$in": keys}
    grouped: dict[str, list[dict[str, Any]]] = {}
    async for entry in db["change_log"].find(query, ENTRY_FIELDS).sort("seq", 1):
        if entry.get("record_key"):
            grouped.setdefault(entry["record_key"], []).append(entry)
    return grouped


@dataclass
class CompletenessReport:
    records: int = 0
    gaps: list[Gap] = field(default_factory=list)
    acknowledged: int = 0  # problems a gap entry already admits

    @property
    def ok(self) -> bool:
        return not self.gaps


async def check_completeness(db: AsyncDatabase) -> CompletenessReport:
    """Records first, then the log: a change logged meanwhile only makes the log look ahead,
    which is never counted as missing."""
    report = CompletenessReport()
    for collection in AUDITED:
        records = await records_of(db, collection)
        grouped = await entries_of(db, collection)
        for key in sorted(records.keys() | grouped.keys()):
            entries = grouped.get(key, [])
            record = records.get(key) or RecordState(False, record_id=entries[-1].get("record_id"))
            problems, acknowledged = record_problems(entries, record)
            report.records += 1
            report.acknowledged += acknowledged
            if problems:
                report.gaps.append(
                    Gap(
                        collection,
                        key,
                        record.label,
                        problems,
                        record.record_id,
                        record.exists,
                        record.version,
                    )
                )
    return report


async def recheck(db: AsyncDatabase, gaps: list[Gap]) -> list[Gap]:
    """The gaps that remain against today's log, each record taken as it was first found."""
    remaining: list[Gap] = []
    for collection in AUDITED:
        mine = [g for g in gaps if g.collection == collection]
        if not mine:
            continue
        grouped = await entries_of(db, collection, [g.record_key for g in mine])
        for gap in mine:
            record = RecordState(gap.exists, gap.version, gap.label, gap.record_id)
            problems, _ = record_problems(grouped.get(gap.record_key, []), record)
            if problems:
                gap.problems = problems
                remaining.append(gap)
    return remaining
