"""Snapshots of the whole server to a data directory, written atomically.

Format: one file, ``snapshot.bson``, a sequence of BSON documents: a header, then one record per
collection (options and indexes), per document and per retained change event. The file is written
to a temporary name, flushed to disk, then renamed over the previous snapshot, so a crash while
writing leaves the previous snapshot intact.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bson

from .changes import Event
from .fastpaths import store_key
from .wire import CODEC

if TYPE_CHECKING:
    from .commands import ServerState

log = logging.getLogger("embedded_mongo")
FORMAT_VERSION = 1
FILE_NAME = "snapshot.bson"


class Snapshotter:
    def __init__(self, directory: Path, state: ServerState, interval: float) -> None:
        self.directory = directory
        self.state = state
        self.interval = interval
        self._saved_at = -1
        self._task: asyncio.Task[None] | None = None

    @property
    def path(self) -> Path:
        return self.directory / FILE_NAME

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.save()

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                self.save()
            except Exception:  # keep snapshotting: one failure must not end durability silently
                log.exception("could not write the snapshot to %s", self.path)

    def save(self) -> bool:
        """Write a snapshot if anything changed since the last one. Returns True if written."""
        store, history = self.state.store, self.state.history
        marker = store.write_count
        if marker == self._saved_at:
            return False
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("wb") as out:
            header = {"kind": "header", "version": FORMAT_VERSION, "history": history.to_state()}
            out.write(bson.encode(header, codec_options=CODEC))
            for db in store.database_names():
                for name in store.collection_names(db):
                    self._write_collection(out, db, name)
            for event in history.events:
                out.write(bson.encode({"kind": "event", **event.to_state()}, codec_options=CODEC))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)
        with contextlib.suppress(OSError):
            dir_fd = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        self._saved_at = marker
        return True

    def _write_collection(self, out: Any, db: str, name: str) -> None:
        store = self.state.store
        coll = store.coll(db, name)
        indexes = [
            {
                "name": i["name"],
                "key": list(map(list, i["key"].items())),
                "unique": bool(i.get("unique")),
                "sparse": bool(i.get("sparse")),
            }
            for i in coll.list_indexes()
            if i["name"] != "_id_"
        ]
        meta = store.collection_meta(db, name)
        record = {
            "kind": "collection",
            "db": db,
            "name": name,
            "uuid": meta["uuid"],
            "options": meta["options"],
            "indexes": indexes,
        }
        out.write(bson.encode(record, codec_options=CODEC))
        for doc in coll._store.documents:
            out.write(
                bson.encode(
                    {"kind": "doc", "db": db, "coll": name, "doc": doc}, codec_options=CODEC
                )
            )

    def load(self) -> None:
        if not self.path.exists():
            return
        store, history = self.state.store, self.state.history
        events: list[Event] = []
        history_state: dict[str, Any] | None = None
        with self.path.open("rb") as source:
            for record in bson.decode_file_iter(source, codec_options=CODEC):
                kind = record.pop("kind")
                if kind == "header":
                    if record["version"] != FORMAT_VERSION:
                        raise RuntimeError(f"unknown snapshot format {record['version']}")
                    history_state = record["history"]
                elif kind == "collection":
                    db, name = record["db"], record["name"]
                    store.client[db].create_collection(name)
                    store.meta[(db, name)] = {"uuid": record["uuid"], "options": record["options"]}
                    coll = store.coll(db, name)
                    for index in record["indexes"]:
                        coll.create_index(
                            [tuple(k) for k in index["key"]],
                            name=index["name"],
                            unique=index["unique"],
                            sparse=index["sparse"],
                        )
                elif kind == "doc":
                    coll = store.coll(record["db"], record["coll"])
                    coll._store[store_key(record["doc"]["_id"])] = record["doc"]
                elif kind == "event":
                    events.append(Event.from_state(record))
        if history_state is not None:
            history.load_state(history_state, events)
        for db in store.database_names():
            for name in store.collection_names(db):
                store.reindex(db, name)
        self._saved_at = store.write_count
