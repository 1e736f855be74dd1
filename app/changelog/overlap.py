"""What the log already holds of records whose change events may still be on their way.

A state entry (baseline or gap) is written from the record as it is when read, while the stream
resumes from a point recorded before: the changes made between the two come as events after the
entry that already contains them. An app change carries the version it produced, so an event
whose version the log already has for that record is contained in it and is not logged twice.
Out-of-band changes (the version may not move) are always logged: the log must show them.

During a catch-up the overlap knows every logged record (loaded from the log), which also tells
which records the log has never seen; afterwards it only keeps the records gap filling wrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection


@dataclass
class Known:
    version: int | None
    op: str
    record_id: Any = None


class Overlap:
    def __init__(self) -> None:
        self.known: dict[tuple[str, str], Known] = {}
        self.complete = False  # True: every record the log holds is in ``known``

    async def load(self, entries: AsyncCollection) -> None:
        projection = {"collection": 1, "record_key": 1, "record_id": 1, "version": 1, "op": 1}
        async for entry in entries.find({}, projection).sort("seq", 1):
            if entry.get("record_key"):
                self.note(entry)
        self.complete = True

    def forget(self) -> None:
        self.known.clear()
        self.complete = False

    def get(self, collection: str, key: str) -> Known | None:
        return self.known.get((collection, key))

    def records_of(self, collection: str) -> Iterator[tuple[str, Known]]:
        return ((key, k) for (coll, key), k in list(self.known.items()) if coll == collection)

    def note(self, entry: dict[str, Any]) -> None:
        version = entry.get("version")
        self.known[(entry["collection"], entry["record_key"])] = Known(
            version if isinstance(version, int) else None, entry["op"], entry.get("record_id")
        )

    def contains(self, entry: dict[str, Any]) -> bool:
        """True when the log already holds the state this change entry would record."""
        if entry.get("out_of_band") or entry["op"] == "delete":
            return False
        last = self.get(entry["collection"], entry["record_key"])
        version = entry.get("version")
        return (
            last is not None
            and last.op != "delete"
            and isinstance(last.version, int)
            and isinstance(version, int)
            and version <= last.version
        )

    def before(self, entry: dict[str, Any], pre: dict[str, Any] | None) -> tuple[bool, str]:
        """Whether a state entry from the change's pre-image must come first, during a
        catch-up: (True, "") when the log has never seen the record, (True, "a–b") when the
        versions between the last logged one and the pre-image's are missing."""
        if not self.complete or pre is None or entry["op"] not in ("update", "replace", "delete"):
            return False, ""
        last = self.get(entry["collection"], entry["record_key"])
        if last is None:
            return True, ""
        version = pre.get("version")
        if last.op == "delete" or not isinstance(version, int) or last.version is None:
            return False, ""
        if version <= last.version:
            return False, ""
        first = last.version + 1
        return True, str(first) if first == version else f"{first}–{version}"
