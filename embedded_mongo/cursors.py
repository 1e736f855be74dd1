"""Server-side cursors: plain result cursors and change-stream cursors, both paged by getMore."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Mapping
from typing import Any

import bson
from bson.int64 import Int64
from bson.raw_bson import RawBSONDocument

from .errors import CommandError
from .wire import CODEC, RAW_CODEC

MAX_BATCH_BYTES = 16 * 1024 * 1024
DEFAULT_FIRST_BATCH = 101
IDLE_TIMEOUT_SECONDS = 600


def encoded(doc: Mapping[str, Any]) -> RawBSONDocument:
    """The document as BSON, once: its size decides the batch, and the reply embeds the bytes
    as they are instead of encoding the document a second time."""
    if isinstance(doc, RawBSONDocument):
        return doc
    return RawBSONDocument(bson.encode(doc, codec_options=CODEC), codec_options=RAW_CODEC)


def take_batch(
    source: Iterator[Mapping[str, Any]], count: int, pending: list[RawBSONDocument]
) -> list[RawBSONDocument]:
    """Up to ``count`` documents (0 = no count limit) and at most 16 MiB, always at least one."""
    batch: list[RawBSONDocument] = []
    size = 0
    while count == 0 or len(batch) < count:
        if pending:
            doc = pending.pop()
        else:
            try:
                doc = encoded(next(source))
            except StopIteration:
                break
        if batch and size + len(doc.raw) > MAX_BATCH_BYTES:
            pending.append(doc)  # keep it for the next batch
            break
        batch.append(doc)
        size += len(doc.raw)
    return batch


class Cursor:
    """A result set being paged out to one client."""

    def __init__(self, ns: str, source: Iterator[dict[str, Any]]) -> None:
        self.id = Int64(0)
        self.ns = ns
        self.source = source
        self.pending: list[RawBSONDocument] = []
        self.exhausted = False
        self.touched = time.monotonic()

    def next_batch(self, count: int) -> list[RawBSONDocument]:
        batch = take_batch(self.source, count, self.pending)
        if not self.pending:
            # Peek so the batch that empties the cursor can report id 0.
            try:
                self.pending.append(encoded(next(self.source)))
            except StopIteration:
                self.exhausted = True
        return batch


class CursorRegistry:
    def __init__(self) -> None:
        self.cursors: dict[int, Any] = {}

    def register(self, cursor: Any) -> Int64:
        while True:
            cursor_id = Int64(random.getrandbits(62) + 1)
            if cursor_id not in self.cursors:
                break
        cursor.id = cursor_id
        self.cursors[cursor_id] = cursor
        return cursor_id

    def get(self, cursor_id: int, ns: str) -> Any:
        cursor = self.cursors.get(cursor_id)
        if cursor is None:
            raise CommandError(43, f"cursor id {cursor_id} not found")
        if cursor.ns != ns:
            raise CommandError(
                13, f"Requested getMore on namespace '{ns}', but cursor belongs to '{cursor.ns}'"
            )
        cursor.touched = time.monotonic()
        return cursor

    def kill(self, cursor_id: int) -> bool:
        return self.cursors.pop(cursor_id, None) is not None

    def reap_idle(self) -> int:
        limit = time.monotonic() - IDLE_TIMEOUT_SECONDS
        idle = [cid for cid, c in self.cursors.items() if c.touched < limit]
        for cid in idle:
            del self.cursors[cid]
        return len(idle)
