"""Hash chain over log entries: each entry's hash covers its content and the previous hash,
so deleting, reordering or editing an entry breaks the chain at that point."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from bson import Decimal128, ObjectId, Timestamp
from bson.binary import Binary

GENESIS = "0" * 64
# Fields that are the chain itself or the database's own key.
NOT_HASHED = ("_id", "id", "hash", "revision_id")


def canonical(value: Any) -> Any:
    """A JSON-ready form that is the same before and after a BSON round trip."""
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return {"$double": repr(value)}
    if isinstance(value, Decimal128 | Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        # BSON keeps milliseconds: hash what the database will give back.
        return {"$date": value.replace(tzinfo=None).isoformat(timespec="milliseconds")}
    if isinstance(value, ObjectId):
        return {"$oid": str(value)}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, Binary | bytes):
        return {"$binary": bytes(value).hex()}
    if isinstance(value, Timestamp):
        return {"$timestamp": [value.time, value.inc]}
    return {"$repr": repr(value)}


def entry_hash(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k not in NOT_HASHED}
    text = json.dumps(canonical(body), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
