"""What a command asks that this one-member server can or cannot give.

* The fields MongoDB 7.0 accepts on the common commands: an unknown field is refused with
  MongoDB's error (40415) instead of being ignored, since a misspelt option must not silently
  change nothing. Commands not listed here are not checked.
* Write concerns: ``w`` above one member, or a tag the replica set has no mode for, cannot be
  satisfied; the write is applied and the reply carries a ``writeConcernError``, as MongoDB
  answers.
"""

from __future__ import annotations

from typing import Any

from ..errors import CommandError

# Fields any command may carry (driver and session plumbing).
GENERIC = {
    "$db",
    "lsid",
    "$clusterTime",
    "$readPreference",
    "$audit",
    "$client",
    "txnNumber",
    "autocommit",
    "startTransaction",
    "apiVersion",
    "apiStrict",
    "apiDeprecationErrors",
    "readConcern",
    "writeConcern",
    "comment",
    "maxTimeMS",
    "mayBypassWriteBlocking",
}
OPTIONS: dict[str, set[str]] = {
    "find": {
        "filter",
        "sort",
        "projection",
        "hint",
        "skip",
        "limit",
        "batchSize",
        "singleBatch",
        "max",
        "min",
        "returnKey",
        "showRecordId",
        "tailable",
        "oplogReplay",
        "noCursorTimeout",
        "awaitData",
        "allowPartialResults",
        "collation",
        "allowDiskUse",
        "let",
        "readOnce",
    },
    "insert": {"documents", "ordered", "bypassDocumentValidation"},
    "update": {"updates", "ordered", "bypassDocumentValidation", "let"},
    "delete": {"deletes", "ordered", "let"},
    "findAndModify": {
        "query",
        "sort",
        "remove",
        "update",
        "new",
        "fields",
        "upsert",
        "bypassDocumentValidation",
        "arrayFilters",
        "hint",
        "collation",
        "let",
    },
    "aggregate": {
        "pipeline",
        "explain",
        "allowDiskUse",
        "cursor",
        "bypassDocumentValidation",
        "collation",
        "hint",
        "let",
    },
    "count": {"query", "limit", "skip", "hint", "collation", "fields"},
    "distinct": {"key", "query", "collation", "hint"},
}
CANONICAL = {name.lower(): name for name in OPTIONS}


def check(name: str, cmd: dict[str, Any]) -> None:
    """Refuse a field ``name`` (the command as sent) does not know."""
    canonical = CANONICAL.get(name.lower())
    if canonical is None:
        return
    allowed = OPTIONS[canonical]
    for key in list(cmd)[1:]:
        if key not in allowed and key not in GENERIC:
            raise CommandError(40415, f"BSON field '{canonical}.{key}' is an unknown field.")


def write_concern_error(cmd: dict[str, Any]) -> dict[str, Any] | None:
    """The ``writeConcernError`` a one-member server answers to ``cmd``'s write concern."""
    concern = cmd.get("writeConcern")
    if not isinstance(concern, dict) or "w" not in concern:
        return None
    w = concern["w"]
    if isinstance(w, (int, float)) and not isinstance(w, bool) and w > 1:
        return {
            "code": 100,
            "codeName": "UnsatisfiableWriteConcern",
            "errmsg": "Not enough data-bearing nodes",
            "errInfo": {"writeConcern": dict(concern)},
        }
    if isinstance(w, str) and w != "majority":
        return {
            "code": 79,
            "codeName": "UnknownReplWriteConcern",
            "errmsg": f"No write concern mode named '{w}' found in replica set configuration",
            "errInfo": {"writeConcern": dict(concern)},
        }
    return None
