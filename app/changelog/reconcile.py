"""Writing the state of records the log cannot follow event by event.

Three cases, one entry shape (``state_entry``): the first-start *baseline* of every record the
log does not know yet; the *reconciliation* after the database lost change history (a record
ahead of its last logged version, or gone, gets a gap entry); and *gap filling* after the
completeness check found changes missing (the gap entry names the missing versions). All three
are idempotent: a record whose state the log already has is skipped, so a worker that dies
half-way simply does the rest on restart. Nothing is skipped silently: gaps raise an alarm.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from bson import ObjectId

from app.clock import utcnow
from models.changelog import AlarmKind, EntryKind

from .audited import AUDITED, record_label, snapshot
from .completeness import Gap
from .overlap import Known, Overlap

if TYPE_CHECKING:
    from .worker import ChangeLogWorker

MAX_ALARM_DETAIL = 20  # records named in an alarm's text; the gap entries name them all


def state_entry(
    collection: str, record_id: Any, doc: dict | None, *, kind: EntryKind, why: str, at: Any
) -> dict[str, Any]:
    """A record's whole state (or its absence) as an entry; who/version come from its stamp."""
    meta = (doc or {}).get("meta") or {}
    return {
        "token": f"gap:{uuid.uuid4().hex}",
        "kind": kind.value,
        "collection": collection,
        "record_id": record_id,
        "record_key": str(record_id),
        "record_label": record_label(collection, doc),
        "op": "snapshot" if doc is not None else "delete",
        "at": at,
        "actor_id": meta.get("actor_id"),
        "actor_name": meta.get("actor_name"),
        "actor_role": meta.get("role"),
        "request_id": meta.get("request_id"),
        "reason": why,
        "source": meta.get("source"),
        "version": (doc or {}).get("version"),
        "intent": None,
        "diff": [],
        "snapshot": snapshot(doc),
        "out_of_band": False,
        "out_of_band_reason": None,
    }


async def _write(worker: ChangeLogWorker, overlap: Overlap, entry: dict[str, Any]) -> None:
    async with worker.write_lock:
        await worker.keep_lease()
        await worker.append(entry)
        overlap.note(entry)


async def baseline(worker: ChangeLogWorker, overlap: Overlap, *, why: str) -> int:
    """A baseline entry for every record the log knows nothing about."""
    written = 0
    for collection in AUDITED:
        async for doc in worker.db[collection].find({}):
            if overlap.get(collection, str(doc["_id"])) is not None:
                continue  # logged already (before a crash, or by a change event)
            entry = state_entry(
                collection, doc["_id"], doc, kind=EntryKind.BASELINE, why=why, at=utcnow()
            )
            await _write(worker, overlap, entry)
            written += 1
    return written


def _behind(last: Known | None, doc: dict[str, Any]) -> bool:
    version = doc.get("version")
    if last is None or last.op == "delete":
        return True
    return isinstance(version, int) and (last.version or 0) < version


async def reconcile(worker: ChangeLogWorker, overlap: Overlap, *, why: str) -> int:
    """After lost history: a gap entry for every record ahead of the log or gone from it."""
    written = 0
    for collection in AUDITED:
        seen: set[str] = set()
        async for doc in worker.db[collection].find({}):
            key = str(doc["_id"])
            seen.add(key)
            if _behind(overlap.get(collection, key), doc):
                entry = state_entry(
                    collection, doc["_id"], doc, kind=EntryKind.GAP, why=why, at=utcnow()
                )
                await _write(worker, overlap, entry)
                written += 1
        for key, last in overlap.records_of(collection):
            if key not in seen and last.op != "delete":
                entry = state_entry(
                    collection,
                    last.record_id,
                    None,
                    kind=EntryKind.GAP,
                    why=f"{why} — bản ghi đã bị xóa",
                    at=utcnow(),
                )
                await _write(worker, overlap, entry)
                written += 1
    return written


async def fill_gaps(worker: ChangeLogWorker, overlap: Overlap, gaps: list[Gap]) -> int:
    """One gap entry per record with missing changes, saying which; then one alarm."""
    for gap in gaps:
        why = (
            f"Nhật ký thiếu thay đổi: {'; '.join(gap.problems)}. Ghi lại trạng thái hiện tại; "
            "nội dung các thay đổi bị thiếu không còn biết được."
        )
        async with worker.write_lock:
            # Read and written under the lock: a change event for this record is either logged
            # before the gap entry or recognised as contained in it, never both.
            doc = await worker.db[gap.collection].find_one({"_id": gap.record_id})
            entry = state_entry(
                gap.collection, gap.record_id, doc, kind=EntryKind.GAP, why=why, at=utcnow()
            )
            await worker.keep_lease()
            await worker.append(entry)
            overlap.note(entry)
    named = "\n".join(g.text() for g in gaps[:MAX_ALARM_DETAIL])
    more = len(gaps) - MAX_ALARM_DETAIL
    detail = f"{len(gaps)} bản ghi thiếu thay đổi trong nhật ký:\n{named}"
    if more > 0:
        detail += f"\n… và {more} bản ghi khác (xem các mục «khoảng trống»)"
    await raise_alarm(worker, AlarmKind.LOG_GAP, detail, gap_entries=len(gaps))
    return len(gaps)


async def raise_alarm(
    worker: ChangeLogWorker,
    kind: AlarmKind,
    detail: str,
    *,
    gap_entries: int = 0,
    alarm_id: ObjectId | None = None,
) -> ObjectId:
    """Insert an alarm, or update the one with ``alarm_id`` (idempotent across restarts)."""
    alarm_id = alarm_id or ObjectId()
    await worker.db["change_log_alarms"].update_one(
        {"_id": alarm_id},
        {
            "$set": {"kind": kind.value, "detail": detail, "gap_entries": gap_entries},
            "$setOnInsert": {"at": utcnow(), "acknowledged_by": None, "acknowledged_at": None},
        },
        upsert=True,
    )
    return alarm_id
