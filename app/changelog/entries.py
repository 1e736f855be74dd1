"""Turning one change event into one log entry (pure, apart from the last-entry lookup)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import bson
from bson.raw_bson import RawBSONDocument

from .attribution import Attribution, attribute_change, attribute_delete, attribute_insert
from .audited import record_label, snapshot
from .diffs import (
    changes_from_description,
    changes_without_pre_image,
    field_changes,
    stamp_after,
)


def decode_event(raw: Any, codec_options: Any) -> dict[str, Any]:
    """A raw change event as plain Python, leaving out what the log will not use."""
    skip_full = (
        raw.get("operationType") == "update"
        and "fullDocumentBeforeChange" in raw
        and (raw["fullDocumentBeforeChange"] is not None)
    )
    event: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "fullDocument" and skip_full:
            continue
        if isinstance(value, RawBSONDocument):
            event[key] = bson.decode(value.raw, codec_options=codec_options)
        else:
            event[key] = value
    return event


def token_of(event: dict[str, Any]) -> str:
    return str(event["_id"]["_data"])


def event_time(event: dict[str, Any]) -> datetime:
    wall = event.get("wallTime")
    if isinstance(wall, datetime):
        return wall.replace(tzinfo=None)
    cluster = event.get("clusterTime")
    if cluster is not None:
        return cluster.as_datetime().astimezone(UTC).replace(tzinfo=None)
    return datetime.now(UTC).replace(tzinfo=None)


def describe_event(
    event: dict[str, Any], last_logged: dict[str, Any] | None
) -> tuple[Attribution, list[dict[str, Any]], dict[str, Any] | None]:
    """(who, what changed, the record after the change) for an audited collection's event."""
    op = event["operationType"]
    collection = event["ns"].get("coll", "")
    pre = event.get("fullDocumentBeforeChange")
    if op == "insert":
        doc = event.get("fullDocument")
        return attribute_insert(doc), [], doc
    if op == "update":
        description = event.get("updateDescription") or {}
        touched = {p.split(".", 1)[0] for p in description.get("updatedFields") or {}}
        touched |= {p.split(".", 1)[0] for p in description.get("removedFields") or []}
        if pre is not None:
            changes = changes_from_description(collection, pre, description)
            stamped = stamp_after(pre, description)
            return attribute_change(pre, stamped, touched), changes, pre
        looked_up: dict[str, Any] | None = event.get("fullDocument")
        changes = changes_without_pre_image(collection, description)
        return attribute_change(pre, looked_up, touched), changes, looked_up
    if op == "replace":
        doc = event.get("fullDocument")
        changes = (
            field_changes(collection, pre, doc)
            if pre is not None
            else field_changes(collection, None, doc)
        )
        return attribute_change(pre, doc, None), changes, doc
    if op == "delete":
        return attribute_delete(pre, last_logged), [], pre
    # drop, rename, dropDatabase: nobody uses these through the app.
    return (
        Attribution(
            None,
            None,
            None,
            None,
            None,
            "out_of_band",
            None,
            True,
            f"Thao tác «{op}» trên cả bảng dữ liệu",
        ),
        [],
        None,
    )


def build_entry(
    event: dict[str, Any], *, seq: int, prev_hash: str, last_logged: dict[str, Any] | None
) -> dict[str, Any]:
    who, changes, after = describe_event(event, last_logged)
    collection = event["ns"].get("coll", "")
    record_id = (event.get("documentKey") or {}).get("_id")
    label_source = after or event.get("fullDocumentBeforeChange") or event.get("fullDocument")
    entry = {
        "seq": seq,
        "token": token_of(event),
        "kind": "change",
        "collection": collection,
        "record_id": record_id,
        "record_key": str(record_id) if record_id is not None else "",
        "record_label": record_label(collection, label_source),
        "op": event["operationType"],
        "at": event_time(event),
        "actor_id": who.actor_id,
        "actor_name": who.actor_name,
        "actor_role": who.actor_role,
        "request_id": who.request_id,
        "reason": who.reason,
        "source": who.source,
        "version": who.version,
        "intent": who.intent,
        "diff": changes,
        # Creation and deletion keep the whole state instead of hundreds of one-field changes.
        "snapshot": snapshot(after) if event["operationType"] in ("insert", "delete") else None,
        "out_of_band": who.out_of_band,
        "out_of_band_reason": who.out_of_band_reason,
        "prev_hash": prev_hash,
    }
    if who.correction:  # only when set: entries written before the field hash as they did
        entry["correction"] = who.correction
    return entry
