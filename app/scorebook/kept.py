"""Pupils a book's save has just read or written, kept for the book's next save.

A teacher saves the same book again and again, and between two saves its pupils seldom change;
yet each save read every pupil's whole school year again, and decoding a school year costs more
than checking and computing it. So the records are kept here, each with the version and the
revision it was read or written at; the next save reads only those two (with the book's query,
in the reader's scope, so the same pupils are found) and reads in full only the pupils whose
version or revision moved. A kept record goes to the writer as held (``BatchItem.stored``): it
is written with its version in the guard, and a record changed in between is read and checked
again there.

A kept record is trusted for its version and revision, as the writer's guard trusts the
version: a change made outside the app that moves neither (a database shell) is not seen. A kept
record is therefore used for a few minutes only (``KEPT_SECONDS``), as long as a teacher works
on a book, so such a change is not hidden from saves for longer.

Only what every reader reads alike is kept: nothing is kept from a read that includes an
encrypted field (those are opened for each reader). What the reader may see of a record
(``Found.rules``) is worked out for that reader, every time. Records handed out are shared:
nobody changes them (the writer copies what it changes, and so does whoever computes a row).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import bson
from bson import ObjectId

from app.store import Found, Restricted
from app.store.collections import collection
from app.store.fields import sensitive_path
from app.store.handles import filter_roots

# A pupil's school year read whole takes about 65 KB of memory: at most about 17 MB.
KEPT_RECORDS = 256
KEPT_SECONDS = 300.0
STAMP = ("version", "revision_id")

Key = tuple[ObjectId, tuple[str, ...]]


@dataclass(frozen=True)
class _Kept:
    version: Any
    revision: str
    stored: dict[str, Any]
    at: float  # when it was read or written (monotonic clock)


class KeptRecords:
    """Records as stored at a version and revision, by id and by what was read of them; the
    least recently used go first."""

    def __init__(self, limit: int = KEPT_RECORDS, seconds: float = KEPT_SECONDS) -> None:
        self.limit = limit
        self.seconds = seconds
        self._records: OrderedDict[Key, _Kept] = OrderedDict()

    def __len__(self) -> int:
        return len(self._records)

    def get(self, key: Key, version: Any, revision: Any) -> dict[str, Any] | None:
        """The record kept under ``key`` if it is the one at ``version`` and ``revision``."""
        kept = self._records.get(key)
        if kept is None:
            return None
        stale = time.monotonic() - kept.at > self.seconds
        if stale or kept.version != version or kept.revision != _revision(revision):
            del self._records[key]  # an older state, or kept too long: never handed out again
            return None
        self._records.move_to_end(key)
        return kept.stored

    def put(self, key: Key, version: Any, revision: Any, stored: dict[str, Any]) -> None:
        self._records[key] = _Kept(version, _revision(revision), stored, time.monotonic())
        self._records.move_to_end(key)
        while len(self._records) > self.limit:
            self._records.popitem(last=False)

    def clear(self) -> None:
        self._records.clear()


KEPT = KeptRecords()


def _revision(value: Any) -> str:
    # As the writer compares revisions: a UUID as the driver decodes it, or as the writer set it.
    return str(value)


def read_fields(handle: Restricted, only: Sequence[str]) -> tuple[str, ...] | None:
    """What a read with ``only`` loads of each record (the handle adds what its row filters
    read), as the key of what is kept; None when it includes an encrypted field."""
    roots = filter_roots(handle.scope.filter) | filter_roots(handle.view.filter)
    fields = tuple(sorted({*only, *roots}))
    if any(sensitive_path(handle.resource, f) for f in fields):
        return None
    return fields


async def find_kept(
    handle: Restricted, query: Mapping[str, Any], only: Sequence[str], kept: KeptRecords = KEPT
) -> list[Found]:
    """``handle.find(query, only=only)`` for a query on ``_id`` (``{"$in": ids}``), reading
    in full only the records not kept at their current version and revision."""
    fields = read_fields(handle, only)
    if fields is None:
        return await handle.find(query, only=only)
    # The stamps hold nothing encrypted: read as they are, with the handle's full query.
    stamps = [
        doc
        async for doc in collection(handle.resource).find(
            handle.query(query), dict.fromkeys(STAMP, 1)
        )
    ]
    found: list[dict[str, Any]] = []
    missing: list[ObjectId] = []
    for stamp in stamps:
        record = kept.get((stamp["_id"], fields), stamp.get("version"), stamp.get("revision_id"))
        if record is None:
            missing.append(stamp["_id"])
        else:
            found.append(record)
    if missing:
        extra = [f for f in STAMP if f not in fields]
        for doc in await handle.rows({**query, "_id": {"$in": missing}}, only=[*only, *extra]):
            revision = doc.pop("revision_id") if "revision_id" in extra else doc["revision_id"]
            kept.put((doc["_id"], fields), doc.get("version"), revision, doc)
            found.append(doc)
    return [Found(doc, handle.rules_for(doc)) for doc in found]


def keep_written(
    handle: Restricted,
    only: Sequence[str],
    written: Iterable[tuple[Mapping[str, Any], Any]],
    kept: KeptRecords = KEPT,
) -> None:
    """Keep records as a save has just stored them: for each, ``(stored, revision)``, what was
    read of it with ``only`` with the write applied, and the revision the write set."""
    fields = read_fields(handle, only)
    if fields is None:
        return
    read = {"_id", *(f.split(".", 1)[0] for f in fields)}
    options = None  # the collection's, looked up for the first stamp to read back
    # A batch's records share one stamp (the very object): each is read back once.
    stamps: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
    for stored, revision in written:
        if revision is None or not stored.keys() <= read:
            continue  # not the record as read with ``only``
        meta = stored.get("meta")
        record = dict(stored)
        if isinstance(meta, dict):
            # The stamp as the database gives it back (times to the millisecond, plain texts).
            known = stamps.get(id(meta))
            if known is None or known[0] is not meta:
                options = options or collection(handle.resource).codec_options
                encoded = bson.encode({"m": meta}, codec_options=options)
                known = stamps[id(meta)] = (meta, bson.decode(encoded, options)["m"])
            record["meta"] = dict(known[1])
        kept.put((record["_id"], fields), record.get("version"), revision, record)
