"""Appending to the hash chain: one entry at the end, keyed by its token so a replay is a no-op."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from .chain import GENESIS, entry_hash

ATTEMPTS = 5


class ChainAppender:
    def __init__(self, entries: AsyncCollection) -> None:
        self.entries = entries
        self._tail: tuple[int, str] | None = None  # (seq, hash) of the chain's last entry
        self.written = 0

    def forget(self) -> None:
        """Re-read the chain's end next time (another worker may have written meanwhile)."""
        self._tail = None

    async def last_entry(self) -> dict[str, Any] | None:
        return await self.entries.find_one({}, sort=[("seq", -1)])

    async def tail(self, *, refresh: bool = False) -> tuple[int, str]:
        if self._tail is None or refresh:
            last = await self.last_entry()
            self._tail = (last["seq"], last["hash"]) if last else (0, GENESIS)
        return self._tail

    async def append(self, entry: dict[str, Any]) -> bool:
        """Insert one entry at the end of the chain. False if its token is already logged."""
        refresh = False
        for _ in range(ATTEMPTS):
            seq, prev_hash = await self.tail(refresh=refresh)
            entry["seq"] = seq + 1
            entry["prev_hash"] = prev_hash
            entry["hash"] = entry_hash(entry)
            try:
                await self.entries.insert_one(entry)
            except DuplicateKeyError as exc:
                entry.pop("_id", None)
                if "token" in ((exc.details or {}).get("keyPattern") or {}):
                    return False  # replayed event: logged before the crash
                refresh = True  # seq taken (a lease overlap): re-read the chain's end
                continue
            self._tail = (entry["seq"], entry["hash"])
            self.written += 1
            return True
        raise RuntimeError("could not append to the change log")
