"""Reconciliation: when the log cannot follow the stream (first start, lost history), compare
every audited record with the last version the log knows and record what it finds.

A record whose ``version`` is ahead of its last logged version gets an entry with its current
state; a logged record that no longer exists gets a deletion entry. Nothing is skipped silently.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from app.clock import utcnow

from .audited import AUDITED, record_label, snapshot

if TYPE_CHECKING:
    from .worker import ChangeLogWorker


async def _logged_versions(worker: ChangeLogWorker, collection: str) -> dict[str, dict]:
    latest: dict[str, dict[str, Any]] = {}
    cursor = worker.entries.find(
        {"collection": collection}, {"record_key": 1, "version": 1, "op": 1, "seq": 1}
    ).sort("seq", 1)
    async for entry in cursor:
        latest[entry["record_key"]] = entry
    return latest


def _gap_entry(
    collection: str, record_id: Any, doc: dict | None, *, kind: str, why: str, at: Any
) -> dict[str, Any]:
    meta = (doc or {}).get("meta") or {}
    return {
        "token": f"gap:{uuid.uuid4().hex}",
        "kind": kind,
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


async def reconcile(worker: ChangeLogWorker, *, why: str, alarm: bool) -> int:
    kind = "gap" if alarm else "baseline"
    written = 0
    now = utcnow()
    for collection in AUDITED:
        logged = await _logged_versions(worker, collection)
        seen: set[str] = set()
        async for doc in worker.db[collection].find({}):
            key = str(doc["_id"])
            seen.add(key)
            last = logged.get(key)
            version = doc.get("version")
            if (
                last is not None
                and last.get("op") != "delete"
                and (not isinstance(version, int) or (last.get("version") or 0) >= version)
            ):
                continue  # the log already has this state
            await worker.append(_gap_entry(collection, doc["_id"], doc, kind=kind, why=why, at=now))
            written += 1
        for key, last in logged.items():
            if key not in seen and last.get("op") != "delete":
                record_id = (await worker.entries.find_one({"seq": last["seq"]}) or {}).get(
                    "record_id"
                )
                await worker.append(
                    _gap_entry(
                        collection,
                        record_id,
                        None,
                        kind=kind,
                        why=f"{why} — bản ghi đã bị xóa",
                        at=now,
                    )
                )
                written += 1
    if alarm:
        await worker.db["change_log_alarms"].insert_one(
            {
                "kind": "history_lost",
                "at": now,
                "detail": why,
                "gap_entries": written,
                "acknowledged_by": None,
                "acknowledged_at": None,
            }
        )
    return written
